"""The revisions the code's migrations/ holds, and the ones a database is at.

Each database instance keeps its revisions in its own ``alembic_version``
table; ``migrations/`` holds one history for them all (env.py runs every
instance through each revision).
"""

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from edmunds.config.configurationerror import ConfigurationError
from edmunds.database.missingschema import missing_schema

# Where ApiServiceProvider leaves the app's KnownRevisions for /ready.
KNOWN_REVISIONS = "edmunds.migrations.known_revisions"


class KnownRevisions:
    """The heads of migrations/ and every revision before them.

    Reading them loads every revision file: done once, when the app is
    built, and never per request.
    """

    def __init__(self, app):
        migrate = app.extensions["migrate"]
        # Flask-Migrate's config reads the command line's -x from ``g``.
        with app.app_context():
            config = migrate.migrate.get_config()
        try:
            script = ScriptDirectory.from_config(config)
            self.heads = frozenset(script.get_heads())
            self.all = frozenset(rev.revision for rev in script.walk_revisions())
        except CommandError as error:
            reason = " ".join(str(error).split())
            raise ConfigurationError(
                f"the migrations cannot be read ({reason}); where a file or "
                "folder is gone, `python manage.py db init` writes it back"
            ) from None

    def behind(self, current):
        """Whether a database at ``current`` lacks revisions this code has.

        A revision this code does not know is a newer deploy's: there the
        code is behind the database, not the database behind the code, and
        refusing it would take every old replica out of a rolling deploy
        at once.
        """
        return current != self.heads and current <= self.all


def current_revisions(connection):
    """The revisions a database is at, in one query; none before its first."""
    try:
        rows = connection.execute(text("SELECT version_num FROM alembic_version"))
        return frozenset(revision for (revision,) in rows)
    except DBAPIError as error:
        if missing_schema(error):  # no alembic_version yet: never upgraded
            return frozenset()
        raise
