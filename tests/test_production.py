"""Production: gunicorn serves the API; a weak SECRET_KEY stops the app; what
holds secrets or data is its owner's alone."""

import os
import secrets
import socket
import stat
import time
import urllib.request
from contextlib import ExitStack

import pytest

from conftest import (
    bake,
    call,
    clean_env,
    create_user,
    create_user_line,
    free_port,
    log_in,
    project_python,
    run,
    serving,
)

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

    admin = create_user(project, python, env=env)

    with serving(command, project, env, port) as url:
        # Nothing without a token; with one, the API.
        assert call(f"{url}/api/users", "POST", {"name": "Ada"})[0] == 401
        token = log_in(url)
        status, user = call(f"{url}/api/users", "POST", {"name": "Ada"}, token)
        assert status == 201 and user["name"] == "Ada"
        status, tag = call(f"{url}/api/tags", "POST", {"name": "math"}, token)
        assert status == 201
        link = f"{url}/api/users/{user['id']}/tags/{tag['id']}"
        assert call(link, "PUT", token=token)[0] == 204
        status, page = call(f"{url}/api/users", token=token)
        assert status == 200
        assert page["items"] == [
            {"id": admin, "name": "admin", "tags": []},
            {**user, "tags": [tag]},
        ]
        assert call(f"{url}/api/users/999/tags", token=token) == (
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
    ("SECRET_KEY = 2 ** 256", "SECRET_KEY is 'int', not a string"),
    ("SECRET_KEY = None", "SECRET_KEY is not set"),
    ("SECRET_KEY = b'\\x8f' * 64", "SECRET_KEY is 'bytes', not a string"),
    (
        'SECRET_KEY = "change-me" * 8',
        "SECRET_KEY is the example's 'change-me', repeated",
    ),
    ('SECRET_KEY = "Change-Me." * 5', "SECRET_KEY is the example's 'change-me'"),
    ('SECRET_KEY = "k" * 32', "SECRET_KEY is too predictable: about 0 random bits"),
    ('SECRET_KEY = " " * 32', "SECRET_KEY is too predictable: about 0 random bits"),
    ('SECRET_KEY = "0123456789" * 4', "SECRET_KEY is too predictable"),
    ('SECRET_KEY = "hunter2!" * 8', "SECRET_KEY is too predictable"),
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
        assert completed.stderr.startswith(f"Error: {problem}")
        assert completed.stderr.count("\n") == 1, completed.stderr
        assert completed.stderr.endswith(f"({HOW_TO_MAKE_ONE})\n")


def test_a_key_in_the_environment_wins_over_env_py(project, python, env_py):
    env_py.write_text('APP_ENV = "production"\nSECRET_KEY = "change-me"\n')

    for key, returncode in (("short", 1), (secrets.token_urlsafe(48), 0)):
        env = clean_env(SECRET_KEY=key)
        completed = run(project, python, "manage.py", "routes", check=False, env=env)
        assert completed.returncode == returncode, completed.stderr


HOW_TO_MAKE_ONE = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


def test_the_key_the_bake_wrote_and_many_like_it_pass(project, python):
    # hooks/post_gen_project.py makes the key with secrets.token_urlsafe(48).
    check = (
        "import secrets, sys\n"
        "from edmunds.config.secretkey import weakness\n"
        "sys.path.insert(0, '.')\n"
        "from config_key import KEY\n"
        "keys = [KEY] + [secrets.token_urlsafe(48) for _ in range(20000)]\n"
        "weak = [key for key in keys if weakness(key, 'change-me')]\n"
        "print(len(keys), weak)\n"
    )
    env_py = (project / ".env.py").read_text()
    (key,) = [line for line in env_py.splitlines() if line.startswith("SECRET_KEY")]
    (project / "config_key.py").write_text(key.replace("SECRET_KEY", "KEY") + "\n")
    try:
        completed = run(project, python, "-c", check)
    finally:
        (project / "config_key.py").unlink()
    assert completed.stdout == "20001 []\n"


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("shared", [0o644, 0o664, 0o606])
def test_an_env_py_others_may_read_stops_every_command_in_one_line(
    project, python, env_py, shared
):
    assert mode(env_py) == 0o600  # as the bake wrote it
    gunicorn = str(python.parent / "gunicorn")
    port = str(free_port())
    env_py.chmod(shared)
    try:
        for command in (
            [str(python), "manage.py", "routes"],
            [
                str(python),
                "-m",
                "pytest",
                "-p",
                "no:cacheprovider",
                "tests/test_app.py",
            ],
            [gunicorn, "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        ):
            completed = run(project, command[0], *command[1:], check=False)
            output = completed.stdout + completed.stderr
            assert completed.returncode != 0, output
            assert (
                f"{env_py} can be read or changed by other users (mode {shared:o}) "
                f"and holds this app's secrets: run chmod 600 {env_py}"
            ) in output
            if "pytest" not in command:
                assert completed.stderr.count("\n") == 1, completed.stderr
    finally:
        env_py.chmod(0o600)


def test_sqlite_files_are_the_owners_alone_whatever_the_umask(project, python):
    # A storage folder of its own, under no umask at all.
    storage = project / "storage-private-check"
    env = clean_env(APP_ENV="production", DB_DEFAULT_STORAGE=storage.name)
    port = free_port()
    gunicorn = python.parent / "gunicorn"
    command = (
        f"umask 000 && {python} manage.py db upgrade && "
        f"{create_user_line(python)} && "
        f"exec {gunicorn} --bind 127.0.0.1:{port} --workers 1 wsgi:app"
    )
    try:
        with serving(command, project, env, port) as url:
            token = log_in(url)
            assert call(f"{url}/api/users", "POST", {"name": "Ada"}, token)[0] == 201
            database = storage / "database"
            files = sorted(path.name for path in database.iterdir())
            # While the app runs, SQLite's write-ahead log is there too.
            assert files == [
                "production_line.db",
                "production_line.db-shm",
                "production_line.db-wal",
            ]
            for name in files:
                assert mode(database / name) == 0o600, name
            assert mode(database) == 0o700 and mode(storage) == 0o700
    finally:
        for path in sorted(storage.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        storage.rmdir()


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
        "Error: APP_ENV is 'production', a production environment, but debug "
        "mode was asked for: production never runs with DEBUG or TESTING. An "
        "environment is production unless .env.production.py sets DEBUG or "
        "TESTING on\n"
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
        "Error: APP_ENV is 'production', a production environment, but DEBUG is on: "
    )
    assert completed.stderr.count("\n") == 1


SLOW_CLIENTS = 16


def test_a_handful_of_slow_clients_cannot_take_every_worker(project, python):
    # gunicorn as the Dockerfile starts it (no worker settings on the command
    # line: gunicorn.conf.py's), and clients that send their headers a byte
    # at a time, as slowloris does: /up must still answer at once.
    env = clean_env(APP_ENV="production")
    run(project, python, "manage.py", "db", "upgrade", env=env)
    port = free_port()
    command = f"exec {python.parent / 'gunicorn'} --bind 127.0.0.1:{port} wsgi:app"
    with serving(command, project, env, port) as url, ExitStack() as slow:
        clients = []
        for _ in range(SLOW_CLIENTS):
            client = slow.enter_context(socket.create_connection(("127.0.0.1", port)))
            client.sendall(b"GET /up HTTP/1.1\r\nHost: x\r\n")
            clients.append(client)
        started = time.monotonic()
        answered = []
        for _ in range(10):
            for client in clients:  # one more byte each, never the end
                client.sendall(b"X")
            if not answered:
                try:
                    with urllib.request.urlopen(f"{url}/up", timeout=1) as answer:
                        answered.append((answer.status, time.monotonic() - started))
                except OSError:
                    pass
            time.sleep(0.5)
        assert answered and answered[0][0] == 200, answered
        assert answered[0][1] < 3, answered
