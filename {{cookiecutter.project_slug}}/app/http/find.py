from edmunds.database.db import db


def find(model, ident):
    """The row, or a 404 saying which one is missing."""
    name = model.__name__.lower()
    return db.get_or_404(model, ident, description=f"no {name} has id {ident}")
