"""The baked tests run on the databases .env.testing.py names, and on no other.

A project whose name holds "test" (every one of its databases' names does)
with its real database in the environment, or named by its testing file
under a name the server cuts to the real one, keeps every row: the run
stops before the first test, in one line. So does a server database not
created yet, with the command that creates it.
"""

import re
import sqlite3
import subprocess
from contextlib import ExitStack

import pytest
from sqlalchemy import create_engine, text

from conftest import bake, clean_env, project_python, run
from servers import SERVERS, fresh_name, on_servers

ROWS = {"Ada", "Grace", "Edsger"}
# What pytest prints when a conftest stops the run before the first test.
STOPPED = re.compile(r"^! _pytest\.outcomes\.Exit: Error: (.*) !$")


def param(engine):
    return pytest.param(engine, marks=on_servers(engine))


ENGINES = [param("sqlite"), param("postgresql"), param("mysql")]
SERVER_ENGINES = [param("postgresql"), param("mysql")]


@pytest.fixture(scope="module")
def baked(cookies_session):
    """One bake per engine, each named so that "test" is in all its names."""
    projects = {}

    def baked(engine):
        if engine not in projects:
            project = bake(
                cookies_session, project_name=f"Latest {engine}", database=engine
            )
            slug = f"latest_{engine}"
            assert project.name == slug and "test" in slug
            projects[engine] = project, project_python(project)
        return projects[engine]

    return baked


class Database:
    """A real database of the project, with rows in it, and a testing twin."""

    def __init__(self, engine, project, python, cleanup):
        self.engine, self.project, self.python = engine, project, python
        if engine == "sqlite":
            # The bake's own: storage/database/latest_sqlite.db.
            self.name = f"{project.name}.db"
            self.setting = ("DB_DEFAULT_FILE", f"/database/{self.name}")
            self.testing = ("DB_DEFAULT_FILE", f"/database/{project.name}-testing.db")
        else:
            server = SERVERS[engine]
            make = cleanup.enter_context(server.databases())
            self.name, testing = make(), make()
            self.setting = ("DB_DEFAULT_DATABASE", self.name)
            self.testing = ("DB_DEFAULT_DATABASE", testing)
            self.url = server.url.set(database=self.name)
        self.originals = {}
        for name in (".env.py", ".env.testing.py"):
            path = project / name
            self.originals[name] = path.read_text()
            cleanup.callback(path.write_text, self.originals[name])
        self.name_for_tests(*self.testing)
        self.fill()

    def fill(self):
        """Migrate the real database and give it ROWS, and only them."""
        self.manage("db", "upgrade")
        self.execute("DELETE FROM users")
        self.execute(
            "INSERT INTO users (name) VALUES " + ", ".join(f"('{n}')" for n in ROWS)
        )

    def manage(self, *args):
        key, value = self.setting
        env = clean_env(**self.server_settings(), **{key: value})
        return run(self.project, self.python, "manage.py", *args, env=env)

    def server_settings(self):
        if self.engine == "sqlite":
            return {}
        settings = SERVERS[self.engine].settings("default", "unused")
        settings.pop("DB_DEFAULT_DATABASE")
        return settings

    def name_for_tests(self, key, value):
        self.append(".env.testing.py", key, value)

    def name_for_development(self):
        """Name the real database in .env.py, as its developer would."""
        self.append(".env.py", *self.setting)

    def append(self, name, key, value):
        (self.project / name).write_text(f"{self.originals[name]}\n{key} = {value!r}\n")

    def execute(self, statement):
        if self.engine == "sqlite":
            path = self.project / "storage/database" / self.name
            with sqlite3.connect(path) as connection:
                return connection.execute(statement).fetchall()
        engine = create_engine(self.url)
        try:
            with engine.begin() as connection:
                result = connection.execute(text(statement))
                return result.fetchall() if result.returns_rows else None
        finally:
            engine.dispose()

    def rows(self):
        return sorted(name for (name,) in self.execute("SELECT name FROM users"))

    def pytest(self, *paths, **env):
        return run(
            self.project,
            self.python,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            *paths,
            check=False,
            env=clean_env(**self.server_settings(), **env),
        )


@pytest.fixture
def database(baked, engine):
    if engine in SERVERS:
        SERVERS[engine].admin()  # skips now if the server is absent
    project, python = baked(engine)
    with ExitStack() as cleanup:
        yield Database(engine, project, python, cleanup)


def stopped_before_the_first_test(completed):
    """The one line the run stopped with; no test ran."""
    output = completed.stdout + completed.stderr
    assert completed.returncode == 3, output
    lines = [line for line in output.splitlines() if line.strip()]
    # The reason, in one line, and pytest's own count of what ran: nothing.
    assert re.fullmatch(r"no tests ran in [\d.]+s", lines[0]), output
    assert len(lines) == 2, output
    match = STOPPED.match(lines[1])
    assert match, lines[1]
    return match.group(1)


# The baked tests that write to every table of the default database.
WRITING_TESTS = ("tests/test_models.py", "tests/test_api_users.py")


@pytest.mark.parametrize("engine", ENGINES)
def test_the_real_database_in_the_environment_keeps_every_row(database):
    key, value = database.setting
    assert "test" in value  # a name that says "test" proves nothing

    message = stopped_before_the_first_test(database.pytest(**{key: value}))

    assert message.startswith("database instance 'default' (")
    assert f"the environment ({key}) points the tests away" in message
    assert database.rows() == sorted(ROWS)
    # Pointed at its testing database, the tests that write rows pass and
    # the real one still keeps every row.
    completed = database.pytest(*WRITING_TESTS, **dict([database.testing]))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert database.rows() == sorted(ROWS)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_testing_file_naming_the_real_database_keeps_every_row(database):
    key, value = database.setting
    # As a careless edit would, with the real database spelled another way.
    if database.engine == "sqlite":
        value = value.replace("/database/", "/database/../database/")
    else:
        value = value.upper() if database.engine == "mysql" else value
    database.name_for_tests(key, value)
    database.name_for_development()

    message = stopped_before_the_first_test(database.pytest())

    assert "it is also the configuration of config/ and .env.py" in message
    assert database.rows() == sorted(ROWS)


LONG = {"postgresql": 63, "mysql": 64}


@pytest.mark.parametrize("engine", SERVER_ENGINES)
def test_a_testing_name_the_server_cuts_to_the_real_one_keeps_every_row(
    database, engine
):
    # The real database under the longest name the server keeps; its test
    # twin's name is longer, and the server would cut it back to the real one.
    server = SERVERS[engine]
    real = fresh_name()
    real += "_" + "x" * (LONG[engine] - len(real) - 1)
    server.create_database(real)
    try:
        database.name, database.url = real, server.url.set(database=real)
        database.setting = ("DB_DEFAULT_DATABASE", real)
        database.fill()
        database.name_for_development()
        database.name_for_tests("DB_DEFAULT_DATABASE", real + "_testing")

        message = stopped_before_the_first_test(database.pytest())

        assert "it is also the configuration of config/ and .env.py" in message
        assert database.rows() == sorted(ROWS)
    finally:
        server.drop_database(real)


@pytest.mark.parametrize("engine", SERVER_ENGINES)
def test_a_test_database_not_created_yet_is_one_line_with_the_command(database, engine):
    server = SERVERS[engine]
    missing = fresh_name()
    database.name_for_tests("DB_DEFAULT_DATABASE", missing)
    try:
        message = stopped_before_the_first_test(database.pytest())
        assert f"database instance 'default' ({server.label.split('/')[0]}" in message
        command = message.rsplit("; create it with: ", 1)[1]
        assert missing in command
        # The console says the same, in one line, for any command that
        # needs the database.
        upgrade = run(
            database.project,
            database.python,
            "manage.py",
            "db",
            "upgrade",
            check=False,
            env=clean_env(**database.server_settings(), DB_DEFAULT_DATABASE=missing),
        )
        assert upgrade.returncode == 1
        assert upgrade.stderr.endswith(f"; create it with: {command}\n")
        assert upgrade.stderr.count("\n") == 1, upgrade.stderr

        # The command as printed makes the database (it would ask for a
        # password: a server that wants one gets it made for it); then the
        # tests pass.
        if server.url.password:
            server.create_database(missing)
        else:
            completed = subprocess.run(
                ["bash", "-c", command], capture_output=True, text=True, timeout=60
            )
            assert completed.returncode == 0, completed.stderr
        completed = database.pytest()
        assert completed.returncode == 0, completed.stdout + completed.stderr
        assert re.search(r"\b\d+ passed\b", completed.stdout)
    finally:
        server.drop_database(missing)
