"""Server database names as the servers resolve them; no server needed."""

import pytest

from edmunds.database.drivers.mysql import MySql
from edmunds.database.drivers.postgresql import PostgreSql


def driver(make_app, driver_class, **settings):
    app = make_app()
    instance = {
        "name": "default",
        "driver": driver_class,
        "user": "owner",
        "pass": "",
        "host": "db.example",
        **settings,
    }
    return driver_class(app, instance)


def test_postgresql_cuts_names_to_63_bytes(make_app):
    base = "a" * 60
    postgresql = driver(make_app, PostgreSql, database=base + "xyz")
    assert postgresql.database_identity() == ("PostgreSQL", base + "xyz")
    # 63 bytes then: "_testing" is cut away, the twin is the same database.
    twin = {"database": base + "xyz_testing"}.get
    assert postgresql.database_identity(twin) == postgresql.database_identity()
    # Never half a character: "é" is two bytes.
    assert postgresql.name_on_server("é" * 40) == "é" * 31


def test_mysql_names_are_compared_whatever_their_case(make_app):
    mysql = driver(make_app, MySql, database="Shop")
    assert mysql.database_identity({"database": "shop"}.get) == (
        mysql.database_identity()
    )
    assert mysql.name_on_server("x" * 70) == "x" * 64


@pytest.mark.parametrize(
    ("driver_class", "password", "command"),
    [
        (PostgreSql, "", "createdb -h db.example -p 5432 -U owner 'shop test'"),
        (
            MySql,
            "",
            "mysql -h db.example -P 3306 -u owner -e "
            "'CREATE DATABASE `shop test` CHARACTER SET utf8mb4'",
        ),
        (
            MySql,
            "secret",
            "mysql -h db.example -P 3306 -u owner -p -e "
            "'CREATE DATABASE `shop test` CHARACTER SET utf8mb4'",
        ),
    ],
)
def test_the_command_that_creates_a_database(make_app, driver_class, password, command):
    made = driver(make_app, driver_class, database="shop test", **{"pass": password})
    assert made.create_database_command() == command
    assert password not in command or not password
