import os

from app.http.routes import register_routes
from app.providers.httperrorserviceprovider import HttpErrorServiceProvider
from edmunds.application import Application
from edmunds.console.providers.consoleserviceprovider import ConsoleServiceProvider
from edmunds.database.providers.migrateserviceprovider import (
    MigrateServiceProvider,
)

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def bootstrap():
    """Build the application: the one place where it is wired together."""
    app = Application("app", root_path=PROJECT_ROOT)
    app.register(MigrateServiceProvider)
    # After MigrateServiceProvider: `db seed` and `db fresh` join its group.
    app.register(ConsoleServiceProvider)
    app.register(HttpErrorServiceProvider)
    register_routes(app)
    return app
