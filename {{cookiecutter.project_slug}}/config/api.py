# The JSON API: its OpenAPI document (/api/openapi.json, with a docs page at
# /api/docs) and what every answer carries. See edmunds/http/. The document's
# title is APP["name"] (config/app.py) unless API_TITLE says otherwise.
API_VERSION = {{ cookiecutter.version | python_string }}
OPENAPI_VERSION = "3.0.3"
OPENAPI_URL_PREFIX = "/api"
OPENAPI_JSON_PATH = "openapi.json"

# How many proxies (nginx, a load balancer) stand between the clients and
# gunicorn: 0 serves clients directly. With 1 or more, the client's address
# (the login throttle counts by it) and scheme come from the headers the
# proxies add (X-Forwarded-For, -Proto, -Host); set it in .env.production.py
# behind deploy/nginx.conf or compose.yaml's proxy. Never more than there
# are: a client could then write its own address.
PROXIES = 0

# A bigger request body is refused with a 413, with a Content-Length or
# sent chunked, before any handler runs (edmunds/http/bodylimit.py).
MAX_CONTENT_LENGTH = 1024 * 1024

# On every answer. The policy lets the docs page load its own scripts and
# styles from this app and nothing from anywhere else; Swagger UI sets some
# styles inline. No Strict-Transport-Security: the HTTPS proxy's to send
# (docs/api.md says why).
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
}
