from werkzeug.exceptions import NotFound

from edmunds.database.db import db

# Ids are 32-bit integers in every engine: a larger one is missing, never an
# overflow in the database driver.
MAX_ID = 2**31 - 1


def find(model, ident):
    """The row, or a 404 saying which one is missing."""
    name = model.__name__.lower()
    description = f"no {name} has id {ident}"
    if not 0 < ident <= MAX_ID:
        raise NotFound(description)
    return db.get_or_404(model, ident, description=description)
