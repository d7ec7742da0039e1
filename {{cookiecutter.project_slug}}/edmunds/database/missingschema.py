"""Whether a database error says a table or column is missing.

The models then name something the database lacks: its schema is behind
them (a revision not written yet, or not applied), which is no server gone
away. Each driver says so its own way: PostgreSQL and MySQL by a code,
SQLite (one code for every SQL error) only in its message.
"""

import re

# SQLSTATE undefined_column and undefined_table (psycopg's ``sqlstate``).
POSTGRESQL = frozenset({"42703", "42P01"})
# ER_BAD_FIELD_ERROR ("Unknown column") and ER_NO_SUCH_TABLE: MySQL's and
# MariaDB's numbers, the first of a PyMySQL error's arguments. PyMySQL has a
# ``sqlstate`` too, when the server sends one: the number is always there.
MYSQL = frozenset({1054, 1146})
# A query's "no such column" / "no such table", an INSERT's "has no column".
SQLITE = re.compile(r"no such (?:column|table): |table \S+ has no column named ")


def missing_schema(error):
    """True for SQLAlchemy's wrapping of a driver's missing table or column."""
    reason = getattr(error, "orig", None)
    if reason is None:
        return False
    if getattr(reason, "sqlstate", None) in POSTGRESQL:
        return True
    if getattr(reason, "sqlite_errorname", None) is not None:
        return SQLITE.match(str(reason)) is not None
    code = reason.args[0] if reason.args else None
    return isinstance(code, int) and code in MYSQL


def reason_of(error):
    """The driver's words, on one line, without the SQL it echoes after them."""
    reason = getattr(error, "orig", None) or error
    args = getattr(reason, "args", ())
    # PyMySQL's (number, message); PostgreSQL's LINE 1: ... and its caret.
    if len(args) == 2 and isinstance(args[0], int) and isinstance(args[1], str):
        return args[1]
    lines = str(reason).strip().splitlines()
    return lines[0] if lines else type(reason).__name__
