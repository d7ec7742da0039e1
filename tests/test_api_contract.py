"""The baked API as a client sees it: served by gunicorn, hostile input, its
own OpenAPI document used against it (schemathesis), its docs page in a real
browser.

One bake and one server per engine, shared by the module's tests.
"""

import http.client
import json
import shutil
import socket
import subprocess
import threading
import time
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote, urlsplit

import pytest

from browser import Browser
from conftest import (
    DEV_TOOLS,
    bake,
    clean_env,
    free_port,
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
    """The baked app under gunicorn, production: its URL, where it is, its log."""
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
        port = free_port()
        gunicorn = python.parent / "gunicorn"
        log = tmp_path_factory.mktemp("gunicorn") / "log"
        command = (
            f"exec {gunicorn} --bind 127.0.0.1:{port} --workers 2 --threads 4 "
            f"wsgi:app 2>{log}"
        )
        url = cleanup.enter_context(serving(command, project, env, port))
        yield Served(url, project, python, engine, database, log)


class Served(NamedTuple):
    url: str
    project: Path
    python: Path
    engine: str
    database: str | None
    log: Path


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
    send(url, "POST", "/api/users", b'{"name": "Ada"}', JSON)
    send(url, "POST", "/api/tags", b'{"name": "math"}', JSON)
    answers = []
    for method, path, body, headers in HOSTILE:
        status, response_headers, payload = send(url, method, path, body, headers)
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


def send_chunked(url, path, body):
    """A POST with ``Transfer-Encoding: chunked``, no Content-Length: (status,
    headers, body). Written on a thread of its own, as the server may answer
    before it has read it all, and then close."""
    parts = urlsplit(url)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
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

    status, headers, payload = send_chunked(api.url, "/api/users", body)

    assert status == 413, payload[:300]
    assert json.loads(payload)["error"]["code"] == 413
    assert headers["Cache-Control"] == "no-store"
    # A body within the limit, chunked, is read whole.
    status, _, payload = send_chunked(api.url, "/api/tags", b'{"name": "chunked"}')
    assert status == 201, payload[:300]


def test_an_id_in_digits_other_than_ascii_reaches_nothing(api):
    url = api.url
    ada = json.loads(send(url, "POST", "/api/users", b'{"name": "Ada"}', JSON)[2])
    tag = json.loads(send(url, "POST", "/api/tags", b'{"name": "Ada\'s"}', JSON)[2])
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
            status, _, payload = send(url, method, path, body, JSON)
            assert status == 404, (method, path, status, payload[:300])
    # Not renamed, not tagged, not deleted.
    status, _, payload = send(url, "GET", f"/api/users/{ada['id']}")
    assert (status, json.loads(payload)) == (200, ada)


def test_what_was_refused_left_the_data_as_it_was(api):
    url = api.url
    send(url, "POST", "/api/users", b'{"name": "\\ud800"}', JSON)
    status, _, payload = send(url, "GET", "/api/users?per_page=100")
    assert status == 200
    names = {user["name"] for user in json.loads(payload)["items"]}
    assert all(name.isprintable() and name.strip() == name for name in names)


def test_tag_names_are_unique_as_people_read_them(api):
    url = api.url
    name = f"Straße {time.monotonic_ns()}"
    status, _, payload = send(
        url, "POST", "/api/tags", json.dumps({"name": name}).encode(), JSON
    )
    assert status == 201 and json.loads(payload)["name"] == name
    for twin in (name.upper(), name.replace("ß", "ss"), name.replace("S", "Ｓ")):
        body = json.dumps({"name": twin}).encode()
        assert send(url, "POST", "/api/tags", body, JSON)[0] == 409, twin


def test_up_and_ready_answer_200_while_all_is_well(api):
    url = api.url
    assert send(url, "GET", "/up")[:1] == (200,)
    status, _, payload = send(url, "GET", "/ready")
    assert (status, json.loads(payload)) == (200, {"status": "ready"})


@pytest.mark.parametrize("api", POSTGRESQL_ONLY, indirect=True)
def test_a_database_that_goes_away_answers_503_and_logs_one_line(api):
    server = SERVERS["postgresql"]
    assert send(api.url, "GET", "/api/tags")[0] == 200  # a pooled connection
    before = api.log.read_text().count("\n")
    # The database goes away: no new connection, every open one cut.
    server.execute(f"ALTER DATABASE {api.database} ALLOW_CONNECTIONS false")
    server.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = {server.quote(api.database)}"
    )
    try:
        answers = [send(api.url, "GET", "/api/tags") for _ in range(4)]
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
    assert send(api.url, "GET", "/api/tags")[0] == 200


@pytest.mark.parametrize("api", SQLITE_ONLY, indirect=True)
def test_schemathesis_finds_nothing_wrong(api):
    url, project = api.url, api.project
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
            str(SCHEMATHESIS_SECONDS),
            "--no-color",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=SCHEMATHESIS_SECONDS + 120,
    )
    assert completed.returncode == 0, completed.stdout[-6000:] + completed.stderr
    assert schemathesis_passed(completed.stdout), completed.stdout[-3000:]


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
