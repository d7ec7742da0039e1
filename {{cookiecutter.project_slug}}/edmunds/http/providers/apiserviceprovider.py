from flask import (
    Response,
    current_app,
    json,
    render_template_string,
    send_from_directory,
    url_for,
)
from sqlalchemy.exc import InterfaceError, OperationalError, ProgrammingError
from swagger_ui_bundle import swagger_ui_path
from werkzeug.exceptions import NotFound
from werkzeug.middleware.proxy_fix import ProxyFix

from edmunds.auth.tokenguard import HEADER as TOKEN_HEADER
from edmunds.database.databaseconnectionerror import DatabaseConnectionError
from edmunds.database.migrations.revisions import KNOWN_REVISIONS, KnownRevisions
from edmunds.http.api import Api
from edmunds.http.bodylimit import refuse_a_body_past_the_limit
from edmunds.http.databaseunavailable import database_unavailable
from edmunds.http.nostore import no_store
from edmunds.http.schemabehind import schema_behind
from edmunds.support.serviceprovider import ServiceProvider


class ApiServiceProvider(ServiceProvider):
    """The JSON API's machinery: its OpenAPI document, docs page and answers.

    - ``/api/openapi.json``, built by flask-smorest from the schemas that
      validate the requests, and ``/api/docs``, Swagger UI served from the
      swagger-ui-bundle package: nothing is fetched from another site;
    - every error in JSON (see edmunds/http/api.py); a database that goes
      away answers 503; a table or column the database lacks 500, naming
      the fix in development (schemabehind.py); a body over
      MAX_CONTENT_LENGTH 413 (bodylimit.py);
    - the revisions of migrations/, read once here for /ready (health.py);
    - ``SECURITY_HEADERS`` (config/api.py) on every answer, and
      ``Cache-Control: no-store`` on the API's own and every error (nostore.py).

    routes.py finds the Api in ``app.extensions["edmunds.api"]``.
    """

    def register(self):
        app = self.app
        # config/api.py sets these; a project without it still gets a document.
        app.config.setdefault("API_TITLE", app.config("app.name", "API"))
        app.config.setdefault("API_VERSION", "1")
        app.config.setdefault("OPENAPI_VERSION", "3.0.3")
        app.config.setdefault("OPENAPI_URL_PREFIX", "/api")
        app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
        api = Api(app)
        app.extensions["edmunds.api"] = api
        if "security" in app.extensions:
            # Tokens (edmunds/auth/): every operation needs one unless it
            # says otherwise (the login's `security: []`).
            api.require_a_token(TOKEN_HEADER)
        # A server that cut the connection, or refuses new ones (which the
        # drivers report as DatabaseConnectionError).
        for error in (InterfaceError, DatabaseConnectionError):
            app.register_error_handler(error, database_unavailable)
        # Either may be a missing table or column instead; schema_behind
        # hands a server gone away on to database_unavailable.
        for error in (OperationalError, ProgrammingError):
            app.register_error_handler(error, schema_behind)
        if "migrate" in app.extensions:
            # As the app is built, never per request: it loads every revision.
            app.extensions[KNOWN_REVISIONS] = KnownRevisions(app)
        proxies = app.config.get("PROXIES", 0)
        if proxies:
            # Behind N proxies, the client's address is the Nth from the end
            # of X-Forwarded-For; the ones before it anyone can write.
            app.wsgi_app = ProxyFix(
                app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
            )
        app.before_request(refuse_a_body_past_the_limit)
        app.after_request(no_store)

        headers = dict(app.config.get("SECURITY_HEADERS", {}))
        if headers:

            @app.after_request
            def add_security_headers(response):
                for key, value in headers.items():
                    response.headers.setdefault(key, value)
                return response

        docs = app.config["OPENAPI_URL_PREFIX"].rstrip("/") + "/docs"
        app.add_url_rule(docs, "api-docs.page", _docs_page)
        app.add_url_rule(f"{docs}/start.js", "api-docs.start", _docs_start)
        app.add_url_rule(f"{docs}/<path:filename>", "api-docs.asset", _docs_asset)


# Swagger UI's own files: the only ones the page loads besides these two.
_ASSETS = frozenset(
    ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png", "favicon-16x16.png")
)

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{{ title }}: API</title>
  <link rel="icon" href="{{ url_for('api-docs.asset', filename='favicon-32x32.png') }}">
  <link rel="stylesheet" href="{{ url_for('api-docs.asset', filename='swagger-ui.css') }}">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{{ url_for('api-docs.asset', filename='swagger-ui-bundle.js') }}"></script>
  <script src="{{ url_for('api-docs.start') }}"></script>
</body>
</html>
"""

# A file of its own, not an inline script: the Content-Security-Policy
# allows scripts from the app alone.
_START = """window.ui = SwaggerUIBundle({
  url: %s,
  dom_id: "#swagger-ui",
  deepLinking: true,
  // Swagger UI would otherwise ask validator.swagger.io about the document.
  validatorUrl: null
});
"""


def _docs_page():
    return render_template_string(_PAGE, title=current_app.config["API_TITLE"])


def _docs_start():
    spec = url_for("api-docs.openapi_json")
    return Response(_START % json.dumps(spec), mimetype="text/javascript")


def _docs_asset(filename):
    if filename not in _ASSETS:
        raise NotFound(f"the docs page has no file {filename!r}")
    return send_from_directory(swagger_ui_path, filename)
