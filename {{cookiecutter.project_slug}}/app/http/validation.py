"""Reading a request's input: a clear 400 for anything a handler cannot use.

Handlers call these before they write anything, so a refused request leaves
the database as it was.
"""

from flask import request
from werkzeug.exceptions import BadRequest

from app.http.invalidinput import InvalidInput


def json_object(*fields):
    """The request body as a dict, holding no field but ``fields``."""
    # force: a JSON body sent without its Content-Type is read all the same;
    # silent: a body that is not JSON becomes None and gets the 400 below.
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise BadRequest('the request body must be a JSON object, e.g. {"name": "Ada"}')
    for field in body:
        if field not in fields:
            raise InvalidInput(field, f"unknown field; expected {', '.join(fields)}")
    return body


def text(body, field, max_length):
    """A required string field, stripped of surrounding blanks."""
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(field, "required, a non-blank string")
    value = value.strip()
    if len(value) > max_length:
        raise InvalidInput(field, f"at most {max_length} characters")
    return value


def query_int(field, default, maximum):
    """A whole number from 1 to ``maximum`` in the query string."""
    value = request.args.get(field)
    if value is None:
        return default
    if not value.isdigit() or not 1 <= int(value) <= maximum:
        raise InvalidInput(field, f"a whole number from 1 to {maximum}")
    return int(value)
