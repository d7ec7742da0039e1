import functools

from flask import current_app, request
from flask_security.utils import hash_password, verify_password
from werkzeug.exceptions import Unauthorized

from edmunds.auth.throttle import Throttle
from edmunds.database.db import db


def log_in(email, password):
    """The token of the user with this email and password; else a 401 that
    says the same, in about the same time, whatever was wrong."""
    security = current_app.extensions["security"]
    email = normalized(email)
    throttle = Throttle(
        current_app.extensions["edmunds.auth.failures"], email, request.remote_addr
    )
    throttle.refuse_when_over()
    user = security.datastore.find_user(case_insensitive=True, email=email)
    stored = user.password if user is not None else None
    # A known hash to check against when there is none, so that an unknown
    # email costs the same argon2 work as a wrong password.
    right = verify_password(password, stored or decoy_hash())
    if not (stored and right and user.active):
        throttle.failed()
        raise Unauthorized("wrong email or password")
    throttle.succeeded()
    if not user.fs_uniquifier:
        security.datastore.set_uniquifier(user)
        db.session.commit()
    return user.get_auth_token()


def normalized(email):
    """The email as stored: Flask-Security's normalization, else as typed."""
    try:
        return current_app.extensions["security"]._mail_util.normalize(email)
    except ValueError:
        return email


@functools.cache
def decoy_hash():
    return hash_password("not the password of anyone")
