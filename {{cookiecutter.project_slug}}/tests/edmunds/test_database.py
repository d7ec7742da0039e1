import os

import pytest
from sqlalchemy import text

from edmunds.config.configurationerror import ConfigurationError
from edmunds.database.db import db

CONFIG = """\
from edmunds.database.drivers.sqlite import Sqlite
from edmunds.database.drivers.sqlitememory import SqliteMemory

APP = {{'database': {{'enabled': True, 'instances': {instances}}}}}
"""


def database_app(make_app, instances, files=None, env="testing"):
    files = {"config/app.py": CONFIG.format(instances=instances), **(files or {})}
    return make_app(files, env=env)


def test_first_instance_is_default_and_others_are_binds(make_app, tmp_path):
    app = database_app(
        make_app,
        "[{'name': 'main', 'driver': Sqlite, 'file': '/database/main.db'},"
        " {'name': 'extra', 'driver': SqliteMemory}]",
    )

    assert app.config["SQLALCHEMY_DATABASE_URI"].database == str(
        tmp_path / "storage" / "database" / "main.db"
    )
    assert list(app.config["SQLALCHEMY_BINDS"]) == ["extra"]
    assert app.database_engine() is app.database_engine("main")
    assert str(app.database_engine("extra").url) == "sqlite://"


def test_sqlite_files_resolve_inside_storage_and_env_overrides(
    make_app, tmp_path, monkeypatch
):
    monkeypatch.setenv("DB_MAIN_FILE", "elsewhere/other.db")
    app = database_app(
        make_app,
        "[{'name': 'main', 'driver': Sqlite, 'file': '/database/main.db',"
        " 'storage': 'data'}]",
    )

    path = app.config["SQLALCHEMY_DATABASE_URI"].database
    assert path == os.path.join(str(tmp_path), "data", "elsewhere", "other.db")
    assert os.path.isdir(os.path.dirname(path))


def test_sqlite_enforces_foreign_keys_and_uses_wal(make_app):
    app = database_app(
        make_app, "[{'name': 'main', 'driver': Sqlite, 'file': 'main.db'}]"
    )
    with app.database_engine().connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_sessions_are_per_instance_and_removed_with_the_context(make_app):
    app = database_app(
        make_app,
        "[{'name': 'main', 'driver': SqliteMemory},"
        " {'name': 'extra', 'driver': SqliteMemory}]",
    )
    with app.app_context():
        assert app.database_session() is db.session
        extra = app.database_session("extra")
        assert extra.get_bind() is app.database_engine("extra")
        inner = extra()
    with app.app_context():
        assert app.database_session("extra")() is not inner


@pytest.mark.parametrize(
    ("instances", "message"),
    [
        ("[]", "lists no instance"),
        ("[{'driver': Sqlite, 'file': 'x.db'}]", "instance #1: missing 'name'"),
        (
            "[{'name': 'a', 'driver': SqliteMemory},"
            " {'name': 'a', 'driver': SqliteMemory}]",
            "'a': two instances have this name",
        ),
        ("[{'name': 'a', 'driver': 'sqlite'}]", "'a': unknown 'driver'"),
        ("[{'name': 'a', 'driver': Sqlite}]", "'a': missing 'file'.*DB_A_FILE"),
    ],
)
def test_configuration_mistakes_name_the_instance(make_app, instances, message):
    with pytest.raises(ConfigurationError, match=message):
        database_app(make_app, instances)


def test_sqlite_memory_is_refused_outside_debug_and_testing(make_app):
    with pytest.raises(ConfigurationError, match="'main': SqliteMemory"):
        database_app(
            make_app,
            "[{'name': 'main', 'driver': SqliteMemory}]",
            files={
                ".env.production.py": "DEBUG = False\nTESTING = False\n"
                f"SECRET_KEY = {'x' * 32!r}"
            },
            env="production",
        )
