import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import MetaData, inspect

from edmunds.console.productionguard import (
    confirmed,
    refuse_in_production,
    refuse_outside_test_databases,
)
from edmunds.database.commands.seedcommand import seed_command
from edmunds.database.db import db


@click.command("fresh")
@click.option("--seed", is_flag=True, help="Run DatabaseSeeder afterwards.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
@with_appcontext
def fresh_command(context, seed, yes):
    """Drop every table of every instance, then upgrade."""
    refuse_in_production("db fresh", "it drops every table")
    refuse_outside_test_databases("db fresh")
    manager = current_app.extensions["edmunds.database"]
    instances = ", ".join(
        f"{name} ({driver.describe()})" for name, driver in manager.drivers.items()
    )
    if not yes and not confirmed(
        f"Drop every table, its data and the migration history of: {instances}?"
    ):
        click.echo("Nothing was dropped.", err=True)
        context.exit(1)
    for engine in db.engines.values():
        drop_everything(engine)
    # The group's own `upgrade`, as `db upgrade` runs it.
    db_group = context.parent
    context.invoke(db_group.command.get_command(db_group, "upgrade"))
    click.echo(f"Dropped every table and upgraded to head: {instances}.")
    if seed:
        context.invoke(seed_command)


def drop_everything(engine):
    """Every table the database holds, whoever made it (Alembic's too).

    What is in the database counts, not what the models say: a table of a
    model deleted since, or one a half-run migration made, goes as well.
    """
    with engine.begin() as connection:
        found = MetaData()
        found.reflect(connection)
        found.drop_all(connection)
        if connection.dialect.name == "postgresql":
            # Enum types outlive the tables whose columns used them.
            quote = connection.dialect.identifier_preparer.quote
            for enum in inspect(connection).get_enums():
                connection.exec_driver_sql(f"DROP TYPE {quote(enum['name'])}")
