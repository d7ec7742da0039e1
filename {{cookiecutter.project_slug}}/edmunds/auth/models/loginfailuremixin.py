from edmunds.database.db import db


class LoginFailureMixin:
    """A wrong password, as the throttle counts it (edmunds/auth/throttle.py).

    ``key`` is a digest of what it is counted against (the user, an unknown
    email, or the address it came from), never the email or address itself.
    """

    id = db.Column(db.Integer, primary_key=True)
    key = db.Column(db.String(64), nullable=False, index=True)
    failed_at = db.Column(db.DateTime, nullable=False, index=True)
