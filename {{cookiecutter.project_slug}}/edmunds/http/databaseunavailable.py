from flask import current_app


def database_unavailable(error):
    """A database that went away (or never came): 503 in JSON, one log line.

    The client may try again later; the log says why, once per request,
    without the traceback that would repeat for every request while it lasts.
    """
    current_app.logger.error("database unavailable: %s", describe(error))
    body = {"code": 503, "message": "the database is unavailable; try again later"}
    return {"error": body}, 503, {"Retry-After": "5"}


def describe(error):
    """The driver's own reason, on one line."""
    reason = getattr(error, "orig", None) or error
    return " ".join(str(reason).split())
