import os

from edmunds.application import Application
from edmunds.auth.providers.authserviceprovider import AuthServiceProvider
from edmunds.console.providers.consoleserviceprovider import ConsoleServiceProvider
from edmunds.database.providers.migrateserviceprovider import (
    MigrateServiceProvider,
)

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def bootstrap(http=True):
    """Build the application: the one place where it is wired together.

    ``http=False`` leaves out what answers requests (bootstrap_http): the
    console's ``db`` and ``make`` commands run without it (manage.py).
    """
    app = Application("app", root_path=PROJECT_ROOT)
    app.register(MigrateServiceProvider)
    # After MigrateServiceProvider: `db seed` and `db fresh` join its group.
    app.register(ConsoleServiceProvider)
    # Users, roles and tokens (APP['auth']): the console's `auth` commands
    # and the API's token guard.
    app.register(AuthServiceProvider)
    if http:
        bootstrap_http(app)
    return app


def bootstrap_http(app):
    """What answers requests: the API's machinery and every route, traces
    when the OTEL_* variables ask, request ids and the request log."""
    # Imported here: flask-smorest and marshmallow take about a tenth of a
    # second to import, which a migration or a `make model` need not wait for.
    from app.http.routes import register_routes
    from edmunds.http.providers.apiserviceprovider import ApiServiceProvider
    from edmunds.http.providers.requestlogserviceprovider import (
        RequestLogServiceProvider,
    )
    from edmunds.http.providers.tracingserviceprovider import TracingServiceProvider

    # First: a request's span starts before any hook can refuse the request.
    app.register(TracingServiceProvider)
    app.register(ApiServiceProvider)
    register_routes(app)
    # Last: its middleware wraps the rest, so that every answer has its
    # X-Request-ID and its line times all the app does.
    app.register(RequestLogServiceProvider)
