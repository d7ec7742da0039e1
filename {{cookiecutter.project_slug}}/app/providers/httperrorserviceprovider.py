from flask import jsonify
from werkzeug.exceptions import HTTPException

from edmunds.support.serviceprovider import ServiceProvider


class HttpErrorServiceProvider(ServiceProvider):
    """Answers HTTP errors (400, 404, 405, ...) as JSON, like the rest of the API.

    ``{"error": {"code": 400, "message": "...", "field": "name"}}``: ``field``
    only when one input field is at fault (see app/http/invalidinput.py).
    """

    def register(self):
        self.app.register_error_handler(HTTPException, _http_error)


def _http_error(error):
    body = {"code": error.code, "message": error.description}
    field = getattr(error, "field", None)
    if field is not None:
        body["field"] = field
    # The error's own headers (Allow on a 405) stay; its HTML content type goes.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    return jsonify(error=body), error.code, headers
