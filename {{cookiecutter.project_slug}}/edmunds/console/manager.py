import os
import sys
from functools import partial

import click
from flask.cli import FlaskGroup
from flask.helpers import get_debug_flag

from edmunds.config.configurationerror import ConfigurationError
from edmunds.database.databaseconnectionerror import DatabaseConnectionError


class Manager:
    """``python manage.py <command>``: Flask's own CLI, run in this process.

    The app is built once, before the command line is read, so that a
    configuration mistake is one line on stderr rather than a traceback; so
    is a database that cannot be reached when a command needs it.
    Flask-Migrate's ``db`` group and Flask's ``run``, ``shell`` and ``routes``
    are all there.

    ``add_http``, when given, wires the app's HTTP side (its API and routes)
    into an app that ``create_app`` built without it; the Manager calls it
    for every command but the console's own ``db`` and ``make``, which work
    on the databases and the project's files and so start without loading
    the API's libraries.
    """

    # The console's own groups: they never serve, route or render a request.
    WITHOUT_HTTP = frozenset({"db", "make"})

    def __init__(self, create_app, add_http=None):
        self.create_app = create_app
        self.add_http = add_http

    def run(self, args=None):
        try:
            app = self.create_app()
            cli = _Console(
                add_http=_once(partial(self.add_http, app)) if self.add_http else None,
                create_app=lambda: _with_debug_flag(app),
                # The app's debug mode comes from its config; FLASK_DEBUG or
                # --debug can only switch it on (see _with_debug_flag).
                set_debug_flag=False,
                load_dotenv=False,
            )
            # The app is already built: FlaskGroup's options to find one
            # (--app) or to load python-dotenv files (--env-file) do nothing.
            cli.params = [p for p in cli.params if p.name not in ("app", "env_file")]
            cli.main(args=args, prog_name="manage.py")
        except ImportError as error:
            # A model imported under a name its module lacks, and the like.
            click.echo(
                f"Error: {ConfigurationError.from_import_error(error)}", err=True
            )
            sys.exit(1)
        except (ConfigurationError, DatabaseConnectionError) as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            # Ctrl-C while the app is being built, before click reads the
            # command line: click's own one line for a Ctrl-C, not a
            # traceback through the imports.
            click.echo("Aborted!", err=True)
            sys.exit(1)


class _Console(FlaskGroup):
    """Flask's command group, wiring the app's HTTP side into the app only
    for a command that may need it, once click has read which one runs.

    Listing the commands (``--help``) or looking up one that is not there
    yet (``make command``'s check that a name is free) wires it as well:
    the API adds commands of its own (flask-smorest's ``openapi``).
    """

    def __init__(self, add_http, **kwargs):
        super().__init__(**kwargs)
        self.add_http = add_http or (lambda: None)

    def resolve_command(self, ctx, args):
        # args[0] is the command's name: click has read the group's options.
        if args and args[0] not in Manager.WITHOUT_HTTP:
            self.add_http()
        return super().resolve_command(ctx, args)

    def list_commands(self, ctx):
        # The list goes on without the API's commands if its side is broken:
        # the commands that would show what is wrong are still listed.
        try:
            self.add_http()
        except ImportError as error:
            click.echo(
                f"Error: {ConfigurationError.from_import_error(error)}", err=True
            )
        except ConfigurationError as error:
            click.echo(f"Error: {error}", err=True)
        return super().list_commands(ctx)

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is None:
            self.add_http()
            command = super().get_command(ctx, name)
        return command


def _once(function):
    # Once even if it fails: a half-wired app is not wired again on top.
    done = []

    def call():
        if not done:
            done.append(True)
            function()

    return call


def _with_debug_flag(app):
    # Flask's `run` reads only FLASK_DEBUG (which --debug sets) to start the
    # reloader and debugger. The flag goes through app.debug, which refuses
    # it in production; a config with DEBUG on sets the flag for `run`.
    if get_debug_flag():
        app.debug = True
    elif app.debug:
        os.environ["FLASK_DEBUG"] = "1"
    return app
