"""edmunds/http/gunicornerror.py: gunicorn's own refusals, in JSON."""

import json
import socket

import pytest
from gunicorn import util

from edmunds.http.gunicornerror import json_error_writer, use_json_errors

HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"}


def written(writer, *refusal):
    """What the writer sends for a refusal, as (status line, headers, body)."""
    ours, theirs = socket.socketpair()
    with ours, theirs:
        writer(ours, *refusal)
        ours.shutdown(socket.SHUT_WR)
        raw = b"".join(iter(lambda: theirs.recv(65536), b""))
    head, body = raw.split(b"\r\n\r\n", 1)
    status, *lines = head.decode("latin-1").split("\r\n")
    return status, dict(line.split(": ", 1) for line in lines), body


def gunicorns_writer(calls):
    def write_error(sock, status_int, reason, mesg):
        calls.append((status_int, reason, mesg))

    return write_error


def test_a_refusal_is_the_apis_json_error_with_the_security_headers():
    writer = json_error_writer(HEADERS, fallback=gunicorns_writer([]))

    status, headers, body = written(writer, 414, "Request-URI Too Large", "4096")

    assert status == "HTTP/1.1 414 Request-URI Too Large"
    assert headers["Content-Type"] == "application/json"
    assert headers["Connection"] == "close"
    assert headers["Cache-Control"] == "no-store"
    assert int(headers["Content-Length"]) == len(body)
    assert headers.items() >= HEADERS.items()
    assert json.loads(body) == {"error": {"code": 414, "message": "4096"}}


def test_a_refusal_without_a_message_gives_the_reason():
    writer = json_error_writer({}, fallback=gunicorns_writer([]))

    _, _, body = written(writer, 400, "Bad Request", "")

    assert json.loads(body) == {"error": {"code": 400, "message": "Bad Request"}}


def test_what_http_cannot_carry_is_left_to_gunicorns_writer():
    calls = []
    fallback = gunicorns_writer(calls)

    # A reason outside Latin-1, for one refusal: that refusal is gunicorn's.
    json_error_writer(HEADERS, fallback)(None, 400, "Bad ☃", "x")
    # A header outside Latin-1: every refusal is gunicorn's.
    assert json_error_writer({"X-Name": "☃"}, fallback) is fallback

    assert calls == [(400, "Bad ☃", "x")]


class Flaskish:
    config = {"SECURITY_HEADERS": HEADERS}


class Wrapper:
    """A WSGI middleware as Werkzeug's keep the app they wrap (ProxyFix)."""

    def __init__(self, app):
        self.app = app


@pytest.mark.parametrize(
    ("app", "expected"),
    [
        pytest.param(Flaskish(), HEADERS, id="the app's own SECURITY_HEADERS"),
        pytest.param(Wrapper(Wrapper(Flaskish())), HEADERS, id="inside middlewares"),
        pytest.param(object(), {}, id="an app with no config"),
    ],
)
def test_each_worker_writes_its_refusals_in_json(app, expected, monkeypatch):
    monkeypatch.setattr(util, "write_error", gunicorns_writer([]))

    use_json_errors(app)

    _, headers, body = written(util.write_error, 404, "Not Found", "")
    assert json.loads(body)["error"]["code"] == 404
    assert {key: headers[key] for key in HEADERS if key in headers} == expected
