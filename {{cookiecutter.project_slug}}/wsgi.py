"""The WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi ...``."""

import sys

from edmunds.config.configurationerror import ConfigurationError

try:
    # Imported here, as manage.py does: a mistake in the app's imports (a
    # model's name misspelt) is one line too, not a traceback per worker.
    from bootstrap.app import bootstrap

    app = bootstrap()
except ImportError as error:
    sys.exit(f"Error: {ConfigurationError.from_import_error(error)}")
except ConfigurationError as error:
    # One line, as manage.py prints it. gunicorn.conf.py preloads the app, so
    # gunicorn stops here once instead of restarting failing workers.
    sys.exit(f"Error: {error}")
