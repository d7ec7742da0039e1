# Alembic's entry point, as `flask db init --multidb` writes it, trimmed to
# Flask-SQLAlchemy 3: every database (the default one and each bind) is
# migrated in one run, each in its own transaction, all committed together.
import logging
from logging.config import fileConfig

from alembic import context
from alembic.util import CommandError
from flask import current_app

USE_TWOPHASE = False

config = context.config
fileConfig(config.config_file_name)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
bind_names = list(current_app.config.get("SQLALCHEMY_BINDS") or {})


def get_engine(bind_key=None):
    return target_db.engines[bind_key]


def get_engine_url(bind_key=None):
    url = get_engine(bind_key).url.render_as_string(hide_password=False)
    return url.replace("%", "%%")


config.set_main_option("sqlalchemy.url", get_engine_url())
for bind in bind_names:
    config.set_section_option(bind, "sqlalchemy.url", get_engine_url(bind_key=bind))


def get_metadata(bind):
    """The metadata of one database: '' is the default one."""
    return target_db.metadatas[bind or None]


def run_migrations_offline():
    """Write the SQL of each database into <name>.sql instead of running it."""
    urls = {"": config.get_main_option("sqlalchemy.url")}
    for name in bind_names:
        urls[name] = config.get_section_option(name, "sqlalchemy.url")

    for name, url in urls.items():
        logger.info("Migrating database %s", name or "<default>")
        filename = f"{name}.sql"
        logger.info("Writing output to %s", filename)
        with open(filename, "w") as buffer:
            context.configure(
                url=url,
                output_buffer=buffer,
                target_metadata=get_metadata(name),
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


def connect(engine):
    connection = engine.connect()
    if connection.dialect.name == "sqlite":
        # SQLite alters a table by copying it and dropping the original; with
        # foreign keys enforced that drop would cascade-delete every row that
        # points at the table. Enforcement can only change outside a
        # transaction: off here, checked before commit, back on in close().
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    return connection


def check_foreign_keys(name, connection):
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise CommandError(
            f"database {name or '<default>'}: the migration leaves rows that "
            f"point at missing rows {broken[:3]}; nothing was changed"
        )


def close(connection):
    if connection.dialect.name == "sqlite":
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
    connection.close()


def run_migrations_online():
    """Migrate every database, committing only when all of them succeeded."""

    def process_revision_directives(context, revision, directives):
        # `db migrate` with no change anywhere writes no empty revision.
        # Alembic calls this once per database: judge after the last one.
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if len(script.upgrade_ops_list) <= len(bind_names):
                return
            if all(ops.is_empty() for ops in script.upgrade_ops_list):
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = current_app.extensions["migrate"].configure_args
    conf_args.setdefault("process_revision_directives", process_revision_directives)

    connections = {"": connect(get_engine())}
    for name in bind_names:
        connections[name] = connect(get_engine(name))
    transactions = {
        name: conn.begin_twophase() if USE_TWOPHASE else conn.begin()
        for name, conn in connections.items()
    }
    tracker = StepTracker()
    steps_log = logging.getLogger("alembic.runtime.migration")
    steps_log.addHandler(tracker)

    name = ""
    try:
        for name, conn in connections.items():
            logger.info("Migrating database %s", name or "<default>")
            tracker.step = None
            context.configure(
                connection=conn,
                upgrade_token=f"{name}_upgrades",
                downgrade_token=f"{name}_downgrades",
                target_metadata=get_metadata(name),
                **conf_args,
            )
            context.run_migrations(engine_name=name)
            check_foreign_keys(name, conn)

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
            "(every database was rolled back where its engine allows)"
        ) from error
    finally:
        steps_log.removeHandler(tracker)
        for conn in connections.values():
            close(conn)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
