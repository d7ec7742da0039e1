import functools
import logging
import os

import flask_migrate
import pytest
from sqlalchemy import MetaData

# Chosen before the app is built: .env.testing.py is loaded last and points
# every database instance at a database the tests may wipe.
os.environ["APP_ENV"] = "testing"

from bootstrap.app import bootstrap  # noqa: E402
from edmunds.config.configurationerror import ConfigurationError  # noqa: E402
from edmunds.database.databaseconnectionerror import (  # noqa: E402
    DatabaseConnectionError,
)
from edmunds.database.db import db  # noqa: E402
from edmunds.database.migrations.modeldifferences import (  # noqa: E402
    model_differences,
    summary,
)
from edmunds.database.testdatabaseguard import (  # noqa: E402
    refuse_databases_not_meant_for_tests,
)


def pytest_collection_finish(session):
    # Once, before the first test, and only when a test will use the app:
    # a database that is not the tests' own, or a model that its migrations
    # do not make, stops the whole run here.
    if session.config.option.collectonly:
        return  # listing the tests touches no database
    if any("app" in item.fixturenames for item in session.items):
        app_on_test_databases()


@functools.cache
def app_on_test_databases():
    try:
        app = bootstrap()
        refuse_databases_not_meant_for_tests(app)
    except (ConfigurationError, DatabaseConnectionError) as error:
        pytest.exit(f"Error: {error}", returncode=3)
    with app.app_context():
        for engine in db.engines.values():
            # Whatever an earlier, interrupted run left behind.
            stale = MetaData()
            stale.reflect(engine)
            stale.drop_all(engine)
        # Alembic logs each step to stderr (migrations/alembic.ini), which
        # pytest would show above the first test: its errors only.
        logging.disable(logging.INFO)
        try:
            flask_migrate.upgrade(revision="heads")
            differences = model_differences(app)
        except SystemExit:
            pytest.exit(
                "Error: the migrations failed on the test databases (above)",
                returncode=3,
            )
        finally:
            logging.disable(logging.NOTSET)
    if differences:
        pytest.exit(
            f"Error: models and migrations differ: {summary(differences)}; run "
            'python manage.py db migrate -m "..." to write the revision',
            returncode=3,
        )
    return app


@pytest.fixture(scope="session")
def app():
    """The app as bootstrap builds it, on a schema the migrations made.

    Only on the databases .env.testing.py names: see
    edmunds/database/testdatabaseguard.py.
    """
    return app_on_test_databases()


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
    """A client for the API, logged in as ``tester@example.com``, an admin;
    every row its requests wrote is gone after the test.

    Each request gets its own app context and session, as in production. A
    test that also needs ``database`` holds one context open around its
    requests, and they share its session. ``anonymous`` has no token.
    """
    client = app.test_client()
    client.environ_base["HTTP_AUTHENTICATION_TOKEN"] = token_of(app, TESTER)
    client.tester_id = tester_id(app)
    yield client
    empty_tables(app)


@pytest.fixture
def anonymous(app):
    """A client for the API without a token."""
    yield app.test_client()
    empty_tables(app)


# The user the ``client`` fixture's requests come from: in the users table
# like any other (it is the first user of every API test).
TESTER = "tester@example.com"


def token_of(app, email, roles=("admin",)):
    """A token of the user with this email, made (without a password: no
    argon2 work per test) with these roles if there is none."""
    with app.app_context():
        datastore = app.auth_userdatastore()
        user = datastore.find_user(email=email)
        if user is None:
            user = datastore.create_user(email=email, name=email.split("@")[0])
            for role in roles:
                datastore.add_role_to_user(user, datastore.find_or_create_role(role))
            db.session.commit()
        return user.get_auth_token()


def tester_id(app):
    with app.app_context():
        return app.auth_userdatastore().find_user(email=TESTER).id


def empty_tables(app):
    # Deleting rows is much faster than rebuilding the schema per test.
    with app.app_context():
        for bind_key, engine in db.engines.items():
            with engine.begin() as connection:
                for table in reversed(db.metadatas[bind_key].sorted_tables):
                    connection.execute(table.delete())
