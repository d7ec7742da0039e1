"""Every database combination, proven against real PostgreSQL and MariaDB.

A combination is baked, then: `db upgrade`, the baked project's own tests,
`db check`, `db downgrade base` and `db upgrade` again, each server instance
in databases made for the test and dropped after it. Combinations that
install the same drivers share a worker, and so their cached virtualenv.
"""

import re
import socket
import sqlite3
import tomllib
from contextlib import ExitStack
from functools import partial

import pytest

from conftest import (
    assert_baked_suite_passed,
    assert_ruff_passes,
    bake,
    clean_env,
    manage,
    project_python,
    run,
)
from servers import SERVERS, on_servers
from test_commands import add_comment_model

ENGINES = ("sqlite", "postgresql", "mysql")
SAMPLE_TABLES = {"users", "tags", "user_tags", "roles", "user_roles", "login_failures"}
# Every character a hand-built URL would choke on, and one beyond ASCII.
AWKWARD_PASSWORD = "p@ss:w/rd%#?é"
DRIVERS = {"postgresql": "psycopg[binary]==", "mysql": "PyMySQL=="}


def combination(database, users_database, python_version="3.12"):
    marks = on_servers(database, users_database)
    name = f"{database}+{users_database}"
    if python_version != "3.12":
        # A venv of its own (another Python): a worker of its own too.
        name += f"-py{python_version}"
        marks = [*marks[:-1], pytest.mark.xdist_group(f"databases-{name}")]
    return pytest.param(database, users_database, python_version, id=name, marks=marks)


# Every combination on the default Python, and each other offered Python on
# both servers (test_python_versions runs each on SQLite): every Python
# meets every engine, without baking the whole product of the two.
COMBINATIONS = [
    *(combination(d, u) for d in ENGINES for u in ("none", *ENGINES)),
    combination("postgresql", "mysql", "3.11"),
    combination("mysql", "postgresql", "3.13"),
]


def instances(database, users_database):
    """Each instance of a bake: its name and engine."""
    found = {"default": database}
    if users_database != "none":
        found["users_database"] = users_database
    return found


def sqlite_tables(path):
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        return {name for (name,) in rows} - {"alembic_version"}


@pytest.mark.parametrize(("database", "users_database", "python_version"), COMBINATIONS)
def test_a_combination_migrates_passes_its_tests_and_rolls_back(
    cookies, database, users_database, python_version
):
    chosen = instances(database, users_database)
    for engine in set(chosen.values()) & set(SERVERS):
        SERVERS[engine].admin()  # skips now if the server is absent
    project = bake(
        cookies,
        database=database,
        users_database=users_database,
        python_version=python_version,
    )
    assert_ruff_passes(project)
    dependencies = tomllib.loads((project / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]
    for engine, pin in DRIVERS.items():
        pinned = any(dependency.startswith(pin) for dependency in dependencies)
        assert pinned == (engine in chosen.values()), pin

    with ExitStack() as cleanup:
        development, testing, tables = {}, {}, {}
        for name, engine in chosen.items():
            if engine in SERVERS:
                server = SERVERS[engine]
                make_database = cleanup.enter_context(server.databases())
                in_development, in_tests = make_database(), make_database()
                development.update(server.settings(name, in_development))
                testing.update(server.settings(name, in_tests))
                # The baked tests run only on the databases .env.testing.py
                # names: the environment may repeat them, never change them.
                with (project / ".env.testing.py").open("a") as env_testing:
                    env_testing.write(f"DB_{name.upper()}_DATABASE = {in_tests!r}\n")
                tables[name] = partial(server.tables, in_development)
            else:
                suffix = "_users" if name == "users_database" else ""
                path = project / "storage/database" / f"my_edmunds_app{suffix}.db"
                tables[name] = partial(sqlite_tables, path)
        home = "users_database" if users_database != "none" else "default"
        migrated = {name: SAMPLE_TABLES if name == home else set() for name in chosen}
        empty = {name: set() for name in chosen}

        def current_tables():
            return {name: list_tables() for name, list_tables in tables.items()}

        python = project_python(project)
        version = run(project, python, "--version").stdout
        assert version.startswith(f"Python {python_version}."), version
        manage(project, python, development, "db", "upgrade")
        assert current_tables() == migrated

        completed = run(
            project,
            python,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            env=clean_env(**testing),
        )
        assert_baked_suite_passed(completed.stdout)

        checked = manage(project, python, development, "db", "check")
        assert "No new upgrade operations detected" in checked.stdout + checked.stderr
        # alembic-postgresql-enum's word on every instance that is not
        # PostgreSQL, when another one is: nothing to warn the user of.
        assert "only supports postgresql" not in checked.stderr
        assert "only supports postgresql" not in completed.stderr

        manage(project, python, development, "db", "downgrade", "base")
        assert current_tables() == empty

        manage(project, python, development, "db", "upgrade")
        assert current_tables() == migrated


def function_body(source, name):
    return source.split(f"\ndef {name}():\n", 1)[1].split("\ndef ", 1)[0]


ARCHIVE_INSTANCE = """\
            {"name": "archive", "driver": Sqlite, "file": "/database/archive.db"},
"""


@pytest.mark.xdist_group("databases-sqlite")
def test_a_model_moves_onto_a_new_instance_as_the_readme_says(cookies):
    project = bake(cookies)
    python = project_python(project)
    storage = project / "storage/database"
    add_comment_model(project)
    manage(project, python, {}, "db", "upgrade")
    manage(project, python, {}, "db", "migrate", "-m", "Add comments")
    manage(project, python, {}, "db", "upgrade")

    # 1. the instance, 2. its database brought to the latest revision,
    config = project / "config/app.py"
    source = config.read_text()
    first_instance_end = source.index("            },\n") + len("            },\n")
    config.write_text(
        source[:first_instance_end] + ARCHIVE_INSTANCE + source[first_instance_end:]
    )
    manage(project, python, {}, "db", "upgrade")
    assert sqlite_tables(storage / "archive.db") == set()
    # 3. the bind key, 4. a revision, 5. upgrade.
    model = project / "app/database/models/comment.py"
    model.write_text(
        model.read_text().replace(
            '__tablename__ = "comments"\n',
            '__tablename__ = "comments"\n    __bind_key__ = "archive"\n',
        )
    )
    manage(project, python, {}, "db", "migrate", "-m", "Move comments to archive")
    (revision,) = (project / "migrations/versions").glob("*_move_comments_*.py")
    body = revision.read_text()
    assert "op.drop_table('comments')" in function_body(body, "upgrade_")
    assert "op.create_table('comments'" in function_body(body, "upgrade_archive")
    manage(project, python, {}, "db", "upgrade")

    assert sqlite_tables(storage / "my_edmunds_app.db") == SAMPLE_TABLES
    assert sqlite_tables(storage / "archive.db") == {"comments"}
    manage(project, python, {}, "db", "check")
    manage(project, python, {}, "db", "downgrade")
    assert sqlite_tables(storage / "my_edmunds_app.db") == SAMPLE_TABLES | {"comments"}
    assert sqlite_tables(storage / "archive.db") == set()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def one_error_line(completed):
    assert completed.returncode == 1
    lines = completed.stderr.splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("Error: database instance 'default' ("), lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("engine", "refusal"),
    [
        pytest.param(
            "postgresql",
            "password authentication failed",
            marks=on_servers("postgresql"),
        ),
        pytest.param("mysql", "Access denied", marks=on_servers("mysql")),
    ],
)
def test_a_password_in_env_py_connects_and_failures_are_one_line(
    cookies, engine, refusal
):
    server = SERVERS[engine]
    server.admin()
    project = bake(cookies, database=engine)
    python = project_python(project)

    with server.user(AWKWARD_PASSWORD) as user, server.databases() as make_database:
        server.require_password_checks(user)
        database = make_database(owner=user)
        settings = server.settings(
            "default", database, user=user, password=AWKWARD_PASSWORD, full=True
        )
        # As a user would: edit .env.py, whose later lines win.
        env_py = project / ".env.py"
        env_py.write_text(
            env_py.read_text()
            + "".join(f"{key} = {value!r}\n" for key, value in settings.items())
        )

        manage(project, python, {}, "db", "upgrade")
        assert server.tables(database) == SAMPLE_TABLES
        assert "(head)" in manage(project, python, {}, "db", "current").stdout

        wrong = manage(
            project, python, {"DB_DEFAULT_PASS": "wrong"}, "db", "current", check=False
        )
        line = one_error_line(wrong)
        assert f"as {user!r}): cannot connect:" in line and refusal in line

        away = manage(
            project,
            python,
            {"DB_DEFAULT_PORT": str(free_port())},
            "db",
            "upgrade",
            check=False,
        )
        assert "cannot connect:" in one_error_line(away)
        for completed in (wrong, away):
            assert AWKWARD_PASSWORD not in completed.stdout + completed.stderr


def test_server_settings_go_to_env_py_and_never_to_config(cookies):
    project = bake(cookies, database="postgresql", users_database="mysql")

    env_py = (project / ".env.py").read_text()
    for key, value in [
        ("DB_DEFAULT_HOST", '"127.0.0.1"'),
        ("DB_DEFAULT_PORT", "5432"),
        ("DB_DEFAULT_USER", '"postgres"'),
        ("DB_DEFAULT_PASS", '""'),
        ("DB_USERS_DATABASE_HOST", '"127.0.0.1"'),
        ("DB_USERS_DATABASE_PORT", "3306"),
        ("DB_USERS_DATABASE_USER", '"root"'),
        ("DB_USERS_DATABASE_PASS", '""'),
    ]:
        assert f"\n{key} = {value}\n" in env_py
    config = (project / "config/app.py").read_text()
    assert '"driver": PostgreSql' in config and '"driver": MySql' in config
    assert not re.search(
        r"127\.0\.0\.1|postgres\"|root|\"(user|pass|host)\": *\"", config
    )
    assert "/.env.py" in (project / ".gitignore").read_text().splitlines()
