import functools

from flask import current_app, g, request
from flask_security import current_user
from flask_security.utils import parse_auth_token
from sqlalchemy import bindparam, select
from werkzeug.exceptions import Forbidden, Unauthorized

from edmunds.auth.public import PUBLIC
from edmunds.auth.tokenuser import TokenUser
from edmunds.database.db import db

HEADER = "Authentication-Token"


def require_a_token():
    """Before every request: an API route needs a valid token, unless public.

    The token is read from the header alone, never from a query string or
    a body, which end up in logs and histories.
    """
    if not request.path.startswith("/api/"):
        return
    view = current_app.view_functions.get(request.endpoint)
    # No route (a 404 or 405 to come), the docs and the document: open.
    if view is None or getattr(view, PUBLIC, False):
        return
    if request.endpoint.startswith("api-docs."):
        return
    user = user_of(request.headers.get(HEADER))
    if user is None:
        raise Unauthorized(
            f"this needs a valid token in the {HEADER} header (POST /api/auth/login)"
        )
    # Where Flask-Login looks first: current_user is this user from here on.
    g._login_user = user


def user_of(token):
    """The active user a signed, unexpired token names, or None."""
    if not token:
        return None
    try:
        data = parse_auth_token(token)
    except Exception:
        # Tampered, expired, or no token at all: each is simply no user.
        return None
    model = current_app.extensions["security"].datastore.user_model
    # The id alone, of an active user: the row loads if the request asks
    # more (TokenUser). One prepared statement on the user's instance, a
    # fifth of the work of an ORM query built per request (Flask-Security's
    # find_user would also join the roles in).
    connection = db.session.connection(bind_arguments={"mapper": model})
    found = connection.execute(
        _active_user_id(model), {"uniquifier": str(data["uid"])}
    ).scalar()
    return None if found is None else TokenUser(model, found)


@functools.cache
def _active_user_id(model):
    users = model.__table__
    return select(users.c.id).where(
        users.c.fs_uniquifier == bindparam("uniquifier"), users.c.active
    )


def require_role(name):
    """Refuse the request (403) unless the user of its token has the role."""
    if not current_user.has_role(name):
        raise Forbidden(f"this needs the {name!r} role")
