"""Who made a request, for its log line: the hook for authentication.

The project has no authentication yet, so the answer is None and the log
line says ``"user_id": null``. Once it has, the code that recognises the
user (a before_request, a decorator) stores the user's id in the request's
environ::

    request.environ[USER_ID] = user.id

The request's log line is written after the app's context is gone, as the
answer leaves (edmunds/http/requestlog.py): the environ outlives it, which
``flask.g`` does not.
"""

USER_ID = "edmunds.user_id"


def user_id(environ):
    """The id of the user a request came from, or None (none is known)."""
    return environ.get(USER_ID)
