import functools
import time

from flask import current_app, g, request
from flask_security import current_user
from flask_security.utils import parse_auth_token
from sqlalchemy import bindparam, select
from werkzeug.exceptions import Forbidden, Unauthorized

from edmunds.auth.public import PUBLIC
from edmunds.auth.tokenuser import TokenUser
from edmunds.database.db import db
from edmunds.http.requestuser import USER_ID

HEADER = "Authentication-Token"
# Where the WSGI environ holds the header, read without werkzeug's headers.
ENVIRON_HEADER = "HTTP_" + HEADER.upper().replace("-", "_")
# Tokens whose signature a worker has checked (_signed): a client sends the
# same token all day, and checking it again was half the guard's work.
SIGNED_TOKENS = 1024


def require_a_token():
    """Before every request: an API route needs a valid token, unless public.

    The token is read from the header alone, never from a query string or
    a body, which end up in logs and histories.
    """
    # The request itself, not its proxy: each of flask.request's attributes
    # costs a context lookup.
    asked = request._get_current_object()
    if not asked.path.startswith("/api/"):
        return
    endpoint = asked.endpoint
    view = current_app.view_functions.get(endpoint)
    # No route (a 404 or 405 to come), the docs and the document: open.
    if view is None or getattr(view, PUBLIC, False):
        return
    if endpoint.startswith("api-docs."):
        return
    environ = asked.environ
    user = user_of(environ.get(ENVIRON_HEADER))
    if user is None:
        raise Unauthorized(
            f"this needs a valid token in the {HEADER} header (POST /api/auth/login)"
        )
    # Where Flask-Login looks first: current_user is this user from here on.
    g._login_user = user
    # The request's log line names them (edmunds/http/requestuser.py).
    environ[USER_ID] = user.id


def user_of(token):
    """The active user a signed, unexpired token names, or None."""
    if not token:
        return None
    app = current_app._get_current_object()
    security = app.extensions["security"]
    try:
        data, signed = _signed(security.remember_token_serializer, token)
        _unexpired(data, signed, app.config["SECURITY_TOKEN_MAX_AGE"])
    except Exception:
        # Tampered, expired, or no token at all: each is simply no user.
        return None
    model = security.datastore.user_model
    # The id alone, of an active user: the row loads if the request asks
    # more (TokenUser). One statement on the user's instance, its SQL
    # written once per database kind: a seventh of the work of an ORM query
    # built per request (Flask-Security's find_user would also join the
    # roles in).
    connection = db.session.connection(bind_arguments={"mapper": model})
    sql, positional = _active_user_id(model, connection.dialect)
    uniquifier = str(data["uid"])
    found = connection.exec_driver_sql(
        sql, (uniquifier,) if positional else {"uniquifier": uniquifier}
    ).scalar()
    return None if found is None else TokenUser(model, found)


@functools.lru_cache(maxsize=SIGNED_TOKENS)
def _signed(serializer, token):
    """What a token's signature vouches for, checked once per token string
    and serializer (the app's keys): Flask-Security's data, and when it was
    signed (POSIX seconds).

    The signature of a given string under given keys holds or not forever;
    its age does not, and _unexpired checks it on every request, as the
    database is asked on every request whether its user is still the one
    it names (a logout or ``auth revoke`` takes effect at once). A token
    refused is never kept.
    """
    # Flask-Security's checks as they are, the first time; then when it was
    # signed (the signature is known to hold: no more than decoding).
    data = parse_auth_token(token)
    _, signed = serializer.loads(token, return_timestamp=True)
    return data, int(signed.timestamp())


def _unexpired(data, signed, max_age):
    """Raise unless a token is within its age (``SECURITY_TOKEN_MAX_AGE``,
    in whole seconds, as itsdangerous counts it) and its own expiry
    (Flask-Security's ``exp``): what parse_auth_token checks of the time."""
    now = int(time.time())
    if not 0 <= now - signed <= max_age.total_seconds():
        raise ValueError("token expired")
    expires = data.get("exp")
    if expires and expires < now:
        raise ValueError("token expired")


@functools.lru_cache(maxsize=32)
def _active_user_id(model, dialect):
    """The guard's statement as SQL for a database's driver, and whether
    its one parameter is passed by position (SQLite's and MySQL's ``?`` or
    ``%s``) or by name (psycopg's ``%(uniquifier)s``).

    Run with exec_driver_sql: still through SQLAlchemy's connection, so its
    events (tracing, a test's count of statements) and its errors (a 503
    when the database is gone) are as for any query, without compiling or
    looking up a cached compilation per request (a quarter of the query's
    work).
    """
    users = model.__table__
    compiled = (
        select(users.c.id)
        .where(users.c.fs_uniquifier == bindparam("uniquifier"), users.c.active)
        .compile(dialect=dialect)
    )
    return compiled.string, compiled.positional


def require_role(name):
    """Refuse the request (403) unless the user of its token has the role."""
    if not current_user.has_role(name):
        raise Forbidden(f"this needs the {name!r} role")
