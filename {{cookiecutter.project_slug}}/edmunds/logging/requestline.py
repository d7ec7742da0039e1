"""A request's line written straight to the handler logging would hand it
to, when logging is set up as the project sets it up.

Production writes one line per request (edmunds/http/requestlog.py), and
the ordinary way makes a LogRecord and walks it through the logger's
filters and handlers: 32 k of the line's 104 k instructions, counted by
callgrind (BENCHMARKS.md, "The request line made cheaper"). Where that walk
can only end in one place, the project's own handler, this module goes
there directly: the same JSON from the same formatter
(edmunds/logging/jsonformatter.py: orjson, through python-json-logger), the
same stream, under the handler's lock, flushed as the handler flushes.

Anything else a team sets up takes the ordinary way, checked at every
line: a logger disabled (logging.config's disable_existing_loggers), a
filter on the logger or on the handler, another handler anywhere
up the loggers the line goes through, a handler or formatter of another
class (a subclass too), a record factory or a logger class of their own,
the handler's level above INFO.
"""

import time
from logging import (
    INFO,
    Logger,
    LogRecord,
    StreamHandler,
    getLevelName,
    getLogRecordFactory,
)

from edmunds.http.requestlog import line_data, line_fields, request_record
from edmunds.logging.jsonformatter import JsonFormatter


def write_request_line(log, environ, status, seconds):
    """As edmunds/http/requestlog.py's ``log_request``, the same bytes to the
    same place, without a LogRecord when ``the_handler(log)`` finds one."""
    # Asked first: with the line turned off, nothing of it is made.
    if not log.isEnabledFor(INFO):
        return
    handler = the_handler(log)
    if handler is None:
        log.handle(request_record(log, line_fields(environ, status, seconds)))
        return
    # StreamHandler.emit's, as Handler.handle calls it.
    try:
        line = handler.formatter.request_line(
            line_data(getLevelName(INFO), log.name, environ, status, seconds),
            time.time(),
        )
        with handler.lock:
            stream = handler.stream
            stream.write(line + handler.terminator)
            # StreamHandler.flush's, the lock already held.
            if stream and hasattr(stream, "flush"):
                stream.flush()
    except RecursionError:
        raise
    except Exception:
        handler.handleError(request_record(log, line_fields(environ, status, seconds)))


def the_handler(log):
    """The one handler that an INFO record of ``log`` would reach, when
    nothing else would see the record on its way: a StreamHandler with the
    project's JsonFormatter, no filters, no other handler; else None."""
    if (
        type(log) is not Logger
        or log.disabled
        or log.filters
        or getLogRecordFactory() is not LogRecord
    ):
        return None
    found = None
    # Logger.callHandlers' way up.
    current = log
    while current:
        for handler in current.handlers:
            if found is not None:
                return None
            found = handler
        current = current.parent if current.propagate else None
    if (
        type(found) is StreamHandler
        and type(found.formatter) is JsonFormatter
        and not found.filters
        and found.level <= INFO
    ):
        return found
    return None
