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

    def register_blueprint(self, blp, **options):
        super().register_blueprint(blp, **options)
        if self.spec.options.get("security"):
            self._document_the_token_refusal()

    def _document_the_token_refusal(self):
        """Every operation that needs a token (all but those whose
        ``security`` is ``[]``) answers 401 without one: the document says so."""
        # flask-smorest keeps a response per HTTP status, written out once used.
        refusal = self.spec.components.get_ref("response", "UNAUTHORIZED")
        for item in self.spec._paths.values():
            for method, operation in item.items():
                if method == "parameters" or operation.get("security") == []:
                    continue
                operation.setdefault("responses", {}).setdefault("401", refusal)
