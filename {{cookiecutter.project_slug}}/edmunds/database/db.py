"""The one Flask-SQLAlchemy object of the project, and the names models use.

Models subclass ``db.Model``; association tables are ``db.Table(...)``.
"""

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    UniqueConstraint,
)
from sqlalchemy.orm import backref, relationship

from edmunds.config.configurationerror import ConfigurationError
from edmunds.database.namingconvention import NAMING_CONVENTION


class EdmundsSQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy, where a table may name its bind the Edmunds way.

    ``db.Table(..., info={'bind_key': 'name'})`` (the Edmunds docs' form) is
    ``db.Table(..., bind_key='name')``: Flask-SQLAlchemy 3 would silently put
    the table on the default database.
    """

    def _make_table_class(self):
        base = super()._make_table_class()

        class Table(base):
            def __new__(cls, *args, bind_key=None, **kwargs):
                in_info = (kwargs.get("info") or {}).get("bind_key")
                if in_info is not None:
                    if bind_key is not None and bind_key != in_info:
                        raise ConfigurationError(
                            f"table {args[0]!r} names two bind keys, "
                            f"bind_key={bind_key!r} and info={{'bind_key': "
                            f"{in_info!r}}}: keep one"
                        )
                    bind_key = in_info
                return super().__new__(cls, *args, bind_key=bind_key, **kwargs)

        return Table


# expire_on_commit off: after a commit, the objects keep the values they were
# given (and load what they never had, such as server defaults, when read).
# With it on, answering with the row just written read it back in a second
# transaction, which on SQLite held the write lock (BEGIN IMMEDIATE, see
# drivers/sqlite.py) through the serialization and until the request ended:
# under two gunicorn workers, POST /api/users answered 0.63 of the plain
# Flask baseline's requests per second with the database in memory (bench/).
db = EdmundsSQLAlchemy(
    metadata=MetaData(naming_convention=NAMING_CONVENTION),
    session_options={"expire_on_commit": False},
)

__all__ = [
    "CheckConstraint",
    "ForeignKeyConstraint",
    "Index",
    "PrimaryKeyConstraint",
    "UniqueConstraint",
    "backref",
    "db",
    "relationship",
]
