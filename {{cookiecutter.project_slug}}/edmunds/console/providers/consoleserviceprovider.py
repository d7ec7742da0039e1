import click

from edmunds.config.configurationerror import ConfigurationError
from edmunds.console.generators.make import make
from edmunds.database.commands.freshcommand import fresh_command
from edmunds.database.commands.seedcommand import seed_command
from edmunds.support.serviceprovider import ServiceProvider


class ConsoleServiceProvider(ServiceProvider):
    """The console beyond Flask's: ``make``, ``db seed``, ``db fresh`` and the
    project's own commands, ``APP['console']['commands']`` in config/app.py.

    Registered from bootstrap after ``MigrateServiceProvider``, whose ``db``
    group the seeding commands join.
    """

    def register(self):
        cli = self.app.cli
        cli.add_command(make)
        db_group = cli.commands.get("db")
        if isinstance(db_group, click.Group):
            db_group.add_command(seed_command)
            db_group.add_command(fresh_command)
        for command in self.app.config("app.console.commands", None) or []:
            if not isinstance(command, click.Command):
                raise ConfigurationError(
                    f"APP['console']['commands'] holds {command!r}, which is not a "
                    "click command (decorate it with @click.command())"
                )
            cli.add_command(command)
