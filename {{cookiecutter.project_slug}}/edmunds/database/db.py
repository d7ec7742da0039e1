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

# Named constraints let Alembic drop and alter them later, also on SQLite,
# where a migration rebuilds the table and needs to know every name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))

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
