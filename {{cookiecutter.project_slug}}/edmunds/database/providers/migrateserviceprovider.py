import os

from flask_migrate import Migrate
from sqlalchemy import Table

from edmunds.config.configurationerror import ConfigurationError
from edmunds.database.db import db
from edmunds.database.foreignkeycheck import check_foreign_keys
from edmunds.database.migrations.commands import db_commands
from edmunds.support.serviceprovider import ServiceProvider


class MigrateServiceProvider(ServiceProvider):
    """Binds Flask-Migrate to the app and ``db``: the ``db`` console commands.

    Registered from bootstrap, after the database instances are set up.
    ``APP['database']['modelsandtables']`` is checked here: importing it is
    what makes every model and table visible to ``db migrate``; so are the
    foreign keys of every table, which must point at a table of their own
    database instance.
    """

    def register(self):
        manager = self.app.extensions.get("edmunds.database")
        if manager is None:
            raise ConfigurationError(
                "MigrateServiceProvider needs the database: set "
                "APP['database']['enabled'] to True in config/app.py"
            )
        for entry in self.app.config("app.database.modelsandtables", []):
            table = _table_of(entry)
            bind_key = _bind_key_of(table)
            if bind_key is not None and bind_key not in manager.drivers:
                raise ConfigurationError(
                    f"{table.name!r} uses bind key {bind_key!r}, but no database "
                    "instance has that name"
                )
        check_foreign_keys(manager)
        Migrate(self.app, db, directory=os.path.join(self.app.root_path, "migrations"))
        # Flask-Migrate's commands, with the project's checks around them.
        self.app.cli.add_command(db_commands(), name="db")


def _table_of(entry):
    if isinstance(entry, Table):
        return entry
    if isinstance(entry, type) and issubclass(entry, db.Model):
        return entry.__table__
    raise ConfigurationError(
        f"APP['database']['modelsandtables'] holds {entry!r}, which is neither "
        "a model (a db.Model subclass) nor a table (db.Table)"
    )


def _bind_key_of(table):
    for bind_key, metadata in db.metadatas.items():
        if table.metadata is metadata:
            return bind_key
    return None
