import os

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table

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


TWO_BINDS = CONFIG.replace(
    "'instances': [{{'name': 'main', 'driver': SqliteMemory}}],",
    "'instances': [{{'name': 'main', 'driver': SqliteMemory}},"
    " {{'name': 'one', 'driver': SqliteMemory}},"
    " {{'name': 'two', 'driver': SqliteMemory}}],",
)


def binds_with(monkeypatch, **tables_by_bind):
    """Put throwaway tables on the binds 'one' and 'two', for this test only."""
    for bind_key, tables in tables_by_bind.items():
        metadata = MetaData()
        for name, *columns in tables:
            Table(name, metadata, Column("id", Integer, primary_key=True), *columns)
        monkeypatch.setitem(db.metadatas, bind_key, metadata)


def test_a_foreign_key_to_a_table_nobody_defines_is_named(make_app, monkeypatch):
    app = make_app({"config/app.py": TWO_BINDS.format(entries="[]")})
    binds_with(
        monkeypatch,
        one=[("person", Column("age", Integer)), ("links", fk_to("people.id"))],
    )
    with pytest.raises(ConfigurationError) as raised:
        app.register(MigrateServiceProvider)
    assert str(raised.value) == (
        "table 'links' column 'ref' has a foreign key to 'people.id', but no "
        "model or table on database instance 'one' defines a table 'people' (its "
        "tables: links, person): fix the ForeignKey or the target's "
        "__tablename__, and list the target in modelsandtables"
    )


def test_a_foreign_key_to_a_missing_column_is_named(make_app, monkeypatch):
    app = make_app({"config/app.py": TWO_BINDS.format(entries="[]")})
    binds_with(monkeypatch, one=[("labels",), ("links", fk_to("labels.code"))])
    with pytest.raises(ConfigurationError, match="'labels' has no column 'code'"):
        app.register(MigrateServiceProvider)


def test_a_foreign_key_across_instances_is_refused(make_app, monkeypatch):
    app = make_app({"config/app.py": TWO_BINDS.format(entries="[]")})
    binds_with(monkeypatch, one=[("links", fk_to("labels.id"))], two=[("labels",)])
    with pytest.raises(ConfigurationError) as raised:
        app.register(MigrateServiceProvider)
    assert "'labels' lives on database instance 'two', not 'one'" in str(raised.value)
    assert "cannot cross instances" in str(raised.value)


def fk_to(target):
    return Column("ref", Integer, ForeignKey(target))


def test_a_table_may_name_its_bind_in_info(monkeypatch):
    # A bind key of its own, gone after the test: db is shared by every test.
    monkeypatch.delitem(db.metadatas, "edmunds_info_test", raising=False)
    table = db.Table(
        "edmunds_info_test_rows",
        Column("id", Integer, primary_key=True),
        info={"bind_key": "edmunds_info_test"},
    )
    try:
        assert table.metadata is db.metadatas["edmunds_info_test"]
        with pytest.raises(ConfigurationError, match="names two bind keys"):
            db.Table(
                "edmunds_info_test_others",
                Column("id", Integer, primary_key=True),
                bind_key="elsewhere",
                info={"bind_key": "edmunds_info_test"},
            )
    finally:
        db.metadatas.pop("edmunds_info_test", None)


def test_a_name_the_config_imports_but_nobody_defines_is_one_line(make_app):
    with pytest.raises(ConfigurationError) as raised:
        make_app({"config/app.py": "from os.path import no_such_name\nAPP = {}\n"})
    message = str(raised.value)
    assert message.endswith(
        "config/app.py line 1: cannot import name 'no_such_name' from "
        f"'{os.path.__name__}' ({os.path.__file__})"
    )
