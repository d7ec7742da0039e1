import hashlib
from contextlib import contextmanager

from alembic.util import CommandError

# How long a second `db upgrade` waits for the first one; a deploy whose
# migration runs longer than this has a bigger problem than a lock.
WAIT_SECONDS = 24 * 3600
# PostgreSQL's advisory locks are per database, keyed by a 64-bit number.
POSTGRESQL_KEY = int.from_bytes(
    hashlib.sha256(b"edmunds migrations").digest()[:8], "big", signed=True
)


@contextmanager
def migration_lock(connection):
    """Hold the database's migration lock while the block runs.

    Replicas that start together each run `db upgrade`: the first migrates,
    the others wait here, then find the database at head and do nothing.
    The lock is taken before the migration's transaction begins, so a
    waiter's transaction sees everything the first one committed.
    - PostgreSQL: a session advisory lock;
    - MySQL and MariaDB: GET_LOCK on a name derived from the database's;
    - SQLite: the migration's own transaction, which the driver begins with
      BEGIN IMMEDIATE, holds the write lock; here a waiter is only given as
      long as a migration may take, instead of the driver's 30 seconds.
    """
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_lock({POSTGRESQL_KEY})")
        connection.commit()
        try:
            yield
        finally:
            connection.rollback()
            connection.exec_driver_sql(f"SELECT pg_advisory_unlock({POSTGRESQL_KEY})")
            connection.commit()
    elif dialect == "mysql":
        # Lock names are server-wide (64 characters at most): one per database.
        name = "CONCAT('edmunds_migrations_', SHA1(DATABASE()))"
        got = connection.exec_driver_sql(
            f"SELECT GET_LOCK({name}, {WAIT_SECONDS})"
        ).scalar()
        connection.commit()
        if got != 1:
            raise CommandError(
                f"another migration held the lock for {WAIT_SECONDS} seconds"
            )
        try:
            yield
        finally:
            connection.rollback()
            connection.exec_driver_sql(f"SELECT RELEASE_LOCK({name})")
            connection.commit()
    elif dialect == "sqlite":
        driver_connection = connection.connection.driver_connection
        (before,) = driver_connection.execute("PRAGMA busy_timeout").fetchone()
        driver_connection.execute(f"PRAGMA busy_timeout = {WAIT_SECONDS * 1000}")
        try:
            yield
        finally:
            driver_connection.execute(f"PRAGMA busy_timeout = {before}")
    else:
        yield
