"""Alembic runs this file for every `db` command; edmunds does the work."""

from edmunds.database.migrations.environment import run_migrations

run_migrations()
