from edmunds.auth.models.rolemixin import RoleMixin
from edmunds.database.db import db


class Role(db.Model, RoleMixin):
    """What a user may do beyond their own things: ``admin`` deletes users
    and changes others (app/http/handlers/users.py)."""

    __tablename__ = "roles"
    # The instance of User: a role and its users live together.
    __bind_key__ = {{ '"users_database"' if cookiecutter.users_database != "none" else "None" }}

    def __repr__(self):
        return f"<Role {self.id} {self.name!r}>"
