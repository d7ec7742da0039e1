"""Where the models and a database the migrations made differ.

What `db migrate` would write, read without writing it: the baked tests'
session checks it once, on the schema it has just upgraded, so that a
model changed without its revision is one line before the first test, not
failures deep inside many.
"""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Table

from edmunds.database.db import db


def model_differences(app):
    """Alembic's differences, by database instance: only those that have any."""
    manager = app.extensions["edmunds.database"]
    found = {}
    with app.app_context():
        for bind_key, engine in db.engines.items():
            with engine.connect() as connection:
                # compare_type: a column's type changed is a difference too,
                # as Flask-Migrate's `db migrate` sees it.
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True}
                )
                differences = compare_metadata(context, db.metadatas[bind_key])
            if differences:
                found[manager.instance_name(bind_key)] = differences
    return found


def summary(found):
    """One line: ``add_column users.age on 'default'; ...``."""
    return "; ".join(
        f"{', '.join(_named(difference) for difference in differences)} on {name!r}"
        for name, differences in found.items()
    )


def _named(difference):
    if isinstance(difference, list):  # the changes to one column, together
        return ", ".join(_named(change) for change in difference)
    operation, *details = difference
    if operation.startswith("modify_"):  # (schema, table, column, ...)
        return f"{operation} {details[1]}.{details[2]}"
    if operation in ("add_column", "remove_column"):  # (schema, table, Column)
        return f"{operation} {details[1]}.{details[2].name}"
    item = details[0]  # a table, an index or a constraint
    if isinstance(item, Table):
        return f"{operation} {item.name}"
    where = ".".join(str(part) for part in (item.table.name, item.name) if part)
    return f"{operation} {where}"
