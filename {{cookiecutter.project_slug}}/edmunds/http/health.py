"""/up and /ready: what a load balancer or an orchestrator asks the app."""

from flask import current_app
from marshmallow import fields
from sqlalchemy.exc import SQLAlchemyError

from edmunds.database.databaseconnectionerror import DatabaseConnectionError
from edmunds.database.migrations.revisions import KNOWN_REVISIONS, current_revisions
from edmunds.http.api import ErrorDetail
from edmunds.http.blueprint import endpoint
from edmunds.http.databaseunavailable import describe
from edmunds.http.schema import Schema


class Up(Schema):
    status = fields.String(required=True, metadata={"example": "up"})


class Ready(Schema):
    status = fields.String(required=True, metadata={"example": "ready"})
    failed = fields.List(
        fields.String(),
        metadata={"description": "The database instances that did not answer"},
    )
    behind = fields.List(
        fields.String(),
        metadata={
            "description": "The database instances that lack revisions of "
            "migrations/: `python manage.py db upgrade` applies them"
        },
    )
    error = fields.Nested(
        ErrorDetail, metadata={"description": "What to do about the instances behind"}
    )


@endpoint.response(200, Up)
def up():
    """The process runs and answers; nothing else is asked.

    Cheap enough to poll often: no database is touched.
    """
    return {"status": "up"}


@endpoint.response(200, Ready)
@endpoint.alt_response(
    503,
    schema=Ready,
    description="A database did not answer, or its schema is behind the code's",
)
def ready():
    """Every database instance answers, at the revisions of migrations/.

    One query per instance reads its revisions; migrations/ was read once,
    as the app was built (KnownRevisions). A 503 names the instances that
    failed or are behind, never where they are or who logs in to them: a
    replica whose code needs columns its database lacks gets no traffic.
    """
    manager = current_app.extensions.get("edmunds.database")
    known = current_app.extensions.get(KNOWN_REVISIONS)
    failed, behind = [], []
    for name in manager.drivers if manager else ():
        try:
            with manager.engine(name).connect() as connection:
                current = current_revisions(connection)
        except (SQLAlchemyError, DatabaseConnectionError) as error:
            failed.append(name)
            current_app.logger.error(
                "database instance %r is not ready: %s",
                name,
                describe(error),
            )
            continue
        if known is not None and known.behind(current):
            behind.append(name)
            current_app.logger.error(
                "database instance %r is behind the migrations (at %s, they "
                "end at %s): run python manage.py db upgrade",
                name,
                ", ".join(sorted(current)) or "base",
                ", ".join(sorted(known.heads)),
            )
    if not (failed or behind):
        return {"status": "ready"}
    body = {"status": "unavailable" if failed else "behind"}
    if failed:
        body["failed"] = failed
    if behind:
        body["behind"] = behind
        body["error"] = {"code": 503, "message": _upgrade_message(behind)}
    return body, 503


def _upgrade_message(names):
    listed = ", ".join(repr(name) for name in names)
    subject = (
        f"database instances {listed} are"
        if len(names) > 1
        else f"database instance {listed} is"
    )
    return (
        f"{subject} behind the migrations of this code: run python manage.py db upgrade"
    )
