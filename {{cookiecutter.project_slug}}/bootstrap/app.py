import os

from app.http.routes import register_routes
from edmunds.application import Application
from edmunds.console.providers.consoleserviceprovider import ConsoleServiceProvider
from edmunds.database.providers.migrateserviceprovider import (
    MigrateServiceProvider,
)
from edmunds.http.providers.apiserviceprovider import ApiServiceProvider

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def bootstrap():
    """Build the application: the one place where it is wired together."""
    app = Application("app", root_path=PROJECT_ROOT)
    app.register(MigrateServiceProvider)
    # After MigrateServiceProvider: `db seed` and `db fresh` join its group.
    app.register(ConsoleServiceProvider)
    app.register(ApiServiceProvider)
    register_routes(app)
    return app
