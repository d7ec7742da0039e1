import pytest

from edmunds.config.configurationerror import ConfigurationError
from edmunds.console.providers.consoleserviceprovider import ConsoleServiceProvider
from edmunds.database.providers.migrateserviceprovider import (
    MigrateServiceProvider,
)

CONFIG = """\
import click

from edmunds.database.drivers.sqlitememory import SqliteMemory


@click.command("say-hello")
def say_hello():
    click.echo("hello")


APP = {{
    "database": {{
        "enabled": True,
        "instances": [{{"name": "main", "driver": SqliteMemory}}],
    }},
    "console": {{"commands": {commands}}},
}}
"""


def test_the_project_s_commands_and_make_join_the_console(make_app):
    app = make_app({"config/app.py": CONFIG.format(commands="[say_hello]")})
    app.register(ConsoleServiceProvider)

    assert {"make", "say-hello"} <= set(app.cli.commands)


def test_seed_and_fresh_join_the_db_group(make_app):
    app = make_app({"config/app.py": CONFIG.format(commands="[]")})
    app.register(MigrateServiceProvider)
    app.register(ConsoleServiceProvider)

    assert {"seed", "fresh", "upgrade"} <= set(app.cli.commands["db"].commands)


def test_an_entry_that_is_no_command_is_refused(make_app):
    app = make_app({"config/app.py": CONFIG.format(commands="['say_hello']")})

    with pytest.raises(ConfigurationError, match="'say_hello', which is not a click"):
        app.register(ConsoleServiceProvider)
