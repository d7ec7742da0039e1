from flask import jsonify
from werkzeug.exceptions import HTTPException

from edmunds.support.serviceprovider import ServiceProvider


class HttpErrorServiceProvider(ServiceProvider):
    """Answers HTTP errors (404, 405, ...) as JSON, like the rest of the API."""

    def register(self):
        self.app.register_error_handler(HTTPException, _http_error)


def _http_error(error):
    response = jsonify(error={"code": error.code, "message": error.description})
    return response, error.code
