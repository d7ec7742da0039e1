"""The answers gunicorn writes itself, in the API's JSON error shape.

gunicorn refuses a few requests before the app sees them: a request line
over ``limit_request_line`` bytes (414), headers it cannot parse (400), a
transfer coding it does not know (501). It writes those answers with
``gunicorn.util.write_error``, in HTML, and no setting changes their body.
gunicorn.conf.py calls use_json_errors() in every worker, so that these
errors too are one JSON object, as every other error of the API.
"""

import json

from gunicorn import util

from edmunds.http.requestid import HEADER, request_id


def use_json_errors(app):
    """Put a json_error_writer() with the app's SECURITY_HEADERS in the place
    of gunicorn's writer.

    An app wrapped in a middleware by wsgi.py (``ProxyFix(app)``) is looked
    for inside it, as Werkzeug's middlewares keep it (``.app``); where none
    is found, the refusals are JSON without those headers.
    """
    while not hasattr(app, "config") and hasattr(app, "app"):
        app = app.app
    config = getattr(app, "config", None)
    headers = config.get("SECURITY_HEADERS", {}) if isinstance(config, dict) else {}
    util.write_error = json_error_writer(headers, fallback=util.write_error)


def json_error_writer(headers, fallback):
    """A stand-in for ``gunicorn.util.write_error``: gunicorn's status and
    message, as ``{"error": {"code": ..., "message": ...}}``, with ``headers``
    besides, and an ``X-Request-ID`` as every answer of the app has: a new
    one, since gunicorn hands its writer no request to take one from.

    What it cannot write (a header or reason outside Latin-1, which HTTP/1.1
    cannot carry) is left to ``fallback``, gunicorn's own writer: a refusal
    in HTML is better than a worker that fails while it refuses.
    """
    try:
        # Made once, when the worker starts, not for every refusal.
        extra = "".join(f"{key}: {value}\r\n" for key, value in headers.items())
        extra = extra.encode("latin-1")
    except (UnicodeError, AttributeError, TypeError):
        return fallback

    def write_error(sock, status_int, reason, mesg):
        try:
            error = {"code": status_int, "message": mesg or reason}
            body = json.dumps({"error": error}).encode()
            head = (
                f"HTTP/1.1 {status_int} {reason}\r\n"
                "Connection: close\r\n"
                # As every error of the app's: see edmunds/http/nostore.py.
                "Cache-Control: no-store\r\n"
                "Content-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n"
                f"{HEADER}: {request_id(None)}\r\n"
            ).encode("latin-1")
        except (UnicodeError, TypeError, ValueError):
            return fallback(sock, status_int, reason, mesg)
        util.write_nonblock(sock, head + extra + b"\r\n" + body)

    return write_error
