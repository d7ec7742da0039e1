import sys

import click
from flask import current_app

from edmunds.config.configurationerror import ConfigurationError
from edmunds.database.databaseconnectionerror import DatabaseConnectionError
from edmunds.database.testdatabaseguard import refuse_databases_not_meant_for_tests


def refuse_in_production(command, why):
    """Stop a command that has no business on production data, before it acts.

    Production is what the environment's own file says (Application's
    ``production``): `production` itself, and a `staging` or any other that
    a team adds by copying .env.production.py. A debug flag cannot change
    that; it is refused there before any command runs.
    """
    if current_app.production:
        environment = current_app.config["APP_ENV"]
        raise click.ClickException(
            f"{command} is refused in production (APP_ENV={environment}, whose "
            f".env.{environment}.py leaves DEBUG and TESTING off): {why}"
        )


def ask_in_production(command, why):
    """In production, ask before a command that production may need but
    that loses rows (``db downgrade`` drops what the revisions it undoes
    made); anything but a yes stops it before it acts, with exit status 1.

    Laravel asks the same of its rollbacks. A script that means it passes
    the command's ``--yes``. Elsewhere nothing is asked: development's data
    is the developer's to drop, and the tests' own databases are checked by
    refuse_outside_test_databases.
    """
    if not current_app.production:
        return
    environment = current_app.config["APP_ENV"]
    if not confirmed(f"APP_ENV={environment} is production: {command} {why}. Go on?"):
        click.echo(f"Nothing was done ({command} --yes does not ask).", err=True)
        raise click.exceptions.Exit(1)


def confirmed(question):
    """Yes typed at the question; no, an empty answer, the end of the input
    and Ctrl-C are all a no."""
    try:
        answer = click.confirm(question)
    except click.Abort:  # end of input, Ctrl-C
        answer = False
    if not answer and not sys.stdin.isatty():
        click.echo()  # ends the question's line, as a typed answer would
    return answer


def refuse_outside_test_databases(command):
    """In the testing environment, stop a command that empties or drops data
    unless every database is the one .env.testing.py names for the tests.

    The check the test session makes before its first test: APP_ENV=testing
    with DB_DEFAULT_DATABASE (or _FILE) pointing at the development database
    must not let `db fresh` drop it. Other environments pass.
    """
    if not current_app.testing:
        return
    try:
        refuse_databases_not_meant_for_tests(current_app)
    except (ConfigurationError, DatabaseConnectionError) as error:
        raise click.ClickException(f"{command} is refused: {error}") from None
