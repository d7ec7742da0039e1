from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import Conflict

from app.database.models.tag import Tag
from app.http.pagination import paginated
from app.http.validation import json_object, text
from edmunds.database.db import db

NAME_LENGTH = Tag.__table__.c.name.type.length


def tag_json(tag):
    return {"id": tag.id, "name": tag.name}


def index():
    """GET /api/tags: every tag, by id, a page at a time."""
    return paginated(select(Tag).order_by(Tag.id), tag_json)


def create():
    """POST /api/tags {"name": ...}: 201 with the tag, 409 if the name is taken."""
    body = json_object("name")
    tag = Tag(name=text(body, "name", max_length=NAME_LENGTH))
    db.session.add(tag)
    try:
        db.session.commit()
    except IntegrityError:
        # The unique index decides, so two requests racing for one name
        # cannot both win.
        db.session.rollback()
        raise Conflict(f"a tag named {tag.name!r} already exists") from None
    return tag_json(tag), 201
