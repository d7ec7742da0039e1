import threading

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

    # The OpenAPI document is written when it is first read (/api/openapi.json,
    # the docs page, `flask openapi`, or ``api.spec`` in code), not as the app
    # is built: flask-smorest's responses and each blueprint's operations are
    # documented then, in the order they were registered, once. A boot or a
    # test that never reads the document skips that work (about 80 M
    # instructions for the sample routes).

    def __init__(self, app=None, **kwargs):
        self._undocumented = []
        self._documenting = threading.RLock()
        self._writing = False
        self._spec = None
        super().__init__(app, **kwargs)

    @property
    def spec(self):
        if self._undocumented or self._writing:
            # Reentrant: each step reads self.spec, and its own thread goes
            # on with the spec as it is; any other waits for the whole
            # document.
            with self._documenting:
                if not self._writing:
                    self._writing = True
                    try:
                        while self._undocumented:
                            self._undocumented.pop(0)()
                    finally:
                        self._writing = False
        return self._spec

    @spec.setter
    def spec(self, spec):
        self._spec = spec

    # What flask-smorest's _init_spec adds to the spec it makes, in its order.
    def _register_responses(self):
        self._undocumented.append(super()._register_responses)

    def _register_etag_headers(self):
        self._undocumented.append(super()._register_etag_headers)

    def _register_pagination_header(self):
        self._undocumented.append(super()._register_pagination_header)

    def register_blueprint(self, blp, *, parameters=None, **options):
        """flask-smorest's, with the blueprint's operations documented when
        the document is first read (the rest, as it does, at once)."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)

        def document():
            blp.register_views_in_doc(
                self, self._app, self._spec, name=name, parameters=parameters
            )
            self._spec.tag({"name": name, "description": blp.description})
            self._document_the_token_refusal()

        self._undocumented.append(document)

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

    def require_a_token(self, header):
        """Document every operation as needing a token in ``header``, but
        those whose ``security`` is ``[]`` (edmunds/auth/public.py)."""
        scheme = {"type": "apiKey", "in": "header", "name": header}
        # On the spec as it is: reading self.spec would write the document.
        self._spec.components.security_scheme("token", scheme)
        self._spec.options["security"] = [{"token": []}]

    def _document_the_token_refusal(self):
        """Every operation that needs a token (all but those whose
        ``security`` is ``[]``) answers 401 without one: the document says so."""
        if not self._spec.options.get("security"):
            return
        # flask-smorest keeps a response per HTTP status, written out once used.
        refusal = self._spec.components.get_ref("response", "UNAUTHORIZED")
        for item in self._spec._paths.values():
            for method, operation in item.items():
                if method == "parameters" or operation.get("security") == []:
                    continue
                operation.setdefault("responses", {}).setdefault("401", refusal)
