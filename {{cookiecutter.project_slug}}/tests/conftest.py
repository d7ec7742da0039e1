import os

import flask_migrate
import pytest
from sqlalchemy import MetaData

# Chosen before the app is built: .env.testing.py is loaded last and points
# every database instance at a database the tests may wipe.
os.environ["APP_ENV"] = "testing"

from bootstrap.app import bootstrap  # noqa: E402
from edmunds.database.db import db  # noqa: E402


@pytest.fixture(scope="session")
def app():
    """The app as bootstrap builds it, on a schema the migrations made."""
    app = bootstrap()
    assert app.testing, ".env.testing.py must set TESTING = True"
    refuse_databases_not_meant_for_tests(app)
    with app.app_context():
        for engine in db.engines.values():
            # Whatever an earlier, interrupted run left behind.
            stale = MetaData()
            stale.reflect(engine)
            stale.drop_all(engine)
        flask_migrate.upgrade()
    return app


def refuse_databases_not_meant_for_tests(app):
    """The tests drop and empty tables: only in databases named for tests.

    A DB_<NAME>_DATABASE or DB_<NAME>_FILE left in the environment wins over
    .env.testing.py; this stops the run before it touches such a database.
    """
    for name, driver in app.extensions["edmunds.database"].drivers.items():
        key = "database" if driver.setting("database") else "file"
        where = driver.setting(key)
        if where and "test" not in os.path.basename(str(where)).lower():
            pytest.exit(
                f"database instance {name!r} points at {where!r}, whose name does "
                "not say 'test', and the tests would wipe it: point "
                f"{driver.env_name(key)} at a test database",
                returncode=3,
            )


@pytest.fixture
def database(app):
    """``db`` inside an app context; every row the test wrote is gone after it."""
    with app.app_context():
        yield db
        db.session.rollback()
    # Outside the context: no transaction the test left open holds a lock
    # that emptying the tables would wait for.
    empty_tables(app)


@pytest.fixture
def client(app):
    """A client for the API; every row its requests wrote is gone after the test.

    Each request gets its own app context and session, as in production. A
    test that also needs ``database`` holds one context open around its
    requests, and they share its session.
    """
    yield app.test_client()
    empty_tables(app)


def empty_tables(app):
    # Deleting rows is much faster than rebuilding the schema per test.
    with app.app_context():
        for bind_key, engine in db.engines.items():
            with engine.begin() as connection:
                for table in reversed(db.metadatas[bind_key].sorted_tables):
                    connection.execute(table.delete())
