import click
from flask import current_app


def refuse_in_production(command, why):
    """Stop a command that has no business on production data, before it acts."""
    if current_app.config.get("APP_ENV") == "production":
        raise click.ClickException(
            f"{command} is refused in production (APP_ENV=production): {why}"
        )
