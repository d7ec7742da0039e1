"""``python manage.py make ...``: new models, tables, seeders and commands.

Each generator checks everything first (the name, that nothing has it yet
and the file system can hold its file, the instance) and refuses in one
line before it writes a file; then it writes the new file from ``stubs/``
and lists it in ``config/app.py``, or removes the new file again when
config/app.py cannot be written. The stubs give every line the same layout
whatever the name (a call split by a trailing comma, the class's own
``__name__``), so that ruff keeps what they write as written.
"""

import json
import os
from pathlib import Path
from string import Template

import click
from flask import current_app
from flask.cli import with_appcontext

from edmunds.config.configurationerror import ConfigurationError
from edmunds.console.generators.names import (
    LINE_LENGTH,
    class_name,
    function_name,
    module_name,
    plural,
    snake_case,
    table_name,
)
from edmunds.database.db import db

STUBS = Path(__file__).parent / "stubs"
# The longest file name most file systems hold, where os.pathconf cannot say.
NAME_MAX = 255


@click.group("make")
def make():
    """Write a new model, table, seeder or command into app/."""


@make.command("model")
@click.argument("name")
@click.option("--instance", help="Database instance (default: the first).")
@click.option("--table", help="Table name (default: NAME in plural snake case).")
@with_appcontext
def make_model(name, instance, table):
    """A model NAME in app/database/models/, listed in config."""
    class_name(name, "model")
    table = table_name(table or _plural_snake(name))
    bind_key = _bind_key(instance)
    path = _new_file("app/database/models", name)
    config = _config_without(name)
    _refuse_existing_table(table)
    config.add(("database", "modelsandtables"), _module_of(path), name)
    _write(path, "model", config, name=name, table=table, bind_key=_literal(bind_key))
    _created(path, f"{name} is listed in config/app.py's modelsandtables")
    click.echo(f'Next: {_manage()} db migrate -m "Add {table}"')


@make.command("table")
@click.argument("name")
@click.option(
    "--between",
    nargs=2,
    required=True,
    metavar="MODEL MODEL",
    help="The two models it links (listed in modelsandtables).",
)
@with_appcontext
def make_table(name, between):
    """A table NAME linking two models, listed in config."""
    class_name(name, "table")
    table = table_name(snake_case(name))
    left, right = (_listed_model(model) for model in between)
    if left is right:
        raise click.ClickException(
            f"--between names {left.__name__} twice: a table links two models"
        )
    if _bind_key_of(left) != _bind_key_of(right):
        raise click.ClickException(
            f"{left.__name__} and {right.__name__} live on different database "
            "instances: a table with keys to both must be on one"
        )
    columns = "".join(_key_column(model) for model in (left, right))
    path = _new_file("app/database/models", name)
    config = _config_without(name)
    _refuse_existing_table(table)
    config.add(("database", "modelsandtables"), _module_of(path), name)
    _write(
        path,
        "table",
        config,
        name=name,
        table=table,
        left=left.__name__,
        right=right.__name__,
        columns=columns,
        bind_key=_literal(_bind_key_of(left)),
    )
    _created(path, f"{name} is listed in config/app.py's modelsandtables")
    click.echo(f'Next: {_manage()} db migrate -m "Add {table}"')


@make.command("seeder")
@click.argument("name")
@with_appcontext
def make_seeder(name):
    """A seeder NAME in app/database/seeders/."""
    class_name(name, "seeder")
    path = _new_file("app/database/seeders", name)
    _write(path, "seeder", name=name)
    _created(path, "call it from DatabaseSeeder.run")
    click.echo(f"Run it alone: {_manage()} db seed --class {name}")


@make.command("command")
@click.argument("name")
@with_appcontext
def make_command(name):
    """A command NAME in app/console/commands/, listed in config."""
    function_name(name, "command")
    command = name.replace("_", "-")
    root = click.get_current_context().find_root()
    if root.command.get_command(root, command) is not None:
        raise click.ClickException(
            f"a command named {command!r} exists: pick another name"
        )
    path = _new_file("app/console/commands", name)
    config = _config_without(name)
    config.add(("console", "commands"), _module_of(path), name)
    _write(path, "command", config, name=name, command=command, where=_relative(path))
    _created(path, f"{name} is listed in config/app.py's console commands")
    click.echo(f"Run it: {_manage()} {command}")


def _plural_snake(name):
    words = snake_case(name).rsplit("_", 1)
    return "_".join([*words[:-1], plural(words[-1])])


def _bind_key(instance):
    manager = current_app.extensions["edmunds.database"]
    try:
        return manager.bind_key(instance)
    except ConfigurationError:
        raise click.ClickException(
            f"unknown database instance {instance!r}: config/app.py has "
            + ", ".join(repr(name) for name in manager.drivers)
        ) from None


def _bind_key_of(model):
    # Flask-SQLAlchemy keeps one MetaData per bind key, marked with it.
    return model.__table__.metadata.info.get("bind_key")


def _new_file(folder, name):
    path = Path(current_app.root_path) / folder / f"{module_name(name)}.py"
    if path.exists():
        raise click.ClickException(f"{_relative(path)} exists: pick another name")
    length, most = len(os.fsencode(path.name)), _name_max(path.parent)
    if length > most:
        raise click.ClickException(
            f"{_relative(path)} would be a file name of {length} bytes, and this "
            f"file system holds {most}: pick a shorter name"
        )
    return path


def _name_max(folder):
    """The longest file name ``folder``'s file system holds."""
    # The folder may be made with the file: its nearest parent says.
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        most = os.pathconf(folder, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):  # no pathconf on Windows
        return NAME_MAX
    return most if most > 0 else NAME_MAX  # -1: no limit it can tell


def _config_without(name):
    """config/app.py, refused when it already binds ``name``."""
    try:
        from edmunds.console.generators.configfile import FIRST_PARTY, ConfigFile
    except ImportError as error:
        raise click.ClickException(
            f"make needs the dev dependency group ({error}): "
            "uv sync (pip: pip install -e . --group dev)"
        ) from None
    config = ConfigFile(Path(current_app.root_path) / "config" / "app.py")
    if name in FIRST_PARTY:
        raise click.ClickException(
            f"{name!r} would shadow the project's package {name!r}: pick another name"
        )
    if config.defines(name):
        raise click.ClickException(
            f"config/app.py already has a {name!r}: pick another name"
        )
    return config


def _refuse_existing_table(table):
    for metadata in db.metadatas.values():
        if table in metadata.tables:
            raise click.ClickException(
                f"a table named {table!r} exists: pick another name (or --table)"
            )


def _listed_model(name):
    for entry in current_app.config("app.database.modelsandtables", []):
        if isinstance(entry, type) and entry.__name__ == name:
            return entry
    raise click.ClickException(
        f"no model named {name!r} in config/app.py's modelsandtables"
    )


def _key_column(model):
    keys = list(model.__table__.primary_key.columns)
    if len(keys) != 1:
        raise click.ClickException(
            f"{model.__name__} has {len(keys)} primary key columns: a generated "
            "table links models with one"
        )
    (key,) = keys
    type_name = type(key.type).__name__
    column_type = "db." + (
        type_name if repr(key.type) == f"{type_name}()" else repr(key.type)
    )
    target = f'"{model.__tablename__}.{key.name}"'
    foreign_key = f'db.ForeignKey({target}, ondelete="CASCADE"),'
    if len(" " * 8 + foreign_key) > LINE_LENGTH:
        foreign_key = (
            f'db.ForeignKey(\n            {target},\n            ondelete="CASCADE",\n'
            "        ),"
        )
    return (
        "    db.Column(\n"
        f'        "{snake_case(model.__name__)}_{key.name}",\n'
        f"        {column_type},\n"
        f"        {foreign_key}\n"
        "        primary_key=True,\n"
        "    ),\n"
    )


def _write(path, stub, config=None, **values):
    """The new file, then ``config`` (when it lists it): both or neither."""
    source = Template((STUBS / f"{stub}.py.stub").read_text()).substitute(values)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # "x": a file that appeared since the checks is never overwritten.
        new_file = path.open("x")
    except OSError as error:
        raise _cannot_write(path, error) from None
    try:
        with new_file:
            new_file.write(source)
        if config is not None:
            config.write()
    except BaseException as error:
        # Nothing half made: a file cut short, or one that config/app.py
        # does not list, goes again.
        path.unlink()
        if isinstance(error, OSError):
            raise _cannot_write(path, error) from None
        raise


def _cannot_write(path, error):
    return click.ClickException(
        f"cannot write {_relative(path)}: {error.strerror or error}"
    )


def _literal(bind_key):
    # Double quotes, as ruff's formatter writes strings.
    return "None" if bind_key is None else json.dumps(bind_key)


def _module_of(path):
    return ".".join(path.relative_to(current_app.root_path).with_suffix("").parts)


def _relative(path):
    return path.relative_to(current_app.root_path).as_posix()


def _manage():
    """How this project's commands were started: ``uv run`` sets ``UV``."""
    return "uv run python manage.py" if os.environ.get("UV") else "python manage.py"


def _created(path, note):
    click.echo(f"Wrote {_relative(path)}; {note}.")
