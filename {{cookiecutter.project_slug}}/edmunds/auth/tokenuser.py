from functools import cached_property

from edmunds.database.db import db


class TokenUser:
    """The user a request's token names, as the token guard found them: the
    id alone, which is all most requests ask (who made a row, whether it is
    their own). The row is loaded the first time anything else is asked
    (``has_role``, ``email``...), once per request.

    What Flask-Login's ``current_user`` is on a request with a token.
    """

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, model, id):
        self.model = model
        self.id = id

    def get_id(self):
        return str(self.id)

    @cached_property
    def row(self):
        return db.session.get(self.model, self.id)

    def __getattr__(self, name):
        # Only what this class lacks: the row's columns, relationships and
        # Flask-Security's methods (has_role among them). Never for a
        # private name, which code probing what an object is asks about
        # (SQLAlchemy's inspect(), copy, pickle): no query for those.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.row, name)
