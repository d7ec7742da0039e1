import json

from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import BadRequest

from edmunds.http.invalidinput import InvalidInput


class RequestParser(FlaskParser):
    """webargs' Flask parser, answering bad input the way this API documents it.

    Every refusal is a 400 naming one field (see invalidinput.py), raised
    before a handler runs, so a refused request writes nothing.
    """

    # A request the schema refuses is the client's mistake like any other.
    DEFAULT_VALIDATION_STATUS = 400

    def load_json(self, req, schema):
        # The body is JSON whatever its Content-Type says: `curl -d` sends
        # form's. Anything but an object, however it fails to be one (bad
        # UTF-8, nesting deeper than the parser's recursion, a bare list),
        # gets the same one-line answer.
        data = req.get_data(cache=True)
        try:
            body = json.loads(data) if data else None
        except (ValueError, RecursionError):
            body = None
        if not isinstance(body, dict):
            raise BadRequest(
                'the request body must be a JSON object, e.g. {"name": "Ada"}'
            )
        return body

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        field, message = _first_error(error.normalized_messages())
        raise InvalidInput(field, message)


def _first_error(messages, location_level=True):
    """(field, message) of one error in marshmallow's nested messages.

    webargs files them under the location first ({"json": {"name": [...]}}).
    """
    field, found = next(iter(sorted(messages.items(), key=lambda item: item[0])))
    if location_level and isinstance(found, dict):
        return _first_error(found, location_level=False)
    while isinstance(found, dict):
        field, found = next(iter(found.items()))
    if isinstance(found, list):
        found = found[0]
    return field, str(found).rstrip(".")
