"""A table or column the models name and the database lacks: the schema is
behind the models, which development says with the command that fixes it."""

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, ProgrammingError
from werkzeug.exceptions import InternalServerError

from edmunds.database.missingschema import missing_schema, reason_of
from edmunds.http.providers.apiserviceprovider import ApiServiceProvider

CONFIG = """\
from edmunds.database.drivers.sqlite import Sqlite

APP = {'database': {
    'enabled': True,
    'instances': [{'name': 'main', 'driver': Sqlite, 'file': '/database/main.db'}],
}}
"""

# What a model ahead of its database asks SQLite, and what SQLite answers.
STATEMENTS = {
    "column": "SELECT age FROM people",
    "table": "SELECT id FROM pets",
    "insert": "INSERT INTO people (id, age) VALUES (1, 2)",
}
FIX = "python manage.py db migrate -m '...' if no revision adds it yet, then"


@pytest.fixture
def app(make_app):
    app = make_app({"config/app.py": CONFIG})
    app.register(ApiServiceProvider)
    with app.database_engine().begin() as connection:
        connection.execute(text("CREATE TABLE people (id INTEGER PRIMARY KEY)"))

    def run(kind):
        with app.database_engine().begin() as connection:
            connection.execute(text(STATEMENTS[kind]))
        return {}

    app.add_url_rule("/run/<kind>", view_func=run)
    return app


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("column", "no such column: age"),
        ("table", "no such table: pets"),
        ("insert", "table people has no column named age"),
    ],
)
def test_development_names_the_commands_that_fix_it(app, kind, reason, caplog):
    app.debug = True

    with caplog.at_level(logging.ERROR):
        response = app.test_client().get(f"/run/{kind}")

    assert response.status_code == 500
    message = response.get_json()["error"]["message"]
    assert message.startswith(f"the database schema is behind the models ({reason})")
    assert FIX in message and message.endswith("python manage.py db upgrade")
    (record,) = caplog.records
    assert reason in record.getMessage() and "\n" not in record.getMessage()


def test_production_names_no_table_nor_column_but_logs_them(app, caplog):
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/run/column")

    # Flask's own words for any other error: no table, column or command.
    assert response.status_code == 500
    assert response.get_json() == {
        "error": {"code": 500, "message": InternalServerError.description}
    }
    (record,) = caplog.records
    assert "no such column: age" in record.getMessage()
    assert "db upgrade" in record.getMessage()


@pytest.mark.parametrize("debug", [True, False])
def test_a_server_gone_away_is_still_unavailable(app, debug, monkeypatch):
    app.debug = debug

    def refuse():
        raise OperationalError(
            "SELECT 1", {}, ConnectionRefusedError("connection refused")
        )

    monkeypatch.setattr(app.database_engine(), "raw_connection", refuse)
    response = app.test_client().get("/run/column")

    assert response.status_code == 503
    assert "unavailable" in response.get_json()["error"]["message"]


def test_another_mistake_in_sql_is_not_taken_for_it(app):
    def two_at_once():
        with app.database_engine().connect() as connection:
            connection.execute(text("SELECT 1; SELECT 2"))

    app.add_url_rule("/two", view_func=two_at_once)
    # TESTING hands the test the error Flask would answer 500 for.
    with pytest.raises(ProgrammingError, match="one statement at a time"):
        app.test_client().get("/two")


class DriverError(Exception):
    """A driver's error, as psycopg (``sqlstate``) or PyMySQL (its number
    first) raise them."""

    def __init__(self, *args, sqlstate=None):
        super().__init__(*args)
        if sqlstate is not None:
            self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("reason", "missing"),
    [
        (DriverError('column "age" does not exist', sqlstate="42703"), True),
        (DriverError('relation "pets" does not exist', sqlstate="42P01"), True),
        (DriverError("connection failure", sqlstate="08006"), False),
        (DriverError('syntax error at or near "SELEC"', sqlstate="42601"), False),
        (DriverError(1054, "Unknown column 'age'", sqlstate="42S22"), True),
        (DriverError(1146, "Table 'app.pets' doesn't exist", sqlstate="42S02"), True),
        (DriverError(1054, "Unknown column 'age'"), True),  # no SQLSTATE sent
        (DriverError(2003, "Can't connect to MySQL server"), False),
        (DriverError(1064, "You have an error in your SQL syntax"), False),
        (ConnectionRefusedError("connection refused"), False),
    ],
)
def test_each_driver_says_it_its_own_way(reason, missing):
    assert missing_schema(ProgrammingError("SELECT", {}, reason)) is missing


def test_the_reason_is_the_drivers_first_line():
    postgresql = DriverError('column "age" does not exist\nLINE 1: SELECT age\n  ^')
    mysql = DriverError(1054, "Unknown column 'age' in 'field list'")

    assert reason_of(ProgrammingError("", {}, postgresql)) == (
        'column "age" does not exist'
    )
    assert reason_of(OperationalError("", {}, mysql)) == (
        "Unknown column 'age' in 'field list'"
    )
