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
    """What makes two names one: they read the same.

    Equal after NFKC and case folding ('Math', 'MATH' and 'ＭＡＴＨ'), then
    as Unicode's confusable skeleton (UTS #39): letters of other scripts that
    look alike are one ('admin' and 'аdmin', whose 'а' is Cyrillic), and so
    are 'rn' and 'm'. Hashed, so that a key has one length whatever the name
    grows into, and no engine's collation gets a say.

    The skeleton is ipfy-homoglyph's (pyproject.toml says why that one), at
    the version pinned: new data is new keys, for a revision to write, as
    0003 did.
    """
    # UTS #39's skeleton: ipfy-homoglyph keeps it in a module of its own
    # rather than exporting it by name; the version pinned is the one tests
    # check. Imported at the first name: the package sets up its detector at
    # import (23 M instructions), which a start writing no tag need not wait
    # for.
    from homoglyph._skeleton import skeleton

    text = fold(name)
    # Folded again after each skeleton, which is not lower case ('0' reads
    # as 'O'), and again until nothing changes: what one round gives may
    # read as another letter ('Ꮇ' folds to 'ꮇ', read as 'm', read as 'rn').
    # No character takes more than two rounds; the bound is for names made
    # to take more.
    for _ in range(ROUNDS):
        text, before = fold(skeleton(text)), text
        if text == before:
            break
    return hashlib.sha256(text.encode()).hexdigest()


ROUNDS = 4


def fold(text):
    """NFKC and case folding, and NFKC again: folding can undo the first."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
