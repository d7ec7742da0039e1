import os
import secrets

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from edmunds.config.configurationerror import ConfigurationError
from edmunds.database.databaseconnectionerror import DatabaseConnectionError
from edmunds.database.db import db
from edmunds.database.drivers.mysql import MySql
from edmunds.database.drivers.postgresql import PostgreSql

CONFIG = """\
from edmunds.database.drivers.mysql import MySql
from edmunds.database.drivers.postgresql import PostgreSql
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


def test_sqlite_commits_wait_for_the_disk_unless_told_otherwise(make_app):
    app = database_app(
        make_app,
        "[{'name': 'main', 'driver': Sqlite, 'file': 'main.db'},"
        " {'name': 'fast', 'driver': Sqlite, 'file': 'fast.db',"
        " 'synchronous': 'normal'}]",
        {".env.testing.py": "TESTING = True\nDB_MAIN_SYNCHRONOUS = 'OFF'"},
    )
    levels = {}
    for name in ("main", "fast"):
        with app.database_engine(name).connect() as connection:
            levels[name] = connection.execute(text("PRAGMA synchronous")).scalar()

    assert levels == {"main": 0, "fast": 1}


def test_sqlite_refuses_a_synchronous_level_it_does_not_know(make_app):
    # Checked at boot, and never pasted into SQL unchecked.
    with pytest.raises(ConfigurationError, match="'main': 'synchronous' is 'off;"):
        database_app(
            make_app,
            "[{'name': 'main', 'driver': Sqlite, 'file': 'm.db',"
            " 'synchronous': 'off; DROP TABLE users'}]",
        )


def test_sqlite_reading_requests_run_beside_a_writer_and_writers_queue(make_app):
    # A short busy timeout: a transaction that has to wait fails at once.
    app = database_app(
        make_app,
        "[{'name': 'main', 'driver': Sqlite, 'file': 'main.db',"
        " 'engine_options': {'connect_args': {'timeout': 0.1}}}]",
    )
    engine = app.database_engine()
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (body TEXT)"))
    writer, reader, other_writer = (engine.connect() for _ in range(3))
    try:
        with app.test_request_context(method="POST"):
            writer.begin()
            writer.execute(text("INSERT INTO notes VALUES ('draft')"))
        with app.test_request_context(method="GET"):
            reader.begin()
            assert reader.execute(text("SELECT count(*) FROM notes")).scalar() == 0
        with app.test_request_context(method="PUT"), pytest.raises(OperationalError):
            other_writer.begin()
    finally:
        for connection in (writer, reader, other_writer):
            connection.close()


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
        (
            "[{'name': 'a', 'driver': PostgreSql, 'user': 'u', 'pass': '',"
            " 'database': 'd'}]",
            "'a': missing 'host'.*DB_A_HOST",
        ),
        (
            "[{'name': 'a', 'driver': MySql, 'user': 'u', 'host': 'h',"
            " 'database': 'd'}]",
            "'a': missing 'pass'.*DB_A_PASS",
        ),
        (
            "[{'name': 'a', 'driver': MySql, 'user': 'u', 'pass': 'p',"
            " 'host': 'h', 'database': 'd', 'port': 'three'}]",
            "'a': 'port' must be a number, not 'three'",
        ),
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
                f"SECRET_KEY = {secrets.token_urlsafe(48)!r}"
            },
            env="production",
        )


# Every character a hand-built URL would choke on, and one beyond ASCII.
AWKWARD_PASSWORD = "p@ss:w/rd%#?é"


def server(driver, make_app, **settings):
    """A server driver on an app without a database: no DBAPI is loaded."""
    instance = {"name": "main", "user": "app", "host": "db.internal"}
    return driver(make_app(), {**instance, "database": "shop", **settings})


@pytest.mark.parametrize(
    ("driver", "drivername", "port"),
    [(PostgreSql, "postgresql+psycopg", 5432), (MySql, "mysql+pymysql", 3306)],
)
def test_server_urls_are_built_from_parts_and_keep_any_password(
    make_app, driver, drivername, port
):
    url = server(driver, make_app, **{"pass": AWKWARD_PASSWORD}).url()

    assert url.drivername == drivername
    assert (url.username, url.password) == ("app", AWKWARD_PASSWORD)
    assert (url.host, url.port, url.database) == ("db.internal", port, "shop")
    # Alembic's env.py hands the URL on as a string: it must survive that.
    assert make_url(url.render_as_string(hide_password=False)) == url


def test_mysql_connections_speak_full_unicode(make_app):
    url = server(MySql, make_app, **{"pass": ""}).url()
    assert url.query == {"charset": "utf8mb4"}


def test_server_settings_come_from_environment_then_env_py_then_config(
    make_app, monkeypatch
):
    monkeypatch.setenv("DB_MAIN_HOST", "from-environment")
    app = make_app(
        {".env.py": 'DB_MAIN_HOST = "from-env-py"\nDB_MAIN_USER = "env-py-user"\n'}
    )
    instance = {"name": "main", "host": "h", "user": "u", "pass": "", "port": "6543"}
    url = PostgreSql(app, {**instance, "database": "shop"}).url()

    assert (url.host, url.username) == ("from-environment", "env-py-user")
    assert url.port == 6543


def test_an_empty_password_means_none_and_a_number_is_text(make_app):
    assert server(PostgreSql, make_app, **{"pass": ""}).url().password is None
    assert server(PostgreSql, make_app, **{"pass": 1234}).url().password == "1234"


def test_servers_have_production_pool_defaults_that_an_instance_overrides(make_app):
    mysql = server(
        MySql,
        make_app,
        **{"pass": "", "engine_options": {"pool_size": 20, "connect_args": {"a": 1}}},
    )
    postgresql = server(
        PostgreSql,
        make_app,
        **{"pass": "", "engine_options": {"connect_args": {"sslmode": "require"}}},
    )

    assert mysql.engine_options() == {
        "pool_pre_ping": True,
        "pool_size": 20,
        "max_overflow": 10,
        "pool_recycle": 3600,
        "connect_args": {"a": 1},
    }
    assert postgresql.engine_options() == {
        "pool_pre_ping": True,
        "pool_size": 5,
        "max_overflow": 10,
        "connect_args": {"connect_timeout": 10, "sslmode": "require"},
    }


def test_a_database_that_cannot_be_opened_names_its_instance(make_app, tmp_path):
    (tmp_path / "storage" / "database" / "a-folder").mkdir(parents=True)
    app = database_app(
        make_app, "[{'name': 'main', 'driver': Sqlite, 'file': '/database/a-folder'}]"
    )

    with pytest.raises(DatabaseConnectionError) as error:
        app.database_engine().connect()

    assert str(error.value) == (
        f"database instance 'main' (SQLite file {tmp_path}/storage/database/"
        "a-folder): cannot connect: unable to open database file"
    )


def test_an_error_in_a_statement_keeps_its_own_exception(make_app):
    app = database_app(make_app, "[{'name': 'main', 'driver': SqliteMemory}]")
    with app.database_engine().connect() as connection:
        with pytest.raises(OperationalError, match="no such table"):
            connection.execute(text("SELECT * FROM nowhere"))


def test_a_server_without_its_dbapi_installed_is_refused(make_app, monkeypatch):
    monkeypatch.setattr(PostgreSql, "dbapi", "edmunds_no_such_module")
    instance = "{'name': 'a', 'driver': PostgreSql, 'user': 'u', 'pass': '',"
    instance += " 'host': 'h', 'database': 'd'}"

    with pytest.raises(ConfigurationError, match=r"'a': PostgreSql needs the psyco"):
        database_app(make_app, f"[{instance}]")
