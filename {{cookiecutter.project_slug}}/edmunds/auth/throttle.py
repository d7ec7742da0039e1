import datetime
import hashlib

from flask import current_app
from sqlalchemy import delete, func, select
from werkzeug.exceptions import TooManyRequests

from edmunds.database.db import db


def digest(kind, value):
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


class Throttle:
    """Counts wrong passwords per account and per address in the database.

    The account is a user, or an unknown email (login.account_of): another
    case of the same email counts against the same user.
    AUTH_THROTTLE_ATTEMPTS for one account, or AUTH_THROTTLE_ADDRESS_ATTEMPTS
    from one address, within AUTH_THROTTLE_WINDOW, and the login answers 429
    without looking at the password, until the oldest of them is out of the
    window. Rows, not counters: workers that fail at the same moment each
    add theirs, and none is lost to a race.
    """

    def __init__(self, model, account, address):
        config = current_app.config
        self.model = model
        self.window = config["AUTH_THROTTLE_WINDOW"]
        self.account_key = digest("account", account)
        self.limits = {
            self.account_key: config["AUTH_THROTTLE_ATTEMPTS"],
            digest("address", address): config["AUTH_THROTTLE_ADDRESS_ATTEMPTS"],
        }

    def refuse_when_over(self):
        now = _now()
        since = now - self.window
        model = self.model
        counted = db.session.execute(
            select(model.key, func.count(), func.min(model.failed_at))
            .where(model.key.in_(self.limits), model.failed_at > since)
            .group_by(model.key)
        )
        for key, count, oldest in counted:
            if count >= self.limits[key]:
                wait = max(1, int((oldest + self.window - now).total_seconds()) + 1)
                raise TooManyRequests(
                    f"too many wrong passwords: try again in {wait} seconds",
                    retry_after=wait,
                )

    def failed(self):
        now = _now()
        model = self.model
        # What has left the window goes, so the table stays small.
        db.session.execute(
            delete(model).where(
                model.key.in_(self.limits), model.failed_at <= now - self.window
            )
        )
        db.session.add_all(model(key=key, failed_at=now) for key in self.limits)
        db.session.commit()

    def succeeded(self):
        """The right password forgives the account's count, not the address's."""
        db.session.execute(delete(self.model).where(self.model.key == self.account_key))
        db.session.commit()


def _now():
    # Naive UTC, as DateTime columns store it on every engine.
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
