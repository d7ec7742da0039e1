import importlib

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from edmunds.console.productionguard import (
    refuse_in_production,
    refuse_outside_test_databases,
)
from edmunds.database.db import db
from edmunds.database.seeding.seeder import Seeder

SEEDERS = "app.database.seeders"


@click.command("seed")
@click.option(
    "--class",
    "name",
    default="DatabaseSeeder",
    show_default=True,
    help="The seeder to run, a class in app/database/seeders/.",
)
@with_appcontext
def seed_command(name):
    """Add the seeders' rows (DatabaseSeeder's by default)."""
    refuse_in_production("db seed", "it writes sample rows")
    refuse_outside_test_databases("db seed")
    seeder = find_seeder(name)
    try:
        before = row_counts()
        seeder(current_app).run()
        db.session.commit()
        after = row_counts()
    except SQLAlchemyError as error:
        db.session.rollback()
        reason = " ".join(str(getattr(error, "orig", None) or error).split())
        raise click.ClickException(
            f"{name} failed, nothing was written: {reason}"
        ) from None
    # Seeding twice is allowed (the sample seeders find their rows again),
    # so say what this run changed rather than that it ran.
    click.echo(f"{name}: {changes(before, after)}.")


def row_counts():
    """Rows per table, for every model's table that exists, on every instance."""
    counts = {}
    for key, engine in db.engines.items():
        metadata = db.metadatas.get(key)  # an instance no model is on has none
        if metadata is None:
            continue
        # The session's own connection: a second one would wait on SQLite's
        # lock for the rows the seeder is about to write.
        connection = db.session.connection(bind_arguments={"bind": engine})
        inspector = inspect(connection)
        for table in metadata.sorted_tables:
            if inspector.has_table(table.name, schema=table.schema):
                query = select(func.count()).select_from(table)
                counts[table.fullname] = connection.scalar(query)
    return counts


def changes(before, after):
    """``added 25 users, 10 tags``, or that nothing was added."""
    moved = {table: after[table] - before.get(table, 0) for table in after}
    added = [f"{count} {table}" for table, count in moved.items() if count > 0]
    removed = [f"{-count} {table}" for table, count in moved.items() if count < 0]
    said = [
        f"added {', '.join(added)}" if added else "added no rows",
        *([f"removed {', '.join(removed)}"] if removed else []),
    ]
    return "; ".join(said)


def find_seeder(name):
    """The Seeder class ``name`` of ``app/database/seeders/<name lower>.py``."""
    where = f"app/database/seeders/{name.lower()}.py"
    if not (name.isidentifier() and name.isascii()):
        raise click.ClickException(f"no seeder named {name!r}: not a class name")
    module_name = f"{SEEDERS}.{name.lower()}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name in (module_name, SEEDERS, "app.database"):
            raise click.ClickException(f"no seeder named {name!r} ({where})") from None
        # The sample seeders build rows with factory-boy and Faker, which
        # only the dev dependency group installs.
        raise click.ClickException(
            f"{where} needs {error.name!r}, which is not installed: "
            "uv sync (the dev group; pip: pip install -e . --group dev)"
        ) from None
    seeder = getattr(module, name, None)
    if not (isinstance(seeder, type) and issubclass(seeder, Seeder)):
        raise click.ClickException(f"{where} has no Seeder subclass named {name!r}")
    return seeder
