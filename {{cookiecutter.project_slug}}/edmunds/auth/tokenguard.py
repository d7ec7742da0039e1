from flask import current_app, g, request
from flask_security import current_user
from flask_security.utils import parse_auth_token
from sqlalchemy import select
from werkzeug.exceptions import Forbidden, Unauthorized

from edmunds.auth.public import PUBLIC
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
    # The user row alone: Flask-Security's find_user would join the roles
    # in too, on every request, where only the admin's routes read them
    # (they load when has_role asks).
    return db.session.scalars(
        select(model).where(model.fs_uniquifier == str(data["uid"]), model.active)
    ).first()


def require_role(name):
    """Refuse the request (403) unless the user of its token has the role."""
    if not current_user.has_role(name):
        raise Forbidden(f"this needs the {name!r} role")
