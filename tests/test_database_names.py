"""No two configured databases can be one: long slugs are refused.

PostgreSQL cuts identifiers to 63 bytes, when a database is made and when
it is connected to; MySQL and MariaDB refuse names over 64 characters;
SQLite opens paths of at most 504 bytes. A bake whose names would not fit
is refused in one line naming the limit; at the limit every name is made
on the real server, as configured, and each is a database of its own.
"""

import os
import re
import sqlite3
import subprocess

import pytest
from sqlalchemy import create_engine, text

from conftest import DEV_TOOLS, TEMPLATE_DIR, clean_env, unavailable
from servers import SERVERS, fresh_name, on_servers


def bake(tmp_path, slug, database, users_database, output=None):
    """`cookiecutter --no-input`, settings of its own; (result, project)."""
    config = tmp_path / "cookiecutter-config.yaml"
    config.write_text(
        f'cookiecutters_dir: "{tmp_path / "cookiecutters"}"\n'
        f'replay_dir: "{tmp_path / "replay"}"\n'
    )
    output = output or tmp_path / "out"
    completed = subprocess.run(
        [
            str(DEV_TOOLS / "cookiecutter"),
            "--no-input",
            "--output-dir",
            str(output),
            str(TEMPLATE_DIR),
            f"project_slug={slug}",
            f"database={database}",
            f"users_database={users_database}",
            "init_git=no",
        ],
        env=clean_env(COOKIECUTTER_CONFIG=str(config)),
        capture_output=True,
        text=True,
    )
    return completed, output / slug


def slug_of_length(length):
    """A slug unique to the test ("test" in it, as the servers' helpers do)."""
    base = fresh_name()
    return base + "_" + "x" * (length - len(base) - 1)


def configured_names(project):
    """Every database name config/app.py and .env.testing.py configure."""
    config = (project / "config/app.py").read_text()
    testing = (project / ".env.testing.py").read_text()
    return re.findall(r'"database": "([^"]+)"', config) + re.findall(
        r'^DB_\w+_DATABASE = "([^"]+)"$', testing, re.M
    )


def configured_files(project):
    config = (project / "config/app.py").read_text()
    testing = (project / ".env.testing.py").read_text()
    files = re.findall(r'"file": "/([^"]+)"', config) + re.findall(
        r'^DB_\w+_FILE = "/([^"]+)"$', testing, re.M
    )
    return [project / "storage" / name for name in files]


def refusal(completed):
    assert completed.returncode == 1, completed.stderr
    assert "Traceback" not in completed.stdout + completed.stderr
    (line,) = completed.stderr.splitlines()
    return line


# The longest slug for each choice of engines: 63 bytes on PostgreSQL and 64
# characters on MySQL/MariaDB, less the longest suffix on that engine.
LIMITS = [
    ("postgresql", "none", 63 - len("_testing")),
    ("postgresql", "postgresql", 63 - len("_users_testing")),
    ("mysql", "none", 64 - len("_testing")),
    ("mysql", "mysql", 64 - len("_users_testing")),
    ("postgresql", "mysql", 64 - len("_users_testing")),
    ("mysql", "postgresql", 63 - len("_users_testing")),
]


def stored_names(server, prefix):
    """The names the server holds that start with ``prefix``."""
    if server.engine == "postgresql":
        query = "SELECT datname FROM pg_database WHERE datname LIKE :prefix"
    else:
        query = (
            "SELECT schema_name FROM information_schema.schemata "
            "WHERE schema_name LIKE :prefix"
        )
    with server.admin().connect() as connection:
        rows = connection.execute(text(query), {"prefix": prefix + "%"})
        return {row[0] for row in rows}


def connected_name(server, name):
    """The database a connection to ``name`` reaches, as the server says."""
    engine = create_engine(server.url.set(database=name))
    try:
        with engine.connect() as connection:
            query = {"postgresql": "current_database()", "mysql": "DATABASE()"}
            return connection.execute(text(f"SELECT {query[server.engine]}")).scalar()
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("database", "users_database", "longest"),
    [pytest.param(*limit, marks=on_servers(limit[0], limit[1])) for limit in LIMITS],
)
def test_at_the_limit_every_name_is_a_database_of_its_own(
    tmp_path, database, users_database, longest
):
    slug = slug_of_length(longest)
    completed, project = bake(tmp_path, slug, database, users_database)
    assert completed.returncode == 0, completed.stderr
    names = configured_names(project)
    engines = [database, database] + (
        [users_database, users_database] if users_database != "none" else []
    )
    # config/app.py's names first, then .env.testing.py's twins.
    by_engine = {}
    for name in names:
        engine = engines[0] if not name.startswith(f"{slug}_users") else engines[-1]
        by_engine.setdefault(engine, []).append(name)
    assert len(names) == len(set(names)) == len(engines)

    for engine, server_names in by_engine.items():
        server = SERVERS[engine]
        server.admin()  # skips, saying why, without the server
        try:
            for name in server_names:
                server.create_database(name)
            # Made as configured, none cut, none the same as another...
            assert stored_names(server, slug) == set(server_names)
            # ...and each name reaches its own database.
            for name in server_names:
                assert connected_name(server, name) == name
        finally:
            for name in server_names:
                server.drop_database(name)


@pytest.mark.parametrize(("database", "users_database", "longest"), LIMITS)
def test_one_character_more_is_refused_naming_the_limit(
    tmp_path, database, users_database, longest
):
    slug = slug_of_length(longest + 1)
    completed, project = bake(tmp_path, slug, database, users_database)

    line = refusal(completed)
    assert line.startswith(
        f"ERROR: project_slug is {longest + 1} characters long; at most {longest} "
        "with this choice of engines: "
    )
    assert "PostgreSQL allows database names of 63 bytes" in line or (
        "MySQL/MariaDB allows database names of 64 characters" in line
    )
    assert not project.exists()


@pytest.mark.postgresql
def test_postgresql_would_make_two_names_one_database():
    # Why the limit: a 63-byte slug's database and its _testing twin are one
    # database on PostgreSQL, which the bake refuses.
    server = SERVERS["postgresql"]
    server.admin()
    slug = slug_of_length(63)
    try:
        server.create_database(slug)
        assert connected_name(server, f"{slug}_testing") == slug
        with pytest.raises(Exception, match="already exists"):
            server.create_database(f"{slug}_testing")
        with server.admin().connect() as connection:
            limit = connection.execute(text("SHOW max_identifier_length")).scalar()
        assert int(limit) == 63
    finally:
        server.drop_database(slug)


@pytest.mark.mysql
def test_mysql_refuses_a_name_of_65_characters():
    server = SERVERS["mysql"]
    server.admin()
    longest, too_long = slug_of_length(64), slug_of_length(65)
    try:
        server.create_database(longest)
        with pytest.raises(Exception, match="(?i)too long|incorrect database name"):
            server.create_database(too_long)
    finally:
        server.drop_database(longest)  # the other one was never made


def test_sqlite_files_at_the_path_limit_open_and_one_byte_more_is_refused(
    tmp_path,
):
    # The longest path: <output>/<slug>/storage/database/<slug>_users-testing.db
    fixed = len("/storage/database/") + len("_users-testing.db")
    output = tmp_path / "o"
    if (504 - len(str(output)) - 1 - fixed) % 2:
        output = tmp_path / "oo"  # so that the longest path is exactly 504
    longest = (504 - len(str(output)) - 1 - fixed) // 2
    if longest < 30:
        unavailable(f"the temporary folder {tmp_path} is too deep for this test")

    completed, project = bake(
        tmp_path, slug_of_length(longest), "sqlite", "sqlite", output
    )
    assert completed.returncode == 0, completed.stderr
    files = configured_files(project)
    assert max(len(os.fsencode(path)) for path in files) == 504
    for path in files:  # SQLite opens each, with its journal and WAL
        connection = sqlite3.connect(path)
        connection.execute("CREATE TABLE t (x)")
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("INSERT INTO t VALUES (1)")
        connection.commit()
        connection.close()
    assert len(set(files)) == 4

    completed, project = bake(
        tmp_path, slug_of_length(longest + 1), "sqlite", "sqlite", output
    )
    line = refusal(completed)
    assert line.endswith(
        "would be 506 bytes long; SQLite opens at most 504: choose a shorter "
        "project_slug or bake into a shorter folder"
    )
    assert not project.exists()


def test_sqlite_itself_opens_no_longer_path(tmp_path):
    # 504 is SQLite's: its unix VFS takes paths of 512 bytes, "-journal"
    # included.
    folder = tmp_path / ("d" * 200) / ("e" * 200)
    folder.mkdir(parents=True)
    for length, opens in ((504, True), (505, False)):
        path = folder / ("f" * (length - len(str(folder)) - 1))
        assert len(os.fsencode(path)) == length
        try:
            sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
            opened = True
        except sqlite3.OperationalError:
            opened = False
        assert opened is opens, length
