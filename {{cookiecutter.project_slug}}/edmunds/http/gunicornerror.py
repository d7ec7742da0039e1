"""The answers gunicorn writes itself, in the API's JSON error shape.

gunicorn refuses a few requests before the app sees them: a request line
over ``limit_request_line`` bytes (414), headers it cannot parse (400), a
transfer coding it does not know (501). It writes those answers with
``gunicorn.util.write_error``, in HTML, and no setting changes their body.
gunicorn.conf.py puts json_error_writer() in its place in every worker, so
that these errors too are one JSON object, as every other error of the API.
"""

import json

from gunicorn import util


def json_error_writer(headers):
    """A stand-in for ``gunicorn.util.write_error``: gunicorn's status and
    message, as ``{"error": {"code": ..., "message": ...}}``, with ``headers``
    (the app's SECURITY_HEADERS) besides."""
    extra = "".join(f"{key}: {value}\r\n" for key, value in headers.items())

    def write_error(sock, status_int, reason, mesg):
        error = {"code": status_int, "message": mesg or reason}
        body = json.dumps({"error": error}).encode()
        head = (
            f"HTTP/1.1 {status_int} {reason}\r\n"
            "Connection: close\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"{extra}\r\n"
        )
        util.write_nonblock(sock, head.encode("latin-1") + body)

    return write_error
