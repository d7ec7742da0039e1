import flask_smorest

from edmunds.http.requestparser import RequestParser


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint, reading requests with the API's own parser."""

    ARGUMENTS_PARSER = RequestParser()


# The decorators handlers are documented with: @endpoint.arguments(Schema),
# @endpoint.response(200, Schema), @endpoint.alt_response(404, ...). They
# write what a handler takes and answers on the handler itself; routes.py
# then adds handlers to each app's own blueprints, which read it from there.
endpoint = Blueprint("endpoint", __name__)
