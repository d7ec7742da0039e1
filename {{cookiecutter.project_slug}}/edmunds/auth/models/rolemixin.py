import flask_security

from edmunds.database.db import db


class RoleMixin(flask_security.RoleMixin):
    """The columns Flask-Security reads on a role, for ``db.Model`` models."""

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), unique=True, nullable=False)
    description = db.Column(db.String(255), nullable=True)
