"""``python manage.py make ...``: new models, tables, seeders and commands.

Each generator checks everything first (the name, that nothing has it yet
and the file system can hold its file, the instance, a model's fields) and
refuses in one line before it writes a file; then it writes the new file
from ``stubs/`` and lists it in ``config/app.py`` (a model with fields adds
its factory to ``tests/factories.py`` too), or removes the new file again
and puts back what it edited when a file cannot be written. The stubs give
every line the same layout whatever the name (a call split by a trailing
comma, the class's own ``__name__``), and calllayout.py lays out a field's
line as ruff would, so that ruff keeps what they write as written.
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
@click.argument("fields", nargs=-1, metavar="[FIELD]...")
@click.option("--instance", help="Database instance (default: the first).")
@click.option("--table", help="Table name (default: NAME in plural snake case).")
@with_appcontext
def make_model(name, fields, instance, table):
    """A model NAME in app/database/models/, listed in config.

    Each FIELD is NAME:TYPE[:ARG][?], e.g. title:string:120 body:text?
    user:references; with fields, tests/factories.py gets its factory.
    """
    # Imported here, as in _model_source: their dataclasses take 12 M
    # instructions to make, which every start (the app's too) paid for a
    # command run now and then.
    from edmunds.console.generators.fields import parse_fields

    class_name(name, "model")
    table = table_name(table or _plural_snake(name))
    bind_key = _bind_key(instance)
    fields = [_resolved(field, bind_key) for field in parse_fields(fields)]
    path = _new_file("app/database/models", name)
    config = _config_without(name)
    _refuse_existing_table(table)
    factories = _factories_for(name, fields) if fields else None
    config.add(("database", "modelsandtables"), _module_of(path), name)
    if factories:
        factories.add(_module_of(path), name, fields)
    source = _model_source(name, table, bind_key, fields)
    _write(path, source, config, *([factories] if factories else []))
    _created(path, f"{name} is listed in config/app.py's modelsandtables")
    if factories:
        click.echo(f"Added {name}Factory to tests/factories.py.")
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
    source = _stub(
        "table",
        name=name,
        table=table,
        left=left.__name__,
        right=right.__name__,
        columns=columns,
        bind_key=_literal(_bind_key_of(left)),
    )
    _write(path, source, config)
    _created(path, f"{name} is listed in config/app.py's modelsandtables")
    click.echo(f'Next: {_manage()} db migrate -m "Add {table}"')


@make.command("seeder")
@click.argument("name")
@with_appcontext
def make_seeder(name):
    """A seeder NAME in app/database/seeders/."""
    class_name(name, "seeder")
    path = _new_file("app/database/seeders", name)
    _write(path, _stub("seeder", name=name))
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
    source = _stub("command", name=name, command=command, where=_relative(path))
    _write(path, source, config)
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
        from edmunds.console.generators.configfile import ConfigFile
        from edmunds.console.generators.sourcefile import FIRST_PARTY
    except ImportError as error:
        raise _needs_dev_group(error) from None
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


def _needs_dev_group(error):
    return click.ClickException(
        f"make needs the dev dependency group ({error}): "
        "uv sync (pip: pip install -e . --group dev)"
    )


def _refuse_existing_table(table):
    # Alembic's own, on every instance, and in no metadata: db migrate and
    # db check would never see a model mapped onto it.
    if table == "alembic_version":
        raise click.ClickException(
            "alembic_version is the table where each database records its "
            "revision: pick another name (or --table)"
        )
    for metadata in db.metadatas.values():
        if table in metadata.tables:
            raise click.ClickException(
                f"a table named {table!r} exists: pick another name (or --table)"
            )


def _listed_model(name):
    for model in _listed_models():
        if model.__name__ == name:
            return model
    raise click.ClickException(
        f"no model named {name!r} in config/app.py's modelsandtables"
    )


def _listed_models():
    entries = current_app.config("app.database.modelsandtables", [])
    return [entry for entry in entries if isinstance(entry, type)]


def _key_column(model):
    key = _primary_key(model)
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
        f"        {_column_type(key)},\n"
        f"        {foreign_key}\n"
        "        primary_key=True,\n"
        "    ),\n"
    )


def _primary_key(model):
    keys = list(model.__table__.primary_key.columns)
    if len(keys) != 1:
        raise click.ClickException(
            f"{model.__name__} has {len(keys)} primary key columns: make links "
            "to models with one"
        )
    return keys[0]


def _column_type(column):
    """Its type as a model writes it: db.Integer, db.String(50)."""
    type_name = type(column.type).__name__
    return "db." + (
        type_name if repr(column.type) == f"{type_name}()" else repr(column.type)
    )


def _resolved(field, bind_key):
    """A reference with its model and key; any other field as it is."""
    if field.type != "references":
        return field
    models = [
        model for model in _listed_models() if snake_case(model.__name__) == field.name
    ]
    if len(models) != 1:
        camel = "".join(word.capitalize() for word in field.name.split("_"))
        raise click.ClickException(
            f"field {field.spec!r} needs one model whose snake-case name is "
            f"{field.name!r} ({camel}) in config/app.py's modelsandtables; it has "
            + (" and ".join(model.__name__ for model in models) or "none")
        )
    (model,) = models
    if _bind_key_of(model) != bind_key:
        manager = current_app.extensions["edmunds.database"]
        where = manager.instance_name(_bind_key_of(model))
        raise click.ClickException(
            f"field {field.spec!r}: {model.__name__} lives on database instance "
            f"{where!r}, the new model on {manager.instance_name(bind_key)!r}; a "
            f"foreign key cannot point into another database (--instance {where})"
        )
    key = _primary_key(model)
    return field.referencing(
        model.__name__, f"{model.__table__.name}.{key.name}", _column_type(key)
    )


def _factories_for(name, fields):
    """tests/factories.py, ready for NAME's factory; None, said, without it."""
    try:
        from edmunds.console.generators.factoriesfile import FactoriesFile
    except ImportError as error:
        raise _needs_dev_group(error) from None
    path = Path(current_app.root_path) / "tests" / "factories.py"
    if not path.exists():
        click.echo("No tests/factories.py: no factory written.")
        return None
    factories = FactoriesFile(path)
    factories.refuse_clashes(name, fields)
    missing = factories.missing()
    if missing:
        click.echo(f"tests/factories.py has no {missing!r}: no factory written.")
        return None
    return factories


def _model_source(name, table, bind_key, fields):
    from edmunds.console.generators.calllayout import INDENT, assignment

    columns = "".join(
        assignment(INDENT, field.column_name, field.column()) for field in fields
    )
    relationships = "".join(
        assignment(INDENT, field.name, field.relationship())
        for field in fields
        if field.model
    )
    return _stub(
        "model",
        name=name,
        table=table,
        bind_key=_literal(bind_key),
        imports="db, relationship" if relationships else "db",
        # The relationships a paragraph of their own, as in User and Tag.
        columns=columns + ("\n" + relationships if relationships else ""),
    )


def _stub(stub, **values):
    return Template((STUBS / f"{stub}.py.stub").read_text()).substitute(values)


def _write(path, source, *edited):
    """The new file, then the ``edited`` ones: all or nothing."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # "x": a file that appeared since the checks is never overwritten.
        new_file = path.open("x")
    except OSError as error:
        raise _cannot_write(path, error) from None
    written = []
    try:
        with new_file:
            new_file.write(source)
        for file in edited:
            file.write()
            written.append(file)
    except BaseException as error:
        # Nothing half made: a file cut short, or one that config/app.py
        # does not list, goes again, and an edited file is as it was.
        path.unlink()
        for file in written:
            file.restore()
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
