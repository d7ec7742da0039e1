"""Alembic's environment for every database instance: what migrations/env.py runs.

It is `flask db init --multidb`'s env.py, trimmed to Flask-SQLAlchemy 3, with
what a team needs on top: every database (the default one and each bind) is
migrated in one run, each in its own transaction, all committed together;
each holds its migration lock for the whole run (migrationlock.py); a
relative target (`db downgrade`, `db upgrade +1`) is resolved before the
locks, so that commands started together agree on where to go; what
`db migrate` writes is rewritten by revisionrewriter.py, which also warns of
what it drops and of what breaks a rolling deploy (rollingdeploy.py).
"""

import logging
import re
from logging.config import fileConfig

from alembic import context
from alembic.util import CommandError
from flask import current_app
from sqlalchemy import event

from edmunds.database.migrations import notnullcolumns, renames, revisionrewriter
from edmunds.database.migrations.commands import HEADS_AT_START
from edmunds.database.migrations.migrationlock import migration_lock

USE_TWOPHASE = False
# Statements MySQL commits on the spot, whatever the transaction says.
DDL = ("CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE")

logger = logging.getLogger("alembic.env")
# Alembic's relative targets: -1, +2, head-1, <revision>+1, <branch>@-1.
RELATIVE_TARGET = re.compile(r"(?:.+@)?\w*[+-]\d+")


def run_migrations():
    config = context.config
    fileConfig(config.config_file_name)
    target_db = current_app.extensions["migrate"].db
    bind_names = list(current_app.config.get("SQLALCHEMY_BINDS") or {})
    engines = {"": target_db.engines[None]}
    engines.update((name, target_db.engines[name]) for name in bind_names)
    if any(engine.dialect.name == "postgresql" for engine in engines.values()):
        # Enum types: created before their tables, dropped after them.
        import alembic_postgresql_enum  # noqa: F401

    for name, engine in engines.items():
        url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
        if name:
            config.set_section_option(name, "sqlalchemy.url", url)
        else:
            config.set_main_option("sqlalchemy.url", url)

    def metadata(name):
        return target_db.metadatas[name or None]

    if context.is_offline_mode():
        _run_offline(config, engines, metadata)
    else:
        _run_online(config, engines, metadata)


def _run_offline(config, engines, metadata):
    """Write the SQL of each database into <name>.sql instead of running it."""
    for name in engines:
        logger.info("Migrating database %s", name or "<default>")
        filename = f"{name}.sql"
        logger.info("Writing output to %s", filename)
        url = (
            config.get_section_option(name, "sqlalchemy.url")
            if name
            else config.get_main_option("sqlalchemy.url")
        )
        with open(filename, "w") as buffer:
            context.configure(
                url=url,
                output_buffer=buffer,
                target_metadata=metadata(name),
                literal_binds=True,
            )
            with context.begin_transaction():
                context.run_migrations(engine_name=name)


class StepTracker(logging.Handler):
    """Remembers the step Alembic last started ("upgrade 0001 -> 0002, ...")."""

    step = None

    def emit(self, record):
        message = record.getMessage()
        if message.startswith("Running "):
            self.step = message.removeprefix("Running ")


class SchemaChanges:
    """The schema changes a connection made in its last step, for MySQL's sake."""

    def __init__(self, connection, tracker):
        self.tracker = tracker
        self.step = None
        self.statements = []
        event.listen(connection, "after_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        first_line = statement.strip().splitlines()[0].rstrip(" (")
        if first_line.split(" ", 1)[0].upper() not in DDL:
            return
        if self.tracker.step != self.step:
            self.step, self.statements = self.tracker.step, []
        self.statements.append(first_line)


def _connect(engine):
    connection = engine.connect()
    if connection.dialect.name == "sqlite":
        # SQLite alters a table by copying it and dropping the original; with
        # foreign keys enforced that drop would cascade-delete every row that
        # points at the table. Enforcement can only change outside a
        # transaction: off here, checked before commit, back on in _close().
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    return connection


def _check_foreign_keys(name, connection):
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise CommandError(
            f"database {name or '<default>'}: the migration leaves rows that "
            f"point at missing rows {broken[:3]}; nothing was changed"
        )


def _close(connection):
    if connection.dialect.name == "sqlite":
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
    connection.close()


def _same_database(engine):
    url = engine.url
    return (url.get_backend_name(), url.host, url.port, url.database)


def _run_online(config, engines, metadata):
    """Migrate every database, committing only when all of them succeeded."""
    names = list(engines)

    def process_revision_directives(context, revision, directives):
        # Alembic calls this once per database, in the order of `engines`.
        if not getattr(config.cmd_opts, "autogenerate", False) or not directives:
            return
        script = directives[0]
        instance = names[len(script.upgrade_ops_list) - 1]
        renames.ask_about_renames(script, context)  # before its drops are warned of
        revisionrewriter.rewrite(script)
        notnullcolumns.fill_existing_rows(script, context)
        # Last: the steps warned of are those the revision ends up with.
        revisionrewriter.warn(script, instance or "default", context.dialect)
        # `db migrate` with no change anywhere writes no empty revision.
        if len(script.upgrade_ops_list) == len(names) and all(
            ops.is_empty() for ops in script.upgrade_ops_list
        ):
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("render_item", revisionrewriter.render_item)

    connections, changes, locks, locked = {}, {}, [], set()
    tracker = StepTracker()
    steps_log = logging.getLogger("alembic.runtime.migration")
    steps_log.addHandler(tracker)
    name = ""
    try:
        for name, engine in engines.items():
            connections[name] = _connect(engine)
        # Every target fixed before the first lock: a command that waited
        # behind another must not read where that one left the database.
        at_start = current_app.extensions.get(HEADS_AT_START, {})
        agreed = {
            name: _agreed_steps(conn, at_start.get(name or None))
            for name, conn in connections.items()
        }
        for name, engine in engines.items():
            connection = connections[name]
            # Locks in one order for every process, each database once.
            if _same_database(engine) not in locked:
                locked.add(_same_database(engine))
                locks.append(migration_lock(connection))
                locks[-1].__enter__()
            changes[name] = SchemaChanges(connection, tracker)
        transactions = {
            name: conn.begin_twophase() if USE_TWOPHASE else conn.begin()
            for name, conn in connections.items()
        }
        try:
            for name, conn in connections.items():
                logger.info("Migrating database %s", name or "<default>")
                tracker.step = None
                context.configure(
                    connection=conn,
                    upgrade_token=f"{name}_upgrades",
                    downgrade_token=f"{name}_downgrades",
                    target_metadata=metadata(name),
                    **conf_args,
                    **({"fn": agreed[name]} if agreed[name] else {}),
                )
                context.run_migrations(engine_name=name)
                _check_foreign_keys(name, conn)

            if USE_TWOPHASE:
                for transaction in transactions.values():
                    transaction.prepare()
            for transaction in transactions.values():
                transaction.commit()
        except Exception as error:
            for transaction in transactions.values():
                transaction.rollback()
            if isinstance(error, CommandError) or tracker.step is None:
                raise
            # The driver's own message, without SQLAlchemy's SQL echo and links.
            reason = str(getattr(error, "orig", None) or error).splitlines()[0]
            raise CommandError(
                f"database {name or '<default>'} failed at {tracker.step}: {reason} "
                f"({_what_stayed(connections, changes, name, tracker.step)})"
            ) from error
    finally:
        steps_log.removeHandler(tracker)
        for lock in reversed(locks):
            lock.__exit__(None, None, None)
        for conn in connections.values():
            _close(conn)


def _agreed_steps(connection, at_start=None):
    """For a relative target, the steps it means from where the database was
    when the command started (``at_start``, else now).

    Alembic reads a relative target (`db downgrade` is `-1`) from the
    database's revision once the command holds the lock. Four `db
    downgrade` started together would then go down four steps, one after
    the other. Read before the lock instead, every one of them means the
    same revision: the first goes there, the others find it reached and do
    nothing. None for an absolute target (head, base, a revision), which
    means the same under the lock as before it.
    """
    quiet = logging.getLogger("alembic.runtime.migration")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # its "Context impl" line comes later
    try:
        context.configure(connection=connection)
        migration = context.get_context()
        target = migration.opts.get("destination_rev")
        if not (isinstance(target, str) and RELATIVE_TARGET.fullmatch(target)):
            return None
        before = migration.get_current_heads() if at_start is None else at_start
        steps = list(migration.opts["fn"](before, migration))
    finally:
        quiet.setLevel(level)
        connection.rollback()  # the lock is taken outside any transaction
    after = set(before)
    for step in steps:
        after = (after - set(step.from_revisions)) | set(step.to_revisions)

    def steps_agreed(heads, _):
        if set(heads) == set(before):
            return steps
        if set(heads) == after:
            return []  # another command started with this one went there
        raise CommandError(
            f"the database moved from {_revisions(before)} to "
            f"{_revisions(heads)} while `{target}` waited for the lock: "
            "nothing was changed; look at `python manage.py db current` "
            "and run the command again if it still applies"
        )

    return steps_agreed


def _revisions(heads):
    return ", ".join(sorted(heads)) or "base"


def _what_stayed(connections, changes, failed, step):
    """Where the rollback could not undo everything: what is left, and where."""
    kept = []
    for name, conn in connections.items():
        if conn.dialect.name != "mysql" or not changes[name].statements:
            continue
        if name == failed and changes[name].step != step:
            continue  # the failed step changed nothing; earlier ones are recorded
        try:
            recorded = conn.exec_driver_sql("SELECT version_num FROM alembic_version")
            revisions = ", ".join(sorted(row[0] for row in recorded)) or "base"
        finally:
            conn.rollback()
        kept.append(
            f"database {name or '<default>'} kept "
            f"{'; '.join(changes[name].statements)} (from {changes[name].step}) "
            f"and is recorded at revision {revisions}"
        )
    if not kept:
        return "every database was rolled back"
    return (
        "MySQL commits schema changes as it goes: "
        + "; ".join(kept)
        + ": undo those by hand, or finish them and `python manage.py db stamp` "
        "the revision they complete"
    )
