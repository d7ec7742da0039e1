import pytest

from edmunds.config.configurationerror import ConfigurationError
from edmunds.database.db import db
from edmunds.database.providers.migrateserviceprovider import (
    MigrateServiceProvider,
)

CONFIG = """\
from edmunds.database.drivers.sqlitememory import SqliteMemory
from sqlalchemy import Column, Integer, MetaData, Table

ORPHANS = Table("orphans", MetaData(), Column("id", Integer, primary_key=True))

APP = {{'database': {{
    'enabled': True,
    'instances': [{{'name': 'main', 'driver': SqliteMemory}}],
    'modelsandtables': {entries},
}}}}
"""


def test_the_db_commands_are_bound_to_the_app(make_app):
    app = make_app({"config/app.py": CONFIG.format(entries="[]")})
    app.register(MigrateServiceProvider)

    assert "db" in app.cli.commands
    assert app.extensions["migrate"].directory.endswith("migrations")


def test_an_entry_that_is_no_model_or_table_is_named(make_app):
    app = make_app({"config/app.py": CONFIG.format(entries="['users']")})
    with pytest.raises(ConfigurationError, match="holds 'users', which is neither"):
        app.register(MigrateServiceProvider)


def test_a_bind_key_naming_no_instance_is_refused(make_app, monkeypatch):
    app = make_app({"config/app.py": CONFIG.format(entries="[ORPHANS]")})
    # Put the table on a bind no instance is named after, for this test only:
    # a db.Table(bind_key=...) would stay in ``db`` for every later app.
    monkeypatch.setitem(db.metadatas, "nowhere", app.config["ORPHANS"].metadata)
    with pytest.raises(ConfigurationError, match="'orphans' uses bind key 'nowhere'"):
        app.register(MigrateServiceProvider)


def test_migrations_need_the_database(make_app):
    app = make_app({"config/app.py": "APP = {'database': {'enabled': False}}"})
    with pytest.raises(ConfigurationError, match="needs the database"):
        app.register(MigrateServiceProvider)
