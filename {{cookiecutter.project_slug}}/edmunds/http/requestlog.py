"""Every request's id on its answer and, in production, one log line per
request."""

import logging
from time import perf_counter

from werkzeug.wsgi import get_path_info

from edmunds.http.requestid import (
    ENVIRON_KEY,
    HEADER,
    current_request_id,
    request_id,
)
from edmunds.http.requestuser import USER_ID

# The logger of the request lines (edmunds/http/providers/requestlogserviceprovider.py).
LOGGER = "edmunds.request"
# A request line's record holds its fields under these names, in this order,
# and REQUEST_LINE set to True: edmunds/logging/jsonformatter.py writes such
# a record without looking through the rest of it.
FIELDS = ("method", "path", "status", "duration_ms", "request_id", "user_id")
REQUEST_LINE = "_edmunds_request_line"


class RequestLog:
    """A WSGI middleware around the whole app (``app.wsgi_app``).

    Around it rather than in Flask's before_request and after_request: it
    sees every answer (a 413 refused before any handler, the 500 of an
    unhandled exception, a 404 no route matched), times all the app does,
    and runs once per request whatever the app's own hooks do.

    ``log`` writes each request's line (production), by ``write``
    (log_request, or edmunds/logging/requestline.py's shorter way); None
    writes none (development, whose server writes its own text line per
    request).
    """

    def __init__(self, wsgi_app, log=None, write=None):
        self.wsgi_app = wsgi_app
        self.log = log
        self.write = write or log_request

    def __call__(self, environ, start_response):
        started = perf_counter()
        rid = environ[ENVIRON_KEY] = request_id(environ.get("HTTP_X_REQUEST_ID"))
        token = current_request_id.set(rid)
        status = None

        def start_with_id(status_line, headers, exc_info=None):
            nonlocal status
            status = status_line
            headers.append((HEADER, rid))
            return start_response(status_line, headers, exc_info)

        try:
            return self.wsgi_app(environ, start_with_id)
        finally:
            if self.log is not None:
                # No status: the app raised instead of answering (where
                # Flask propagates exceptions), and the server answers 500.
                code = int(status[:3]) if status else 500
                self.write(self.log, environ, code, perf_counter() - started)
            current_request_id.reset(token)


def log_request(log, environ, status, seconds):
    """One request's line: ``GET /api/users 200`` with its fields besides,
    the ordinary logging way: a record, the logger's filters, then the
    handlers of the logger and of its parents.

    In production the line takes edmunds/logging/requestline.py's
    ``write_request_line``, which comes here whenever logging is set up
    otherwise than the project sets it up.
    """
    # Asked first: with the line turned off (the logger at WARNING), nothing
    # of it is made.
    if not log.isEnabledFor(logging.INFO):
        return
    log.handle(request_record(log, line_fields(environ, status, seconds)))


def line_fields(environ, status, seconds):
    """A request line's fields, in the order of FIELDS: the ordinary way's,
    which hands them to logging as a record's attributes."""
    data = line_data(None, None, environ, status, seconds)
    return {name: data[name] for name in FIELDS}


def line_data(level, logger, environ, status, seconds):
    """A request line's JSON object as edmunds/logging/jsonformatter.py
    writes it, less its time: the level, the logger, line_message()'s
    message, then the fields (FIELDS, in their order).

    Made in one dict for the short way (edmunds/logging/requestline.py):
    4.9 k instructions less a line than the fields, the message and a
    second dict holding them."""
    data = {
        "level": level,
        "logger": logger,
        "message": "",  # its place in the line, filled below
        "method": environ.get("REQUEST_METHOD"),
        # Without the query string: it may carry what a log should not
        # keep (a token, an email address).
        "path": get_path_info(environ),
        "status": status,
        # Milliseconds to the microsecond: what round(seconds * 1000, 3)
        # gives, for half its instructions.
        "duration_ms": round(seconds * 1_000_000) / 1000,
        "request_id": environ.get(ENVIRON_KEY),
        "user_id": environ.get(USER_ID),
    }
    data["message"] = line_message(data)
    return data


def line_message(fields):
    return f"{fields['method']} {fields['path']} {fields['status']}"


def request_record(log, fields):
    """The LogRecord of a request's line, as Logger.info(message,
    extra=fields) would make it, without looking for its caller (this
    module) nor checking, name by name, that the fields overwrite nothing."""
    record = log.makeRecord(
        log.name,
        logging.INFO,
        __file__,
        0,
        line_message(fields),
        (),
        None,
        "log_request",
    )
    record.__dict__.update(fields)
    record.__dict__[REQUEST_LINE] = True
    return record


# How many attributes a request line's record holds (a LogRecord's and the
# fields): a formatter meeting one with more (a filter or a record factory
# added some) writes them too.
REQUEST_LINE_SIZE = (
    len(logging.LogRecord(LOGGER, logging.INFO, "", 0, "", (), None).__dict__)
    + len(FIELDS)
    + 1
)
