import functools

from flask import current_app, request
from flask_security.utils import hash_password, verify_password
from passlib.exc import PasswordSizeError
from sqlalchemy import func, select
from werkzeug.exceptions import Unauthorized

from edmunds.auth.throttle import Throttle
from edmunds.database.db import db


def log_in(email, password):
    """The token of the user with this email and password; else a 401 that
    says the same, in about the same time, whatever was wrong."""
    security = current_app.extensions["security"]
    try:
        address = normalized(email)
    except ValueError:
        address = None
    # What is no address is no user's: every stored email went through the
    # same normalization (commands.py), and the database is not asked about
    # a NUL byte, which PostgreSQL refuses with an error.
    user = find_user(address) if address is not None else None
    throttle = Throttle(
        current_app.extensions["edmunds.auth.failures"],
        account_of(user, address or email),
        request.remote_addr,
    )
    throttle.refuse_when_over()
    stored = user.password if user is not None else None
    try:
        # A known hash to check against when there is none, so that an
        # unknown email costs the same argon2 work as a wrong password.
        right = verify_password(
            security._password_util.normalize(password), stored or decoy_hash()
        )
    except PasswordSizeError:
        # Longer than passlib hashes (4096 bytes): no password set is.
        right = False
    except ValueError:
        # What is stored is no argon2 hash (a plain string written by hand):
        # no password opens it.
        right = False
    if not (stored and right and user.active):
        throttle.failed()
        raise Unauthorized("wrong email or password")
    throttle.succeeded()
    if not user.fs_uniquifier:
        security.datastore.set_uniquifier(user)
        db.session.commit()
    return user.get_auth_token()


def normalized(email):
    """The email as stored (Flask-Security's normalization, email_validator's:
    the domain in lower case, Unicode in NFC), spaces around it left out;
    ValueError, saying why, for what is no email address."""
    return current_app.extensions["security"]._mail_util.normalize(email.strip())


def find_user(email):
    """The user of a normalized email, in any case: the one stored exactly so
    if two rows differ in case alone (SQL of the team's own; the commands
    refuse it), so that each keeps its login. One query whichever it is:
    a second one for some emails only would tell, by its time, which."""
    model = current_app.extensions["security"].datastore.user_model
    found = db.session.scalars(
        select(model).where(func.lower(model.email) == func.lower(email))
    ).all()
    exact = [user for user in found if user.email == email]
    return (exact or found or [None])[0]


def account_of(user, email):
    """What the throttle counts wrong passwords against: the user, however
    their email was typed (another case, another Unicode form, spaces around
    it count as the same user); for an unknown email, the email in lower
    case."""
    return f"user:{user.id}" if user is not None else f"email:{email.lower()}"


@functools.cache
def decoy_hash():
    return hash_password("not the password of anyone")
