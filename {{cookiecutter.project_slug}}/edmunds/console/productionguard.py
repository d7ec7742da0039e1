import click
from flask import current_app


def refuse_in_production(command, why):
    """Stop a command that has no business on production data, before it acts.

    Production is any environment with DEBUG and TESTING off, as for the
    secret key: `production` itself, and a `staging` or any other that a
    team adds by copying .env.production.py.
    """
    if not (current_app.debug or current_app.testing):
        environment = current_app.config.get("APP_ENV") or "unset"
        raise click.ClickException(
            f"{command} is refused in production (APP_ENV={environment}, "
            f"DEBUG and TESTING off): {why}"
        )
