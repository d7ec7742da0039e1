from flask import current_app
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import InternalServerError

from edmunds.database.missingschema import missing_schema, reason_of
from edmunds.http.databaseunavailable import database_unavailable

FIX = (
    "run python manage.py db migrate -m '...' if no revision adds it yet, "
    "then python manage.py db upgrade"
)


def schema_behind(error):
    """A table or column the models name and the database lacks: a 500 that
    says which command fixes it, in development; one log line everywhere.

    OperationalError's and ProgrammingError's handler. SQLite and MySQL
    report a missing column as an OperationalError, the class of a server
    gone away too: that one still answers 503 (databaseunavailable.py), but
    a developer whose model is ahead of the database is no longer sent
    looking for a dead server. Any other error goes on to Flask's own 500.
    """
    if not missing_schema(error):
        if isinstance(error, OperationalError):
            return database_unavailable(error)
        raise error
    reason = reason_of(error)
    current_app.logger.error(
        "the database schema is behind the models: %s; %s", reason, FIX
    )
    if current_app.debug:
        message = f"the database schema is behind the models ({reason}): {FIX}"
    else:
        # Production names no table nor column: the log line does.
        message = InternalServerError.description
    return {"error": {"code": 500, "message": message}}, 500
