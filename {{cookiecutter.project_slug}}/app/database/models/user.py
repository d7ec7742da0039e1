from app.database.models.userroles import UserRoles
from app.database.models.usertags import UserTags
from edmunds.auth.models.usermixin import UserMixin
from edmunds.database.db import db, relationship


class User(db.Model, UserMixin):
    """Someone with tags; with an email and a password, someone who logs in
    (UserMixin's columns, APP["auth"] in config/app.py)."""

    __tablename__ = "users"
    # The database instance it lives on; None is the default one.
    __bind_key__ = {{ '"users_database"' if cookiecutter.users_database != "none" else "None" }}

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(50), nullable=False)

    tags = relationship(
        "Tag", secondary=UserTags, back_populates="users", order_by="Tag.id"
    )
    roles = relationship("Role", secondary=UserRoles, order_by="Role.id")

    def __repr__(self):
        return f"<User {self.id} {self.name!r}>"
