"""A broken configuration stops manage.py with one line and changes nothing."""

import pytest

from conftest import bake, clean_env, project_python, run

pytestmark = pytest.mark.xdist_group("broken-config")


@pytest.fixture(scope="module")
def sqlite_only_python(cookies_session):
    """A venv with the default lock: no PostgreSQL or MySQL driver."""
    return project_python(bake(cookies_session))


def one_error(completed):
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    (line,) = [line for line in completed.stderr.splitlines() if line.strip()]
    return line


def upgrade_refused(project, python):
    """The one line `db upgrade` stops with, having made no database."""
    completed = run(project, python, "manage.py", "db", "upgrade", check=False)
    assert list((project / "storage/database").glob("*.db")) == []
    return one_error(completed)


@pytest.mark.parametrize(
    ("database", "package"), [("postgresql", "psycopg"), ("mysql", "PyMySQL")]
)
def test_a_missing_driver_package_is_named(
    cookies, sqlite_only_python, database, package
):
    project = bake(cookies, database=database)

    error = one_error(
        run(project, sqlite_only_python, "manage.py", "db", "upgrade", check=False)
    )

    assert error.startswith("Error: database instance 'default':")
    assert package in error


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ('"file": "/database/my_edmunds_app.db",', ""),
            "database instance 'default': missing 'file'",
        ),
        (
            ('"driver": Sqlite,', '"driver": "sqlite",'),
            "database instance 'default': unknown 'driver'",
        ),
        (
            ('"instances": [', '"instances": [], "unused": ['),
            "lists no instance",
        ),
        (
            (
                "            UserTags,\n",
                '            UserTags,\n            "Comment",\n',
            ),
            "holds 'Comment', which is neither a model",
        ),
    ],
)
def test_a_configuration_mistake_is_one_line_and_nothing_is_made(
    cookies, sqlite_only_python, edit, message
):
    project = bake(cookies)
    config = project / "config/app.py"
    source = config.read_text()
    assert edit[0] in source
    config.write_text(source.replace(edit[0], edit[1], 1))

    assert message in upgrade_refused(project, sqlite_only_python)


def test_a_wrong_environment_is_one_line(cookies, sqlite_only_python):
    project = bake(cookies)
    completed = run(
        project,
        sqlite_only_python,
        "manage.py",
        "db",
        "current",
        env=clean_env(APP_ENV="prodution"),
        check=False,
    )
    assert one_error(completed) == (
        "Error: APP_ENV is 'prodution' but .env.prodution.py does not exist"
    )


@pytest.mark.parametrize(
    ("slip", "message"),
    [
        ("DB_DEFAULT_FILE = \n", "Error: .env.py line {line}: invalid syntax"),
        (
            "DB_DEFAULT_FILE = databse_file\n",
            "Error: .env.py line {line}: NameError: name 'databse_file' is not defined",
        ),
    ],
)
def test_a_slip_in_env_py_is_one_line_naming_its_line(
    cookies, sqlite_only_python, slip, message
):
    project = bake(cookies)
    env_file = project / ".env.py"
    example = (project / ".env.example.py").read_text().rstrip("\n")
    env_file.write_text(f"{example}\n{slip}")
    env_file.chmod(0o600)
    line = len(env_file.read_text().splitlines())

    assert upgrade_refused(project, sqlite_only_python) == message.format(line=line)
