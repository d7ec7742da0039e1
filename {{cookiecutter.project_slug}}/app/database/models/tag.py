import hashlib
import unicodedata

from sqlalchemy.orm import validates

from app.database.models.usertags import UserTags
from edmunds.database.db import db, relationship


class Tag(db.Model):
    __tablename__ = "tags"
    # The database instance it lives on; None is the default one.
    __bind_key__ = {{ '"users_database"' if cookiecutter.users_database != "none" else "None" }}

    id = db.Column(db.Integer, primary_key=True)
    # As typed; two names that read the same share a name_key.
    name = db.Column(db.String(50), nullable=False)
    # The unique index that keeps names apart, race-safe in every engine.
    name_key = db.Column(db.String(64), nullable=False, unique=True)

    users = relationship(
        "User", secondary=UserTags, back_populates="tags", order_by="User.id"
    )

    @validates("name")
    def _keep_the_key(self, _, name):
        self.name_key = name_key(name)
        return name

    def __repr__(self):
        return f"<Tag {self.id} {self.name!r}>"


def name_key(name):
    """What makes two names one: equal after NFKC and case folding.

    'Math', 'MATH' and 'ＭＡＴＨ' (full-width) share a key. Hashed, so that
    a key has one length whatever the name grows into once normalized, and
    no engine's collation gets a say.
    """
    folded = unicodedata.normalize(
        "NFKC", unicodedata.normalize("NFKC", name).casefold()
    )
    return hashlib.sha256(folded.encode()).hexdigest()
