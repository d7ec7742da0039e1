"""A model changed ahead of its database: the running app, and the tests, say
so with the command that fixes it, on every engine: each driver says "no
such column" its own way (MySQL's PyMySQL with a SQLSTATE that is not
PostgreSQL's).

One bake per engine: a column added to User, then `db migrate` without `db
upgrade`, then `db upgrade`. /ready keeps a load balancer off the database
that is behind; a development request names `db migrate` and `db upgrade`
instead of a database gone away; the baked tests stop in one line before
the first of them.
"""

import json
import re
from contextlib import ExitStack

import pytest

from conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    bake,
    clean_env,
    create_user,
    project_python,
    run,
)
from servers import SERVERS, on_servers

ENGINES = [
    pytest.param("sqlite", marks=on_servers()),
    *(pytest.param(engine, marks=on_servers(engine)) for engine in SERVERS),
]

# Requests in the development environment (the bake's .env.py), DEBUG on,
# with the token of argv[1] (LOG_IN's).
REQUESTS = """
import json, sys
from bootstrap.app import bootstrap

client = bootstrap().test_client()
answers = {}
for path in sys.argv[2:]:
    response = client.get(path, headers={"Authentication-Token": sys.argv[1]})
    answers[path] = [response.status_code, response.get_json()]
print(json.dumps(answers))
"""
# A token, printed, from the login of the user of argv[1] and argv[2].
LOG_IN = """
import sys
from bootstrap.app import bootstrap

body = {"email": sys.argv[1], "password": sys.argv[2]}
response = bootstrap().test_client().post("/api/auth/login", json=body)
assert response.status_code == 200, response.get_json()
print(response.get_json()["token"])
"""

NAME = "    name = db.Column(db.String(50), nullable=False)\n"
AGE = "    age = db.Column(db.Integer)\n"
# What pytest prints when a conftest stops the run before the first test.
STOPPED = re.compile(r"! _pytest\.outcomes\.Exit: Error: (.*) !")


@pytest.fixture(scope="module", params=ENGINES)
def project(request, cookies_session):
    """A bake on the engine, with databases of its own on a server: the
    development one in the environment, the tests' in .env.testing.py."""
    engine = request.param
    with ExitStack() as cleanup:
        env = {}
        if engine in SERVERS:
            server = SERVERS[engine]
            server.admin()  # skips now if the server is absent
            make = cleanup.enter_context(server.databases())
            development, testing = make(), make()
            env = server.settings("default", development)
        path = bake(cookies_session, project_name="Schema Behind", database=engine)
        if engine in SERVERS:
            with (path / ".env.testing.py").open("a") as env_testing:
                env_testing.write(f"DB_DEFAULT_DATABASE = {testing!r}\n")
        yield path, project_python(path), env


def test_a_schema_behind_the_models_is_said_with_its_fix(project):
    path, python, env = project

    def manage(*args):
        return run(path, python, "manage.py", *args, env=clean_env(**env))

    def get(*paths):
        completed = run(
            path, python, "-c", REQUESTS, token, *paths, env=clean_env(**env)
        )
        return json.loads(completed.stdout)

    def baked_tests(*paths):
        # .env.testing.py names the tests' databases: no setting from here.
        return run(
            path,
            python,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            *paths,
            check=False,
            env=clean_env(**{k: v for k, v in env.items() if "DATABASE" not in k}),
        )

    manage("db", "upgrade")
    # A token from before the change: its user's row is read on each request.
    create_user(path, python, env=clean_env(**env))
    login = (LOG_IN, ADMIN_EMAIL, ADMIN_PASSWORD)
    token = run(path, python, "-c", *login, env=clean_env(**env)).stdout.strip()
    user = path / "app/database/models/user.py"
    source = user.read_text()
    assert NAME in source
    user.write_text(source.replace(NAME, NAME + AGE))

    # No revision yet: the tests stop before the first, in one line.
    completed = baked_tests()
    output = completed.stdout + completed.stderr
    assert completed.returncode == 3, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 2 and re.fullmatch(r"no tests ran in [\d.]+s", lines[0])
    assert STOPPED.fullmatch(lines[1]).group(1) == (
        "models and migrations differ: add_column users.age on 'default'; run "
        'python manage.py db migrate -m "..." to write the revision'
    )
    status, body = get("/api/users")["/api/users"]
    assert status == 500
    assert "db migrate" in body["error"]["message"]

    manage("db", "migrate", "-m", "User age")
    answers = get("/ready", "/api/users", "/up")
    status, body = answers["/ready"]
    assert status == 503
    assert body["behind"] == ["default"]
    assert body["error"] == {
        "code": 503,
        "message": "database instance 'default' is behind the migrations of "
        "this code: run python manage.py db upgrade",
    }
    status, body = answers["/api/users"]
    message = body["error"]["message"]
    assert status == 500, body
    assert message.startswith("the database schema is behind the models (")
    assert "age" in message and "unavailable" not in message
    assert "db migrate -m" in message and message.endswith("db upgrade")
    assert answers["/up"][0] == 200
    # With the revision, the tests' schema is the models': they run.
    completed = baked_tests("tests/test_migrations.py")
    assert completed.returncode == 0, completed.stdout + completed.stderr

    manage("db", "upgrade")
    answers = get("/ready", "/api/users")
    assert answers["/ready"] == [200, {"status": "ready"}]
    assert answers["/api/users"][0] == 200
