import flask_smorest
from marshmallow import Schema, fields


class ErrorDetail(Schema):
    code = fields.Integer(required=True, metadata={"description": "HTTP status"})
    message = fields.String(required=True)
    field = fields.String(
        metadata={"description": "The input field at fault, when there is one"}
    )


class ErrorSchema(Schema):
    """What every error answers, the server's own 404, 405 and 413 included."""

    error = fields.Nested(ErrorDetail, required=True)


class Api(flask_smorest.Api):
    """flask-smorest's Api, answering errors in the one shape the API documents.

    ``{"error": {"code": 400, "message": "...", "field": "name"}}``: ``field``
    only when one input field is at fault (edmunds/http/invalidinput.py).
    """

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        body = {"code": error.code, "message": error.description}
        field = getattr(error, "field", None)
        if field is not None:
            body["field"] = field
        # The error's own headers (Allow on a 405) stay; its HTML type goes.
        headers = [
            (key, value)
            for key, value in error.get_headers()
            if key.lower() != "content-type"
        ]
        return {"error": body}, error.code, headers
