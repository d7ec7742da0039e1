"""Who made a request, for its log line.

The request's log line is written after the app's context is gone, as the
answer leaves (edmunds/http/requestlog.py), and ``flask.g`` goes with it:
the id of the user a request came from is kept in the request's environ,
which outlives it, under ``USER_ID``. The token guard
(edmunds/auth/tokenguard.py), the one way this project recognises a user,
stores it there itself as it lets a request in::

    request.environ[USER_ID] = user.id

Code that recognises a user some other way does the same. A project that
logs users in with Flask-Login's own ways (``login_user``, a session) may
instead register ``remember_the_user`` at the end of each request
(``app.teardown_request(remember_the_user)``): it copies the id
of Flask-Login's current user of the request, ``g._login_user``, into the
environ. It is not registered by default: a teardown on every request (10 k
instructions, a quarter of a per cent of a ``POST``) for what the token
guard has done already (BENCHMARKS.md, "The request line made cheaper").

The id is read from the row's identity, as SQLAlchemy holds it: the guard's
query loaded it, and no other query is made, even where the request's
commit has expired the user's attributes (reading ``user.id`` would then
load the row again).
"""

from flask import g, request
from sqlalchemy import inspect

USER_ID = "edmunds.user_id"


def remember_the_user(error=None):
    """At the end of a request (``teardown_request``): the id of the user it
    was authenticated as, if any, into its environ for the log line."""
    # The token guard has stored it already: nothing more to look at.
    environ = request.environ
    if USER_ID in environ:
        return
    user = g.get("_login_user")
    if user is None:
        return
    # A row has its identity; the token guard's TokenUser, which is no row,
    # its id; an anonymous user, neither.
    if getattr(user, "is_anonymous", False):
        return
    state = inspect(user, raiseerr=False)
    if state is None:
        environ[USER_ID] = getattr(user, "id", None)
        return
    identity = state.identity
    if identity is not None and len(identity) == 1:
        environ[USER_ID] = identity[0]
