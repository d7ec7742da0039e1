"""Every log line of the process as one JSON object, once the app asks.

The app asks as it is built in production (RequestLogServiceProvider). Logs
then go to stderr, one object per line: where gunicorn writes its error log,
where a container's runtime collects them.
"""

import logging

import flask.logging

from edmunds.logging.jsonformatter import JsonFormatter

# gunicorn's loggers have handlers of their own and pass nothing on to the
# root's: theirs are turned JSON one by one.
GUNICORN_LOGGERS = ("gunicorn.error", "gunicorn.access")

_on = False


def use_json_logs(app):
    """From now on, JSON: the root logger's lines (the app's, the libraries'),
    Python's warnings, and gunicorn's own."""
    global _on
    root = logging.getLogger()
    # Once per process, however many apps it builds.
    if not any(
        isinstance(handler.formatter, JsonFormatter) for handler in root.handlers
    ):
        handler = logging.StreamHandler()  # stderr
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    # Flask gives the app's logger a text handler of its own: without it, the
    # app's lines (an unhandled exception's, with its traceback) go up to
    # the root's.
    app.logger.removeHandler(flask.logging.default_handler)
    # A warning would otherwise be printed as two lines of text.
    logging.captureWarnings(True)
    # No JSON line carries the thread's, the process's or the asyncio task's
    # name, which every LogRecord otherwise looks up: off, as the logging
    # HOWTO's "Optimization" advises, 8 k instructions of each request's
    # record (BENCHMARKS.md, "Authentication's cost"). logAsyncioTasks is
    # read from Python 3.12 on.
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    logging.logAsyncioTasks = False
    _on = True
    use_json_gunicorn_logs()


def json_logs_on():
    return _on


def use_json_gunicorn_logs():
    """gunicorn's handlers, as they are now, in JSON (none outside gunicorn)."""
    for name in GUNICORN_LOGGERS:
        for handler in logging.getLogger(name).handlers:
            if not isinstance(handler.formatter, JsonFormatter):
                handler.setFormatter(JsonFormatter())
