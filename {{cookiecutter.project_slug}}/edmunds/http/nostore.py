from flask import current_app, request

# The OpenAPI document and its docs page: flask-smorest's blueprint, whose
# name the provider's docs page rules share. The same for every client.
DOCUMENTATION = "api-docs"


def no_store(response):
    """``Cache-Control: no-store`` on every error and on every answer under the
    API's prefix but its document and docs page.

    Those answers may hold personal data (a user's name and tags): no shared
    cache (a proxy, a CDN) nor the browser's disk may keep them for whoever
    asks next. An error too: it answers for what was asked, and a 404 is
    cacheable by default. A handler that sets its own Cache-Control keeps it.
    """
    prefix = current_app.config["OPENAPI_URL_PREFIX"].rstrip("/") + "/"
    personal = request.path.startswith(prefix) and request.blueprint != DOCUMENTATION
    if personal or response.status_code >= 400:
        response.headers.setdefault("Cache-Control", "no-store")
    return response
