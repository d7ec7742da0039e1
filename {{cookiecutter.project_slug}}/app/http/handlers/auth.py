from flask import Response, current_app
from flask_security import current_user

from app.http.schemas.auth import LoginSchema, TokenSchema
from edmunds.auth.login import log_in
from edmunds.auth.public import public
from edmunds.database.db import db
from edmunds.http.blueprint import endpoint


@public
@endpoint.arguments(LoginSchema())
@endpoint.response(200, TokenSchema)
@endpoint.alt_response(401, response="UNAUTHORIZED")
@endpoint.alt_response(429, response="TOO_MANY_REQUESTS")
def login(fields):
    """A token for an email and its password."""
    token = log_in(fields["email"], fields["password"])
    lifetime = current_app.config["SECURITY_TOKEN_MAX_AGE"]
    return {"token": token, "expires_in": int(lifetime.total_seconds())}


@endpoint.response(204)
@endpoint.alt_response(401, response="UNAUTHORIZED")
def logout():
    """End the token sent, and every other token of its user."""
    datastore = current_app.extensions["security"].datastore
    datastore.set_uniquifier(db.session.get(datastore.user_model, current_user.id))
    db.session.commit()
    return Response(status=204)
