"""Production: gunicorn serves the API; a weak SECRET_KEY stops the app."""

import pytest

from conftest import bake, call, clean_env, free_port, project_python, run, serving

pytestmark = pytest.mark.xdist_group("production")


@pytest.fixture(scope="module")
def project(cookies_session):
    return bake(cookies_session, project_name="Production Line")


@pytest.fixture(scope="module")
def python(project):
    return project_python(project)


def test_gunicorn_serves_the_api_over_loopback(project, python):
    env = clean_env(APP_ENV="production")  # the key comes from .env.py
    run(project, python, "manage.py", "db", "upgrade", env=env)
    port = free_port()
    gunicorn = python.parent / "gunicorn"
    command = f"exec {gunicorn} --bind 127.0.0.1:{port} --workers 2 wsgi:app"

    with serving(command, project, env, port) as url:
        status, user = call(f"{url}/api/users", "POST", {"name": "Ada"})
        assert status == 201 and user["name"] == "Ada"
        status, tag = call(f"{url}/api/tags", "POST", {"name": "math"})
        assert status == 201
        status, _ = call(f"{url}/api/users/{user['id']}/tags/{tag['id']}", "PUT")
        assert status == 204
        status, page = call(f"{url}/api/users")
        assert status == 200
        assert page["items"] == [{**user, "tags": [tag]}]
        assert call(f"{url}/api/users/999/tags") == (
            404,
            {"error": {"code": 404, "message": "no user has id 999"}},
        )


@pytest.fixture
def env_py(project):
    """Lets a test rewrite .env.py; the bake's own comes back after it."""
    path = project / ".env.py"
    original = path.read_text()
    yield path
    path.write_text(original)


WEAK_KEYS = [
    ("", "SECRET_KEY is not set"),
    ('SECRET_KEY = "change-me"', "SECRET_KEY is the example's 'change-me'"),
    ('SECRET_KEY = "too-short"', "SECRET_KEY is 9 characters long, under 32"),
]


@pytest.mark.parametrize(("line", "problem"), WEAK_KEYS)
def test_production_refuses_a_weak_key_in_one_line(
    project, python, env_py, line, problem
):
    env_py.write_text(f'APP_ENV = "production"\n{line}\n')
    gunicorn = str(python.parent / "gunicorn")
    port = str(free_port())

    for command in (
        [str(python), "manage.py", "db", "upgrade"],
        [gunicorn, "--bind", f"127.0.0.1:{port}", "wsgi:app"],
    ):
        completed = run(project, command[0], *command[1:], check=False, timeout=60)

        assert completed.returncode == 1, completed.stderr
        assert completed.stderr.startswith(f"Error: {problem}: ")
        assert completed.stderr.count("\n") == 1, completed.stderr


def test_a_key_in_the_environment_wins_over_env_py(project, python, env_py):
    env_py.write_text('APP_ENV = "production"\nSECRET_KEY = "change-me"\n')

    for key, returncode in (("short", 1), ("k" * 48, 0)):
        env = clean_env(SECRET_KEY=key)
        completed = run(project, python, "manage.py", "routes", check=False, env=env)
        assert completed.returncode == returncode, completed.stderr


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--debug", "run"], {}),
        (["run"], {"FLASK_DEBUG": "1"}),
        (["routes"], {"FLASK_DEBUG": "1"}),
    ],
)
def test_production_never_runs_in_debug_mode(project, python, args, env):
    port = str(free_port())
    completed = run(
        project,
        python,
        "manage.py",
        *args,
        *(["--port", port] if "run" in args else []),
        env=clean_env(APP_ENV="production", **env),
        check=False,
        timeout=60,
    )

    assert completed.returncode == 1, completed.stderr
    assert completed.stderr == (
        "Error: APP_ENV is 'production' but debug mode was asked for: production "
        "never runs with DEBUG or TESTING (see .env.production.py)\n"
    )


def test_production_refuses_debug_set_in_its_files(project, python, env_py):
    # .env.production.py is loaded last: a DEBUG there is one line too.
    production = project / ".env.production.py"
    original = production.read_text()
    production.write_text(original + "DEBUG = True\n")
    try:
        completed = run(
            project,
            python,
            "manage.py",
            "routes",
            env=clean_env(APP_ENV="production"),
            check=False,
        )
    finally:
        production.write_text(original)

    assert completed.returncode == 1
    assert completed.stderr.startswith(
        "Error: APP_ENV is 'production' but DEBUG is on: "
    )
    assert completed.stderr.count("\n") == 1
