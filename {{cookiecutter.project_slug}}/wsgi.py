"""The WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi ...``."""

import sys

from bootstrap.app import bootstrap
from edmunds.config.configurationerror import ConfigurationError

try:
    app = bootstrap()
except ConfigurationError as error:
    # One line, as manage.py prints it. gunicorn.conf.py preloads the app, so
    # gunicorn stops here once instead of restarting failing workers.
    sys.exit(f"Error: {error}")
