from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.database.models.user import User
from app.http.handlers.tags import tag_json
from app.http.pagination import paginated
from app.http.validation import json_object, text
from edmunds.database.db import db

NAME_LENGTH = User.__table__.c.name.type.length


def user_json(user):
    return {
        "id": user.id,
        "name": user.name,
        "tags": [tag_json(tag) for tag in user.tags],
    }


def index():
    """GET /api/users: every user with their tags, by id, a page at a time."""
    # One more query for the whole page's tags, not one per user.
    query = select(User).options(selectinload(User.tags)).order_by(User.id)
    return paginated(query, user_json)


def create():
    """POST /api/users {"name": ...}: 201 with the new user."""
    body = json_object("name")
    user = User(name=text(body, "name", max_length=NAME_LENGTH), tags=[])
    db.session.add(user)
    db.session.commit()
    return user_json(user), 201
