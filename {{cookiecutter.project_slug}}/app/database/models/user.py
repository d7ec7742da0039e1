from app.database.models.usertags import UserTags
from edmunds.database.db import db, relationship


class User(db.Model):
    __tablename__ = "users"
    # The database instance it lives on; None is the default one.
    __bind_key__ = {{ '"users_database"' if cookiecutter.users_database != "none" else "None" }}

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(50), nullable=False)

    tags = relationship(
        "Tag", secondary=UserTags, back_populates="users", order_by="Tag.id"
    )

    def __repr__(self):
        return f"<User {self.id} {self.name!r}>"
