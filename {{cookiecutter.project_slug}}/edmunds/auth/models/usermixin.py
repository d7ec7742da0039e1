import secrets

import flask_security
import sqlalchemy as sa

from edmunds.database.db import db


def new_uniquifier():
    # 128 random bits, as uuid4().hex has 122, for a sixth of its work.
    return secrets.token_hex(16)


class UserMixin(flask_security.UserMixin):
    """The columns Flask-Security reads on a user, for ``db.Model`` models.

    A user without a password (every row from before authentication) cannot
    log in until ``manage.py auth set-password`` gives one. Tokens carry
    ``fs_uniquifier``: a new one (logout, ``auth revoke``, a new password)
    ends every token the user has.
    """

    # No RETURNING after each INSERT to read back server defaults: the only
    # one, active's, has its Python default too, whose value the ORM keeps.
    # With SQLAlchemy's "auto", a new user's INSERT became a new statement
    # with RETURNING per flush (its cache key built anew, the returned row
    # read): 185 k instructions of the 4.5 M a POST /api/users cost.
    __mapper_args__ = {"eager_defaults": False}

    # Unique as stored; the login normalizes what is typed the same way
    # before looking it up (edmunds/auth/login.py).
    email = db.Column(db.String(255), unique=True, nullable=True)
    password = db.Column(db.String(255), nullable=True)
    active = db.Column(
        db.Boolean, nullable=False, default=True, server_default=sa.true()
    )
    # NULL allowed: a row written without it (by SQL of the team's own, or
    # by a replica still on the code before authentication during a rolling
    # deploy) is kept, and gets one at its first login (login.py).
    fs_uniquifier = db.Column(
        db.String(64), unique=True, nullable=True, default=new_uniquifier
    )
