from app.database.models.usertags import UserTags
from edmunds.database.db import db, relationship


class Tag(db.Model):
    __tablename__ = "tags"
    # The database instance it lives on; None is the default one.
    __bind_key__ = {{ '"users_database"' if cookiecutter.users_database != "none" else "None" }}

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(50), nullable=False, unique=True)

    users = relationship(
        "User", secondary=UserTags, back_populates="tags", order_by="User.id"
    )

    def __repr__(self):
        return f"<Tag {self.id} {self.name!r}>"
