from edmunds.auth.models.loginfailuremixin import LoginFailureMixin
from edmunds.database.db import db


class LoginFailure(db.Model, LoginFailureMixin):
    """Wrong passwords of the last AUTH_THROTTLE_WINDOW (config/auth.py): in
    the database, so that every worker and replica counts the same ones."""

    __tablename__ = "login_failures"
    __bind_key__ = {{ '"users_database"' if cookiecutter.users_database != "none" else "None" }}
