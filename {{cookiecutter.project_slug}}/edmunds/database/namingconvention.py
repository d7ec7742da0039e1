"""Names for constraints and indexes: every column in them, within every
engine's limit, the same on every machine.

Named constraints let Alembic drop and alter them later, also on SQLite,
where a migration rebuilds the table and needs to know every name. A name
holds all the columns of a constraint or index: two unique constraints that
share a first column must not share a name (PostgreSQL refuses the second,
MySQL stops half-way). A single-column name is what SQLAlchemy's
``column_0`` tokens gave before: ``uq_tags_name``, ``ix_users_email``,
``fk_user_tags_tag_id_tags``, ``pk_users``; names already in a project's
databases stay.

A name longer than ``MAX_BYTES`` keeps its first bytes and ends in eight hex
digits of its full form's SHA-256: what each engine would do to it
differently (PostgreSQL cuts at 63 bytes, MySQL refuses past 64
characters) is done here once, the same way for all.
"""

import hashlib

# PostgreSQL keeps 63 bytes of a name; MySQL and MariaDB take 64 characters,
# which 63 bytes of UTF-8 never exceed.
MAX_BYTES = 63


def fitted(name):
    """``name``, or its first bytes and a digest of the whole when too long."""
    encoded = name.encode()
    if len(encoded) <= MAX_BYTES:
        return name
    digest = hashlib.sha256(encoded).hexdigest()[:8]
    head = encoded[: MAX_BYTES - len(digest) - 1].decode(errors="ignore")
    return f"{head}_{digest}"


def _columns(constraint):
    # An index may hold expressions besides columns: named after their text.
    items = getattr(constraint, "expressions", None) or constraint.columns
    return "_".join(getattr(item, "name", None) or str(item) for item in items)


def _index(index, table):
    # As SQLAlchemy's column_0_label: the table's name with its schema's.
    return fitted(f"ix_{table.fullname.replace('.', '_')}_{_columns(index)}")


def _unique(constraint, table):
    return fitted(f"uq_{table.name}_{_columns(constraint)}")


def _foreign_key(constraint, table):
    # The referred table as the key spells it: it may not be defined yet.
    referred = constraint.elements[0].target_fullname.split(".")[-2]
    return fitted(f"fk_{table.name}_{_columns(constraint)}_{referred}")


def _primary_key(constraint, table):
    return fitted(f"pk_{table.name}")


NAMING_CONVENTION = {
    "ix": "%(index_name)s",
    "uq": "%(unique_name)s",
    # As before: SQLAlchemy names a check constraint only when the model
    # gives it a name, which this puts after the table's.
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "%(foreign_key_name)s",
    "pk": "%(primary_key_name)s",
    "index_name": _index,
    "unique_name": _unique,
    "foreign_key_name": _foreign_key,
    "primary_key_name": _primary_key,
}
