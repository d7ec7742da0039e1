"""Flask-Migrate's ``db`` commands, with the checks a team needs around them.

- ``db init`` on an initialised project says so and changes nothing; where
  ``migrations/`` or one of its files is gone it writes back this project's
  own environment (``template/``), not Flask-Migrate's stock one;
- ``db migrate`` and ``db check`` refuse, in one line, while a model or table
  under ``app/database/models/`` is missing from ``modelsandtables``, or while
  a database instance is behind the latest revision;
- ``db downgrade`` in the testing environment runs only on the databases
  made for the tests, as ``db fresh`` and ``db seed`` do; in production it
  asks first (``--yes`` does not), since it drops what the revisions it
  undoes made, rows and all.
"""

import copy
import os
import shutil
from functools import wraps

import click
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate.cli import db as flask_migrate_db

from edmunds.console.productionguard import (
    ask_in_production,
    refuse_outside_test_databases,
)
from edmunds.database.db import db
from edmunds.database.migrations.questions import with_no_input
from edmunds.database.migrations.unlistedmodels import unlisted_models

# Where commands.py leaves each database's revisions at a command's start.
HEADS_AT_START = "edmunds.migrations.heads_at_start"
TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "template")


def db_commands():
    """A copy of Flask-Migrate's ``db`` group with the commands changed here."""
    group = copy.copy(flask_migrate_db)
    group.commands = dict(flask_migrate_db.commands)
    group.commands["init"] = _replace_callback(group.commands["init"], _init)
    group.commands["migrate"] = with_no_input(group.commands["migrate"])
    for name in ("migrate", "check"):
        group.commands[name] = _before(group.commands[name], _refuse_to_compare)
    # It drops tables and their rows as it goes down.
    group.commands["downgrade"] = _before(
        group.commands["downgrade"],
        lambda: refuse_outside_test_databases("db downgrade"),
    )
    for name in ("upgrade", "downgrade"):
        group.commands[name] = _before(group.commands[name], _note_the_start)
    group.commands["upgrade"] = _every_head_by_default(group.commands["upgrade"])
    # Last, so that it asks before anything else runs.
    group.commands["downgrade"] = _asking_in_production(group.commands["downgrade"])
    return group


def _asking_in_production(command):
    """`db downgrade` with a ``--yes`` option, which asks in production
    unless given one. ``--sql`` only prints the SQL: nothing to ask."""
    command = copy.copy(command)
    command.params = [
        *command.params,
        click.Option(["--yes"], is_flag=True, help="Do not ask first, in production."),
    ]
    run = command.callback

    @wraps(run)
    def asked(*args, yes, **kwargs):
        if not yes and not kwargs.get("sql"):
            ask_in_production(
                "db downgrade", "drops what the revisions it undoes made, rows too"
            )
        return run(*args, **kwargs)

    command.callback = asked
    return command


def _every_head_by_default(command):
    """`db upgrade` with no target applies every head: a template update
    brings its revisions beside the project's own (docs/updates.md), and
    both lines of revisions must reach the databases."""
    command = copy.copy(command)
    command.params = [copy.copy(param) for param in command.params]
    for param in command.params:
        if param.name == "revision":
            param.default = "heads"
    return command


def _replace_callback(command, callback):
    command = copy.copy(command)
    command.callback = callback
    return command


def _before(command, check):
    command = copy.copy(command)
    run = command.callback

    @wraps(run)
    def checked(*args, **kwargs):
        check()
        return run(*args, **kwargs)

    command.callback = checked
    return command


def _init(directory, multidb, template, package):
    if template is not None:
        raise click.UsageError(
            "this project's migrations use its own environment: run "
            "`db init --multidb` without --template"
        )
    directory = directory or current_app.extensions["migrate"].directory
    shown = os.path.relpath(directory)
    # Files only: compiling the project (the Dockerfile does) leaves a
    # __pycache__ folder beside env.py.
    missing = [
        name
        for name in sorted(os.listdir(TEMPLATE))
        if os.path.isfile(os.path.join(TEMPLATE, name))
        and not os.path.exists(os.path.join(directory, name))
    ]
    versions = os.path.join(directory, "versions")
    if not missing and os.path.isdir(versions):
        click.echo(
            f"{shown}/ is already initialised for several databases: nothing to "
            'do (`python manage.py db migrate -m "..."` writes a revision)'
        )
        return
    # Only what is missing: a file the project changed is never overwritten.
    os.makedirs(versions, exist_ok=True)
    for name in missing:
        shutil.copyfile(os.path.join(TEMPLATE, name), os.path.join(directory, name))
    click.echo(
        f"{shown}/ is initialised for several databases "
        f"(wrote {', '.join(missing) or 'versions/'})"
    )


def _refuse_to_compare():
    heads = _script().get_heads()
    if len(heads) > 1:
        raise click.ClickException(
            f"migrations/ has {len(heads)} heads ({', '.join(sorted(heads))}), "
            "two lines of revisions (a template update's beside your own): "
            'join them with `python manage.py db merge heads -m "Join heads"`, '
            "then `python manage.py db upgrade`"
        )
    unlisted = unlisted_models(current_app)
    if unlisted:
        raise click.ClickException(
            f"{', '.join(unlisted)} not in APP['database']['modelsandtables']: "
            "import each into config/app.py and add it to that list, so that "
            "every migration sees it"
        )
    behind = _instances_behind()
    if behind:
        names = ", ".join(repr(name) for name in behind)
        subject = (
            f"database instances {names} are"
            if len(behind) > 1
            else (f"database instance {names} is")
        )
        raise click.ClickException(
            f"{subject} behind the latest revision: run "
            "`python manage.py db upgrade` first"
        )


def _script():
    migrate = current_app.extensions["migrate"]
    return ScriptDirectory.from_config(migrate.migrate.get_config())


def _instances_behind():
    heads = set(_script().get_heads())
    manager = current_app.extensions["edmunds.database"]
    return [
        manager.instance_name(bind_key)
        for bind_key, current in _current_heads().items()
        if set(current) != heads
    ]


def _note_the_start():
    """Where each database is as the command starts, for a relative target.

    Read first thing, before Alembic loads its scripts: commands started
    together then read the same revisions, however long the first of them
    takes to get to its lock (environment.py resolves `-1` from these).
    """
    current_app.extensions[HEADS_AT_START] = _current_heads()


def _current_heads():
    """Each instance's revisions, by bind key (None: the default instance)."""
    found = {}
    for bind_key, engine in db.engines.items():
        with engine.connect() as connection:
            found[bind_key] = MigrationContext.configure(connection).get_current_heads()
    return found
