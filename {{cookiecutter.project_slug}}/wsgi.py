"""The WSGI entry point: ``flask --app wsgi ...`` and ``gunicorn wsgi:app``."""

from bootstrap.app import bootstrap

app = bootstrap()
