from flask import Response
from flask_security import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import Forbidden

from app.database.models.user import User
from app.http.find import find
from app.http.pagination import PageArguments, paginated
from app.http.schemas.user import UserPage, UserSchema, UserUpdateSchema
from edmunds.auth.tokenguard import require_role
from edmunds.database.db import db
from edmunds.http.blueprint import endpoint


# Schema instances, not classes: webargs would build a class's anew for
# every request.
@endpoint.arguments(PageArguments(), location="query")
@endpoint.response(200, UserPage)
def index(page):
    """Every user with their tags, by id, a page at a time."""
    # One more query for the whole page's tags, not one per user.
    query = select(User).options(selectinload(User.tags)).order_by(User.id)
    return paginated(query, **page)


@endpoint.arguments(UserSchema())
@endpoint.response(201, UserSchema)
def create(fields):
    """A new user, without tags."""
    user = User(tags=[], **fields)
    db.session.add(user)
    db.session.commit()
    return user


@endpoint.response(200, UserSchema)
@endpoint.alt_response(404, response="NOT_FOUND")
def show(user_id):
    """One user with their tags."""
    return find(User, user_id)


@endpoint.arguments(UserUpdateSchema())
@endpoint.response(200, UserSchema)
@endpoint.alt_response(403, response="FORBIDDEN")
@endpoint.alt_response(404, response="NOT_FOUND")
def update(fields, user_id):
    """Change the fields sent, keep the others: one's own, or anyone's with
    the admin role."""
    if user_id != current_user.id:
        require_role("admin")
    user = find(User, user_id)
    for name, value in fields.items():
        setattr(user, name, value)
    db.session.commit()
    return user


@endpoint.response(204)
@endpoint.alt_response(403, response="FORBIDDEN")
@endpoint.alt_response(404, response="NOT_FOUND")
def delete(user_id):
    """The user and their links to tags; the tags stay. Admin role only,
    and not one's own user: an admin who could would lock themselves out."""
    require_role("admin")
    if user_id == current_user.id:
        raise Forbidden("an admin does not delete their own user here")
    db.session.delete(find(User, user_id))
    db.session.commit()
    return Response(status=204)
