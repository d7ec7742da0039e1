"""/up and /ready: what a load balancer or an orchestrator asks the app."""

from flask import current_app
from marshmallow import fields
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from edmunds.database.databaseconnectionerror import DatabaseConnectionError
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


@endpoint.response(200, Up)
def up():
    """The process runs and answers; nothing else is asked.

    Cheap enough to poll often: no database is touched.
    """
    return {"status": "up"}


@endpoint.response(200, Ready)
@endpoint.alt_response(503, schema=Ready, description="A database did not answer")
def ready():
    """Every database instance answers a trivial query.

    A 503 names the instances that failed, never where they are or who
    logs in to them.
    """
    manager = current_app.extensions.get("edmunds.database")
    failed = []
    for name in manager.drivers if manager else ():
        try:
            with manager.engine(name).connect() as connection:
                connection.execute(text("SELECT 1"))
        except (SQLAlchemyError, DatabaseConnectionError) as error:
            failed.append(name)
            current_app.logger.error(
                "database instance %r is not ready: %s",
                name,
                describe(error),
            )
    if failed:
        return {"status": "unavailable", "failed": failed}, 503
    return {"status": "ready"}
