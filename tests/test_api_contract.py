"""The baked API as a client sees it: served by gunicorn, hostile input, its
own OpenAPI document used against it (schemathesis), its docs page in a real
browser.

One bake and one server per engine, shared by the module's tests.
"""

import base64
import http.client
import json
import secrets
import shutil
import socket
import subprocess
import threading
import time
import zlib
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote, urlsplit

import pytest

from browser import Browser
from conftest import (
    DEV_TOOLS,
    TOKEN_HEADER,
    bake,
    call,
    clean_env,
    create_user,
    free_port,
    log_in,
    project_python,
    run,
    schemathesis_passed,
    serving,
    unavailable,
)
from servers import SERVERS, on_servers

# What schemathesis may spend: bounded in examples and in seconds.
SCHEMATHESIS_EXAMPLES = 25
SCHEMATHESIS_SECONDS = 30


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", marks=on_servers()),
        pytest.param("postgresql", marks=on_servers("postgresql")),
    ],
)
def api(request, cookies_session, tmp_path_factory):
    """The baked app under gunicorn, production: its URL, where it is, its
    log, and the token of an admin (made by the console, as a team makes its
    first user)."""
    engine = request.param
    with ExitStack() as cleanup:
        settings, database = {}, None
        if engine in SERVERS:
            database = cleanup.enter_context(SERVERS[engine].databases())()
            settings = SERVERS[engine].settings("default", database)
        project = bake(
            cookies_session, project_name=f"Contract {engine}", database=engine
        )
        python = project_python(project)
        env = clean_env(APP_ENV="production", **settings)
        run(project, python, "manage.py", "db", "upgrade", env=env)
        admin = create_user(project, python, env=env)
        port = free_port()
        gunicorn = python.parent / "gunicorn"
        log = tmp_path_factory.mktemp("gunicorn") / "log"
        command = (
            f"exec {gunicorn} --bind 127.0.0.1:{port} --workers 2 --threads 4 "
            f"wsgi:app 2>{log}"
        )
        url = cleanup.enter_context(serving(command, project, env, port))
        token = log_in(url)
        yield Served(url, project, python, engine, database, log, env, admin, token)


class Served(NamedTuple):
    url: str
    project: Path
    python: Path
    engine: str
    database: str | None
    log: Path
    env: dict  # the server's environment: a console command's too
    admin: int  # the admin's id
    token: str  # and a token of theirs


def signed(api, headers=None):
    """Headers with the admin's token."""
    return {**(headers or {}), TOKEN_HEADER: api.token}


# The slower checks run on one engine: what they prove is the app's, not the
# database's.
SQLITE_ONLY = [pytest.param("sqlite", marks=on_servers())]
POSTGRESQL_ONLY = [pytest.param("postgresql", marks=on_servers("postgresql"))]


def send(url, method, path, body=b"", headers=None):
    """One raw request: (status, headers, body bytes). Nothing is escaped."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for key, value in (headers or {}).items():
            connection.putheader(key, value)
        if body or method in ("POST", "PATCH", "PUT"):
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


JSON = {"Content-Type": "application/json"}
NESTED = b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"

# (method, path, body, headers): each an attack or a careless client.
HOSTILE = [
    ("POST", "/api/users", NESTED, JSON),
    ("POST", "/api/tags", b"[" * 100_000, JSON),
    ("POST", "/api/users", b'{"name": "\\ud800"}', JSON),
    ("POST", "/api/tags", b'{"name": "\\udfff x"}', JSON),
    ("POST", "/api/users", b'{"name": "Ada\\u0000"}', JSON),
    ("POST", "/api/tags", b'{"name": "\\u0000"}', JSON),
    ("POST", "/api/users", b'{"name": "Ada\\n"}', JSON),
    ("POST", "/api/users", b'{"name": "\xff\xfe"}', JSON),
    ("POST", "/api/users", b'{"name": 1e999}', JSON),
    ("POST", "/api/users", b'{"name": NaN}', JSON),
    ("POST", "/api/users", b'{"name": {"$gt": ""}}', JSON),
    ("POST", "/api/users", b'{"name": "a", "name": ["b"]}', JSON),
    ("POST", "/api/users", b'{"name": "Ada"}', {"Content-Type": "text/plain"}),
    ("POST", "/api/users", b"name=Ada", {"Content-Type": "multipart/form-data"}),
    ("POST", "/api/users", b"\x00" * 64, {"Content-Type": "application/xml"}),
    ("POST", "/api/users", b"x" * (2 * 1024 * 1024), JSON),
    ("PATCH", "/api/users/1", b"null", JSON),
    ("PATCH", "/api/tags/1", b'{"name": ""}', JSON),
    ("GET", "/api/users/99999999999999999999999", b"", {}),
    ("GET", "/api/users/2147483648", b"", {}),
    ("GET", "/api/users/-1", b"", {}),
    ("DELETE", "/api/tags/9223372036854775808", b"", {}),
    ("PUT", "/api/users/1/tags/99999999999999999999", b"", {}),
    ("GET", "/api/users/%F0%9F%98%80", b"", {}),
    ("DELETE", "/api/users/-1", b"", {}),
    ("PATCH", "/api/tags/-1", b'{"name": "x"}', JSON),
    ("PUT", "/api/users/-1/tags/-1", b"", {}),
    ("PATCH", "/api/users/1", NESTED, JSON),
    ("PATCH", "/api/users/1", b'{"name": "\\ud800"}', JSON),
    ("PATCH", "/api/tags/1", b'{"name": "math\\u0000"}', JSON),
    ("PATCH", "/api/users/1", b'{"name": "Ada"}', {"Content-Type": "text/xml"}),
    ("GET", "/api/users/%00", b"", {}),
    ("GET", "/api/users?page=%C2%B2", b"", {}),
    ("GET", "/api/users?page=%D9%A1", b"", {}),
    # Under 4094 bytes the request line reaches the app; past it gunicorn
    # answers 414 itself, before the app, in JSON too (gunicorn.conf.py).
    ("GET", "/api/users?page=" + "9" * 4000, b"", {}),
    ("GET", "/api/users?page=" + "9" * 5000, b"", {}),
    ("GET", "/api/users?per_page=1e3", b"", {}),
    ("GET", "/api/tags?page=-0", b"", {}),
    ("GET", "/api/tags?page=%00", b"", {}),
    ("GET", "/api/tags?page=1&page=2", b"", {}),
    ("GET", "/api/users/1/tags?per_page=%EF%BC%95", b"", {}),
    ("DELETE", "/api/users", b"", {}),
    ("TRACE", "/api/users", b"", {}),
    ("GET", "/nowhere/" + "a" * 4000, b"", {}),
    ("GET", "/api/users?per_page=" + "%F0%9F%98%80" * 300, b"", {}),
]

# config/api.py's, on every answer, gunicorn's own refusals included.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}


def test_hostile_input_never_gets_a_5xx_and_always_json(api):
    url = api.url
    send(url, "POST", "/api/users", b'{"name": "Ada"}', signed(api, JSON))
    send(url, "POST", "/api/tags", b'{"name": "math"}', signed(api, JSON))
    answers = []
    # With a token: the input reaches what reads it.
    for method, path, body, headers in HOSTILE:
        status, response_headers, payload = send(
            url, method, path, body, signed(api, headers)
        )
        answers.append((method, path[:60], status))
        assert status < 500, (method, path[:80], status, payload[:300])
        assert response_headers["Content-Type"] == "application/json", path[:80]
        if status >= 400:
            assert json.loads(payload)["error"]["code"] == status
            # gunicorn's own refusals too (the 414).
            assert response_headers.get("Cache-Control") == "no-store", path[:80]
        for header, value in SECURITY_HEADERS.items():
            assert value in response_headers.get(header, ""), (path[:80], header)
    assert ("GET", "/api/users/99999999999999999999999", 404) in answers
    assert [status for _, _, status in answers].count(413) == 1  # the 2 MiB body
    assert [status for _, _, status in answers].count(414) == 1  # gunicorn's own


def a_user(api, roles=()):
    """A new user of the served app who logs in (no role unless given):
    (their email, their password, their id)."""
    email = f"user-{secrets.token_hex(4)}@example.com"
    password = secrets.token_urlsafe(16)
    made = create_user(api.project, api.python, email, password, roles, api.env)
    return email, password, made


def authorized(api, token, method="GET", path="/api/users", body=None):
    """The status of one request with this token in the header."""
    return call(f"{api.url}{path}", method, body, token)[0]


# Tokens of a user as the login signs them (the app's SECRET_KEY), signed
# ``age`` seconds ago, one per age given after the email.
MINT = """
import sys, time
from unittest import mock
from bootstrap.app import bootstrap

app = bootstrap()
with app.app_context():
    user = app.auth_userdatastore().find_user(email=sys.argv[1])
    for age in map(float, sys.argv[2:]):
        with mock.patch("time.time", return_value=time.time() - age):
            print(user.get_auth_token())
"""


def mint(api, email, *ages, **env):
    arguments = ["-c", MINT, email, *map(str, ages)]
    completed = run(api.project, api.python, *arguments, env={**api.env, **env})
    return completed.stdout.split()


def payload_of(token):
    """The JSON a token signs: itsdangerous's base64 before the first dot, or
    after a leading one, which says the JSON is zlib-compressed (whenever
    that makes it shorter: how the uniquifier's digits fall decides)."""
    compressed = token.startswith(".")
    data = token.removeprefix(".").split(".")[0]
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    return json.loads(zlib.decompress(raw) if compressed else raw)


def with_payload(token, payload):
    """The token's signature on another payload."""
    data = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=")
    return ".".join([data.decode(), *token.split(".")[1:]])


def test_tampered_forged_and_expired_tokens_get_401(api):
    email, password, _ = a_user(api)
    status, body = call(
        f"{api.url}/api/auth/login", "POST", {"email": email, "password": password}
    )
    assert status == 200
    token, lifetime = body["token"], body["expires_in"]
    assert authorized(api, token) == 200
    # The admin's token's payload is no secret: its uid is the admin's.
    admin = payload_of(api.token)
    # The signature's first character: its 6 bits all count (the last
    # base64 character's low bits may not, and a change there can read the same).
    payload_part, signature = token.rsplit(".", 1)
    flipped = ("B" if signature[0] == "A" else "A") + signature[1:]
    wrong_key = mint(api, email, 0, SECRET_KEY=secrets.token_urlsafe(48))[0]
    for case, forged in [
        ("a character of the signature", f"{payload_part}.{flipped}"),
        ("no signature", token.rsplit(".", 1)[0]),
        ("an empty signature", token.rsplit(".", 1)[0] + "."),
        ("the admin's payload, the user's signature", with_payload(token, admin)),
        ("a later expiry", with_payload(token, {**payload_of(token), "exp": 2**40})),
        ("signed with another key", wrong_key),
        ("the admin's, doubled", api.token + api.token),
        ("another scheme", f"Bearer {token}"),
        ("blanks", "   "),
        ("a long one", "A" * 4000),
        ("no JSON inside", "bm90IGpzb24.abc.def"),
    ]:
        assert authorized(api, forged) == 401, case
    # Nor anywhere but its header: a query string and a body end up in logs.
    assert send(api.url, "GET", f"/api/users?auth_token={token}")[0] == 401
    body = json.dumps({"name": "Eve", "auth_token": token}).encode()
    assert send(api.url, "POST", "/api/users", body, JSON)[0] == 401
    bearer = {"Authorization": f"Bearer {token}"}
    assert send(api.url, "GET", "/api/users", b"", bearer)[0] == 401
    # Bytes no header should hold: 401 or gunicorn's 400, never a 5xx.
    status, headers, payload = send(
        api.url, "GET", "/api/users", b"", {TOKEN_HEADER: "caf\xe9\xff"}
    )
    assert status in (400, 401) and json.loads(payload)["error"]["code"] == status
    status, headers, payload = send(
        api.url, "GET", "/api/users", b"", {TOKEN_HEADER: "x" * 9000}
    )
    assert status in (400, 401, 431) and json.loads(payload)["error"]["code"] == status

    # Signed by the app's key, the same token a day old: the setting decides.
    fresh, almost, expired = mint(api, email, 0, lifetime - 60, lifetime + 60)
    assert (authorized(api, fresh), authorized(api, almost)) == (200, 200)
    assert authorized(api, expired) == 401


def test_revoked_tokens_get_401(api):
    email, password, _ = a_user(api)
    credentials = {"email": email, "password": password}

    def login():
        status, body = call(f"{api.url}/api/auth/login", "POST", credentials)
        assert status == 200, body
        return body["token"]

    first, second = login(), login()
    assert authorized(api, first) == authorized(api, second) == 200
    # The logout ends every token of its user, then itself answers 401.
    assert authorized(api, first, "POST", "/api/auth/logout") == 204
    assert authorized(api, first) == authorized(api, second) == 401
    assert authorized(api, first, "POST", "/api/auth/logout") == 401

    # The console's revoke, from another process: every worker sees it.
    third = login()
    assert authorized(api, third) == 200
    run(api.project, api.python, "manage.py", "auth", "revoke", email, env=api.env)
    assert [authorized(api, third) for _ in range(4)] == [401] * 4

    # A new password ends the tokens of the old one, and the old one.
    fourth = login()
    renewed = secrets.token_urlsafe(16)
    command = ["manage.py", "auth", "set-password", email, "--password-stdin"]
    run(api.project, api.python, *command, env=api.env, stdin=renewed + "\n")
    assert authorized(api, fourth) == 401
    assert call(f"{api.url}/api/auth/login", "POST", credentials)[0] == 401
    credentials["password"] = renewed
    assert authorized(api, login()) == 200


def test_nobody_gives_themselves_a_role_or_changes_others(api):
    email, password, me = a_user(api)
    token = log_in(api.url, email, password)
    admin = f"/api/users/{api.admin}"
    tag = call(f"{api.url}/api/tags", "POST", {"name": f"t{me}"}, api.token)[1]["id"]
    before = call(f"{api.url}{admin}", token=api.token)

    # Fields no client sets: a role, the account's state, its login.
    for field, value in [
        ("roles", ["admin"]),
        ("roles", [{"name": "admin"}]),
        ("role", "admin"),
        ("active", False),
        ("active", True),
        ("email", "admin@example.com"),
        ("password", "correct horse battery staple"),
        ("fs_uniquifier", payload_of(api.token)["uid"]),
    ]:
        for method, path in (("PATCH", f"/api/users/{me}"), ("POST", "/api/users")):
            body = {"name": "Mallory", field: value}
            assert authorized(api, token, method, path, body) == 400, (method, field)
    # An id sent back is read-only, ignored as the schema says: no taking
    # the admin's.
    mine = call(f"{api.url}/api/users/{me}", "PATCH", {"id": api.admin}, token)
    assert mine[0] == 200 and mine[1]["id"] == me
    # Deleting anyone, themselves too, or changing another: the admin's.
    for method, path, body in [
        ("DELETE", admin, None),
        ("DELETE", f"/api/users/{me}", None),
        ("PATCH", admin, {"name": "Mallory"}),
        ("PUT", f"{admin}/tags/{tag}", None),
        ("DELETE", f"{admin}/tags/{tag}", None),
        # A tag is every user's who has it.
        ("PATCH", f"/api/tags/{tag}", {"name": "Mallory's"}),
        ("DELETE", f"/api/tags/{tag}", None),
        # The admin's token beside one's own changes nothing: only the
        # header counts.
        ("DELETE", f"{admin}?auth_token={api.token}", None),
        ("PUT", f"{admin}/tags/{tag}?auth_token={api.token}", None),
        ("DELETE", admin, {"auth_token": api.token}),
    ]:
        assert authorized(api, token, method, path, body) == 403, (method, path)
    # What one may do: one's own name and tags.
    assert authorized(api, token, "PATCH", f"/api/users/{me}", {"name": "Mal"}) == 200
    assert authorized(api, token, "PUT", f"/api/users/{me}/tags/{tag}") == 204
    # Still no admin, and the admin as they were.
    assert authorized(api, token, "DELETE", admin) == 403
    assert call(f"{api.url}{admin}", token=api.token) == before
    assert authorized(api, api.token, "DELETE", f"/api/users/{me}") == 204


def test_wrong_passwords_are_throttled_whatever_address_they_claim(api):
    email, password, _ = a_user(api)
    attempts = []
    for number in range(6):
        body = json.dumps({"email": email, "password": f"wrong {number}"}).encode()
        headers = {**JSON, "X-Forwarded-For": f"203.0.113.{number}"}
        attempts.append(send(api.url, "POST", "/api/auth/login", body, headers))
    body = json.dumps({"email": email, "password": password}).encode()
    right = send(api.url, "POST", "/api/auth/login", body, JSON)

    assert [status for status, _, _ in attempts] == [401] * 5 + [429]
    for status, headers, payload in (attempts[-1], right):
        assert status == 429 and int(headers["Retry-After"]) > 0
        assert json.loads(payload)["error"]["code"] == 429


def send_chunked(url, path, body, token):
    """A POST with ``Transfer-Encoding: chunked``, no Content-Length: (status,
    headers, body). Written on a thread of its own, as the server may answer
    before it has read it all, and then close."""
    parts = urlsplit(url)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"{TOKEN_HEADER}: {token}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    pieces = [body[start : start + 65536] for start in range(0, len(body), 65536)]
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces)

    def write(sock):
        try:
            sock.sendall(head.encode() + chunks + b"0\r\n\r\n")
        except OSError:
            pass  # the server closed, having answered

    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        writer = threading.Thread(target=write, args=(sock,))
        writer.start()
        response = http.client.HTTPResponse(sock)
        response.begin()
        payload = response.read()
        with suppress(OSError):  # the server may have closed first
            sock.shutdown(socket.SHUT_RDWR)
        writer.join(timeout=30)
    return response.status, dict(response.getheaders()), payload


def test_a_chunked_body_past_the_limit_answers_413(api):
    # A JSON object, blanks after it: cut at the limit, it would still read.
    body = b'{"name": "Chunked"}'.ljust(10 * 1024 * 1024)

    status, headers, payload = send_chunked(api.url, "/api/users", body, api.token)

    assert status == 413, payload[:300]
    assert json.loads(payload)["error"]["code"] == 413
    assert headers["Cache-Control"] == "no-store"
    # A body within the limit, chunked, is read whole.
    chunked = b'{"name": "chunked"}'
    status, _, payload = send_chunked(api.url, "/api/tags", chunked, api.token)
    assert status == 201, payload[:300]


def test_an_id_in_digits_other_than_ascii_reaches_nothing(api):
    url = api.url
    headers = signed(api, JSON)
    ada = json.loads(send(url, "POST", "/api/users", b'{"name": "Ada"}', headers)[2])
    tag = json.loads(send(url, "POST", "/api/tags", b'{"name": "Ada\'s"}', headers)[2])
    # int() reads each as Ada's id: Arabic-Indic, full-width, mathematical bold.
    for zero in ("\u0660", "\uff10", "\U0001d7ce"):
        digits = {ord(str(digit)): chr(ord(zero) + digit) for digit in range(10)}
        spelled = quote(str(ada["id"]).translate(digits))
        for method, path, body in (
            ("GET", f"/api/users/{spelled}", b""),
            ("PATCH", f"/api/users/{spelled}", b'{"name": "Bob"}'),
            ("PUT", f"/api/users/{spelled}/tags/{tag['id']}", b""),
            ("DELETE", f"/api/users/{spelled}", b""),
        ):
            status, _, payload = send(url, method, path, body, headers)
            assert status == 404, (method, path, status, payload[:300])
    # Not renamed, not tagged, not deleted.
    status, _, payload = send(url, "GET", f"/api/users/{ada['id']}", b"", headers)
    assert (status, json.loads(payload)) == (200, ada)


def test_what_was_refused_left_the_data_as_it_was(api):
    url = api.url
    send(url, "POST", "/api/users", b'{"name": "\\ud800"}', signed(api, JSON))
    status, _, payload = send(url, "GET", "/api/users?per_page=100", b"", signed(api))
    assert status == 200
    names = {user["name"] for user in json.loads(payload)["items"]}
    assert all(name.isprintable() and name.strip() == name for name in names)


def test_tag_names_are_unique_as_people_read_them(api):
    url = api.url
    name = f"Straße {time.monotonic_ns()}"
    headers = signed(api, JSON)
    status, _, payload = send(
        url, "POST", "/api/tags", json.dumps({"name": name}).encode(), headers
    )
    assert status == 201 and json.loads(payload)["name"] == name
    for twin in (name.upper(), name.replace("ß", "ss"), name.replace("S", "Ｓ")):
        body = json.dumps({"name": twin}).encode()
        assert send(url, "POST", "/api/tags", body, headers)[0] == 409, twin


def test_up_and_ready_answer_200_while_all_is_well(api):
    url = api.url
    assert send(url, "GET", "/up")[:1] == (200,)
    status, _, payload = send(url, "GET", "/ready")
    assert (status, json.loads(payload)) == (200, {"status": "ready"})


@pytest.mark.parametrize("api", POSTGRESQL_ONLY, indirect=True)
def test_a_database_that_goes_away_answers_503_and_logs_one_line(api):
    server = SERVERS["postgresql"]
    tags = ("GET", "/api/tags", b"", signed(api))
    assert send(api.url, *tags)[0] == 200  # a pooled connection
    before = api.log.read_text().count("\n")
    # The database goes away: no new connection, every open one cut.
    server.execute(f"ALTER DATABASE {api.database} ALLOW_CONNECTIONS false")
    server.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = {server.quote(api.database)}"
    )
    try:
        # The token's user is read first: its query meets the database gone.
        answers = [send(api.url, *tags) for _ in range(4)]
        ready = send(api.url, "GET", "/ready")
        up = send(api.url, "GET", "/up")
    finally:
        server.execute(f"ALTER DATABASE {api.database} ALLOW_CONNECTIONS true")

    for status, headers, payload in answers:
        assert status == 503, api.log.read_text()[-5000:]
        assert headers["Retry-After"]
        assert json.loads(payload)["error"]["code"] == 503
    # The instance by name, nothing of its address or login.
    assert ready[0] == 503
    assert json.loads(ready[2]) == {"status": "unavailable", "failed": ["default"]}
    assert up[0] == 200  # the process runs: /up asks no database
    logged = api.log.read_text().splitlines()[before:]
    assert "Traceback" not in "\n".join(logged)
    # Production logs JSON: each request's own line, and the failure's.
    lines = [json.loads(line) for line in logged]
    requests = {
        line["request_id"] for line in lines if line["logger"] == "edmunds.request"
    }
    failures = [line for line in lines if line["logger"] != "edmunds.request"]
    assert len(failures) == len(answers) + 1, logged  # one line each, /ready's too
    # Each with the id of the request it failed.
    assert {line["request_id"] for line in failures} <= requests, logged
    # It comes back by itself once the database does.
    assert send(api.url, *tags)[0] == 200


@contextmanager
def served_again(api, storage):
    """The same bake served on a SQLite database of its own, in ``storage``
    (a folder of the project): what is done to it leaves the module's
    server as it was. Yields its URL and its log."""
    env = {**api.env, "DB_DEFAULT_STORAGE": storage}
    run(api.project, api.python, "manage.py", "db", "upgrade", env=env)
    port = free_port()
    log = api.project / f"{storage}.log"
    command = (
        f"exec {api.python.parent / 'gunicorn'} --bind 127.0.0.1:{port} "
        f"--workers 2 --threads 4 wsgi:app 2>{log}"
    )
    try:
        with serving(command, api.project, env, port) as url:
            yield url, env, log
    finally:
        shutil.rmtree(api.project / storage, ignore_errors=True)


# schemathesis's runs, each with the token of an admin of its own: first all
# but a user's deletion, which may be the admin's own and end its token,
# most of the time; then the deletion. The logout, which ends the token
# too, the bake's schemathesis.toml leaves out (test_revoked_tokens_get_401
# and the bake's tests call it).
SCHEMATHESIS_RUNS = [
    (["--exclude-name", "DELETE /api/users/{user_id}"], SCHEMATHESIS_SECONDS),
    (["--include-name", "DELETE /api/users/{user_id}"], 10),
]


@pytest.mark.parametrize("api", SQLITE_ONLY, indirect=True)
def test_schemathesis_finds_nothing_wrong(api):
    # Its own database: schemathesis deletes users, ends tokens and spends
    # the address's wrong passwords.
    with served_again(api, "storage-schemathesis") as (url, env, log):
        # Every run's admin logs in first: the first run's wrong passwords,
        # all from this address, throttle any login after it (429).
        admins, tokens = [], []
        for number in range(len(SCHEMATHESIS_RUNS)):
            email, password = f"fuzz{number}@example.com", secrets.token_urlsafe(16)
            admins.append(
                create_user(api.project, api.python, email, password, env=env)
            )
            tokens.append(log_in(url, email, password))
        for token, (selection, seconds) in zip(tokens, SCHEMATHESIS_RUNS, strict=True):
            # The template's own, at the version the baked workflow runs with uvx.
            schemathesis = DEV_TOOLS / "schemathesis"
            completed = subprocess.run(
                [
                    str(schemathesis),
                    "run",
                    f"{url}/api/openapi.json",
                    "--checks",
                    "all",
                    "--max-examples",
                    str(SCHEMATHESIS_EXAMPLES),
                    "--max-time",
                    str(seconds),
                    "--no-color",
                    "--header",
                    f"{TOKEN_HEADER}: {token}",
                    *selection,
                ],
                cwd=api.project,
                capture_output=True,
                text=True,
                timeout=seconds + 120,
            )
            output = completed.stdout[-6000:] + completed.stderr
            assert completed.returncode == 0, (selection, output)
            assert schemathesis_passed(completed.stdout), (selection, output)
    # Production's request lines: it ran with each admin's token, and the
    # guarded routes answered it (not only 401s); nothing was a 5xx.
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    requests = [line for line in lines if line["logger"] == "edmunds.request"]
    assert not [line for line in requests if line["status"] >= 500]
    open_paths = ("/api/auth/login", "/api/openapi.json", "/api/docs")
    served = {
        line["user_id"]
        for line in requests
        if line["path"].startswith("/api/")
        and not line["path"].startswith(open_paths)
        and line["status"] < 300
    }
    assert set(admins) <= served, (admins, served)


def requested(events):
    """The addresses a page asked for, in the order it asked."""
    return [
        event["params"]["request"]["url"]
        for event in events
        if event.get("method") == "Network.requestWillBeSent"
    ]


def elsewhere(events):
    """Requests that left the app (127.0.0.1); data: URLs leave nothing."""
    return [
        address
        for address in requested(events)
        if urlsplit(address).scheme != "data"
        and urlsplit(address).hostname != "127.0.0.1"
    ]


@pytest.mark.parametrize("api", SQLITE_ONLY, indirect=True)
def test_the_docs_page_renders_from_the_app_alone(api):
    url = api.url
    chromium = shutil.which("chromium")
    if chromium is None:
        unavailable("no chromium: apt-get install chromium (Debian; .ci/run does)")
    spec = json.loads(send(url, "GET", "/api/openapi.json")[2])
    operations = sum(
        method in ("get", "post", "put", "patch", "delete")
        for path in spec["paths"].values()
        for method in path
    )

    browser = Browser(chromium)
    try:
        target = browser.send("Target.createTarget", url="about:blank")["targetId"]
        session = browser.send("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Network", "Page", "Log", "Runtime"):
            browser.send(f"{domain}.enable", session)
        browser.send("Page.navigate", session, url=f"{url}/api/docs")
        rendered, deadline = 0, time.monotonic() + 60
        while rendered < operations and time.monotonic() < deadline:
            rendered = browser.send(
                "Runtime.evaluate",
                session,
                expression="document.querySelectorAll('.opblock').length",
                returnByValue=True,
            )["result"]["value"]
            time.sleep(0.2)
        # What the page asks for after rendering counts too.
        browser.settle(session)
        events = list(browser.events)
        # The check below sees a request that leaves the app: shown on a page
        # that makes one (to TEST-NET-1, which nothing answers).
        probe = "http://192.0.2.1/probe.png"
        browser.send("Page.navigate", session, url=f"data:text/html,<img src={probe}>")
        browser.settle(session)
        probed = browser.events[len(events) :]
    finally:
        browser.close()

    assert rendered == operations, f"{rendered} of {operations} operations rendered"
    assert f"{url}/api/openapi.json" in requested(events)
    assert elsewhere(events) == [], "the docs page reached past the app"
    assert elsewhere(probed) == [probe]
    # A CSP violation or a script error shows here.
    problems = [
        event["params"]
        for event in events
        if event.get("method") in ("Log.entryAdded", "Runtime.exceptionThrown")
    ]
    assert problems == []


# The docs page's operation GET /api/users, and what it shows.
OPERATION = (
    "[...document.querySelectorAll('.opblock-get')].find(block => block"
    ".querySelector('.opblock-summary-path').dataset.path === '/api/users')"
)
SHOWN = f"{OPERATION}.querySelector('.live-responses-table tbody')"


@pytest.mark.parametrize("api", SQLITE_ONLY, indirect=True)
def test_the_docs_pages_authorize_button_opens_the_api(api):
    """Authorize, a token, Close; Try it out, Execute on GET /api/users: a
    200, where the same request without the token got a 401."""
    chromium = shutil.which("chromium")
    if chromium is None:
        unavailable("no chromium: apt-get install chromium (Debian; .ci/run does)")

    browser = Browser(chromium)
    try:
        target = browser.send("Target.createTarget", url="about:blank")["targetId"]
        session = browser.send("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Network", "Page", "Log", "Runtime"):
            browser.send(f"{domain}.enable", session)

        def evaluate(expression):
            answer = browser.send(
                "Runtime.evaluate", session, expression=expression, returnByValue=True
            )
            assert "exceptionDetails" not in answer, answer
            return answer["result"].get("value")

        def wait_for(expression, limit=30):
            """The expression's value once it is truthy (an error is falsy)."""
            guarded = f"(() => {{ try {{ return {expression}; }} catch {{}} }})()"
            deadline = time.monotonic() + limit
            while time.monotonic() < deadline:
                value = evaluate(guarded)
                if value:
                    return value
                time.sleep(0.1)
            pytest.fail(f"the docs page never showed {expression}")

        def click(selector, within="document"):
            wait_for(f"!!{within}.querySelector('{selector}')")
            evaluate(f"{within}.querySelector('{selector}').click()")

        def execute():
            """Execute, then the status and body the page shows."""
            click(".execute", within=OPERATION)
            status = wait_for(
                f"{SHOWN}.querySelector('.response-col_status').textContent.trim()"
            )
            body = evaluate(f"{SHOWN}.querySelector('.microlight').textContent")
            click(".btn-clear", within=OPERATION)
            wait_for(f"!{SHOWN}")
            return status, body

        browser.send("Page.navigate", session, url=f"{api.url}/api/docs")
        click(".opblock-summary-control", within=OPERATION)
        click(".try-out__btn", within=OPERATION)
        without = execute()
        click(".btn.authorize")
        wait_for("!!document.querySelector('.auth-container input')")
        evaluate("document.querySelector('.auth-container input').focus()")
        browser.send("Input.insertText", session, text=api.token)  # typed
        click(".auth-btn-wrapper .authorize")
        click(".auth-btn-wrapper .btn-done")  # Close
        wait_for("!document.querySelector('.modal-ux')")
        padlock = evaluate("document.querySelector('.btn.authorize').className")
        status, body = execute()
        events = list(browser.events)
    finally:
        browser.close()

    assert without[0] == "401" and json.loads(without[1])["error"]["code"] == 401
    assert status == "200" and json.loads(body)["total"] >= 1
    assert "locked" in padlock.split()  # the page shows a token is set
    # The page sent the token in its header, the second time only.
    sent = [
        event["params"]["request"]["headers"].get(TOKEN_HEADER)
        for event in events
        if event.get("method") == "Network.requestWillBeSent"
        and urlsplit(event["params"]["request"]["url"]).path == "/api/users"
    ]
    assert sent == [None, api.token]
    # No script error; the console's one line is the first answer's 401.
    problems = [
        event["params"]
        for event in events
        if event.get("method") in ("Log.entryAdded", "Runtime.exceptionThrown")
    ]
    assert len(problems) == 1 and "401" in problems[0]["entry"]["text"], problems
