from sqlalchemy.engine import URL

from edmunds.config.configurationerror import ConfigurationError
from edmunds.database.drivers.sqlite import Sqlite


class SqliteMemory(Sqlite):
    """An in-memory SQLite database: gone when the process ends.

    Only for debugging and tests; refused otherwise so that no deployed app
    silently writes into memory.
    """

    required = ()
    engine_defaults = {}
    pragmas = ("PRAGMA foreign_keys=ON",)

    def __init__(self, app, instance):
        super().__init__(app, instance)
        if app.production:
            raise ConfigurationError(
                f"database instance {self.name!r}: SqliteMemory keeps nothing "
                "and is allowed only where DEBUG or TESTING is on"
            )

    def describe(self):
        return "SQLite in memory"

    def url(self):
        return URL.create("sqlite")

    def database_identity(self, setting=None):
        # Each process has its own, gone with it: no one else's data.
        return None

    def _make_private_file(self, *connect_arguments):
        """Nothing on disk to make private."""
