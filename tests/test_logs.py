"""Production's logs under gunicorn, as the bake serves them: one JSON line
per request with the request's id, which the answer carries too; errors and
gunicorn's own lines in JSON as well (docs/observability.md of the bake)."""

import json
import re
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager

import pytest

from conftest import (
    TOKEN_HEADER,
    bake,
    clean_env,
    create_user,
    free_port,
    log_in,
    project_python,
    run,
)

NEW_ID = re.compile(r"[0-9a-f]{32}")
# A route that fails, for an unhandled exception: the bake has none.
BOOM = """\
from wsgi import app


@app.route("/boom")
def boom():
    raise RuntimeError("boom")
"""


@pytest.fixture(scope="module")
def project(cookies_session):
    project = bake(cookies_session, project_name="Log Lines")
    (project / "boom_wsgi.py").write_text(BOOM)
    return project


@pytest.fixture(scope="module")
def python(project):
    return project_python(project)


def ask(port, method, path, headers=(), body=b""):
    """One HTTP/1.1 request as these bytes, whatever they hold:
    (status, headers by lower-case name, body)."""
    head = [f"{method} {path} HTTP/1.1".encode(), b"Host: 127.0.0.1"]
    head += [b"Connection: close", b"Content-Type: application/json"]
    head += [b"Content-Length: " + str(len(body)).encode()]
    head += [name.encode() + b": " + value for name, value in headers]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(b"\r\n".join(head) + b"\r\n\r\n" + body)
        answer = b"".join(iter(lambda: connection.recv(65536), b""))
    top, _, content = answer.partition(b"\r\n\r\n")
    status, *lines = top.decode("latin-1").split("\r\n")
    fields = dict(line.split(": ", 1) for line in lines)
    return int(status.split()[1]), {k.lower(): v for k, v in fields.items()}, content


@contextmanager
def gunicorn(project, python, *options):
    """Serve ``boom_wsgi:app`` in production until the block ends; yield
    (port, logs), logs filled with gunicorn's stderr and stdout once it has
    stopped."""
    port = free_port()
    stderr, stdout = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")
    command = [str(python.parent / "gunicorn"), "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*command, "--workers", "1", *options, "boom_wsgi:app"],
        cwd=project,
        env=clean_env(APP_ENV="production"),  # the key comes from .env.py
        stdout=stdout,
        stderr=stderr,
    )
    logs = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                ask(port, "GET", "/up")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    stderr.seek(0)
                    pytest.fail(f"gunicorn did not answer:\n{stderr.read()}")
                time.sleep(0.2)
        yield port, logs
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        for name, output in (("stderr", stderr), ("stdout", stdout)):
            output.seek(0)
            logs[name] = output.read()
            output.close()


def json_lines(text):
    """Every line, each of which must be one JSON object."""
    lines = []
    for line in text.splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            pytest.fail(f"a log line that is no JSON: {line!r}\n{text}")
    return lines


def test_each_request_is_one_json_line_and_every_line_is_json(project, python):
    env = clean_env(APP_ENV="production")
    run(project, python, "manage.py", "db", "upgrade", env=env)
    admin = create_user(project, python, env=env)
    with gunicorn(project, python, "--access-logfile", "-") as (port, logs):
        token = log_in(f"http://127.0.0.1:{port}").encode()
        # The token's user is the line's user_id.
        signed = [(TOKEN_HEADER, token)]
        listed = ask(
            port, "GET", "/api/users", [("X-Request-ID", b"given-id-1"), *signed]
        )
        created = ask(port, "POST", "/api/users", signed, b'{"name": "Ada"}')
        anonymous = ask(port, "GET", "/api/users", [("X-Request-ID", b"anon-1")])
        tampered = [
            (TOKEN_HEADER, token[:-2] + (b"AA" if token[-2:] != b"AA" else b"BB"))
        ]
        forged = ask(
            port, "GET", "/api/users", [("X-Request-ID", b"forged-1"), *tampered]
        )
        boom = ask(port, "GET", "/boom", [("X-Request-ID", b"boom-1")])
        too_long = ask(port, "GET", "/up", [("X-Request-ID", b"x" * 129)])
        not_ascii = ask(port, "GET", "/up", [("X-Request-ID", b"caf\xe9")])
        # Control characters gunicorn refuses itself, as the line too long.
        control = ask(port, "GET", "/up", [("X-Request-ID", b"a\x01b")])
        line_too_long = ask(port, "GET", "/" + "a" * 5000)

    assert listed[0] == 200 and listed[1]["x-request-id"] == "given-id-1"
    assert created[0] == 201
    assert anonymous[0] == forged[0] == 401
    assert boom[0] == 500 and boom[1]["x-request-id"] == "boom-1"
    assert json.loads(boom[2])["error"]["code"] == 500
    for answer in (created, too_long, not_ascii):
        assert NEW_ID.fullmatch(answer[1]["x-request-id"]), answer
    for answer, status in ((control, 400), (line_too_long, 414)):
        assert answer[0] == status
        assert NEW_ID.fullmatch(answer[1]["x-request-id"])
        assert json.loads(answer[2])["error"]["code"] == status

    lines = json_lines(logs["stderr"])
    requests = [line for line in lines if line["logger"] == "edmunds.request"]
    expected = {
        "given-id-1": ("GET", "/api/users", 200, admin),
        created[1]["x-request-id"]: ("POST", "/api/users", 201, admin),
        "anon-1": ("GET", "/api/users", 401, None),
        "forged-1": ("GET", "/api/users", 401, None),
        "boom-1": ("GET", "/boom", 500, None),
        too_long[1]["x-request-id"]: ("GET", "/up", 200, None),
        not_ascii[1]["x-request-id"]: ("GET", "/up", 200, None),
    }
    for request_id, (method, path, status, user) in expected.items():
        (line,) = [line for line in requests if line["request_id"] == request_id]
        assert (line["method"], line["path"], line["status"]) == (method, path, status)
        assert line["level"] == "INFO" and line["user_id"] == user, line
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
        assert line["message"] == f"{method} {path} {status}"
    # What gunicorn refused, the app never saw.
    seen = [line["request_id"] for line in requests]
    assert control[1]["x-request-id"] not in seen
    assert line_too_long[1]["x-request-id"] not in seen

    (error,) = [line for line in lines if line["level"] == "ERROR"]
    assert error["logger"] == "app" and error["request_id"] == "boom-1"
    assert error["exc_info"].endswith("RuntimeError: boom")

    gunicorns = [
        line["message"] for line in lines if line["logger"] == "gunicorn.error"
    ]
    assert gunicorns[0].startswith("Starting gunicorn")
    assert any(message.startswith("Booting worker with pid") for message in gunicorns)
    refused = [
        m for m in gunicorns if m.startswith("Invalid request from ip=127.0.0.1")
    ]
    assert len(refused) == 2
    assert gunicorns[-1] == "Shutting down: Master"

    # gunicorn's access log, asked for here, is the same line again.
    accesses = json_lines(logs["stdout"])
    assert {line["logger"] for line in accesses} == {"gunicorn.access"}
    for request_id, (method, path, status, user) in expected.items():
        (line,) = [line for line in accesses if line["request_id"] == request_id]
        assert (line["method"], line["path"], line["status"]) == (method, path, status)
        assert line["user_id"] == user, line
