from flask import Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import Conflict

from app.database.models.tag import Tag
from app.http.find import find
from app.http.pagination import PageArguments, paginated
from app.http.schemas.tag import TagPage, TagSchema, TagUpdateSchema
from edmunds.auth.tokenguard import require_role
from edmunds.database.db import db
from edmunds.http.blueprint import endpoint


@endpoint.arguments(PageArguments(), location="query")
@endpoint.response(200, TagPage)
def index(page):
    """Every tag, by id, a page at a time."""
    return paginated(select(Tag).order_by(Tag.id), **page)


@endpoint.arguments(TagSchema())
@endpoint.response(201, TagSchema)
@endpoint.alt_response(409, response="CONFLICT")
def create(fields):
    """A new tag; 409 if a tag reads the same (see the name's description)."""
    tag = Tag(**fields)
    db.session.add(tag)
    save(tag)
    return tag


@endpoint.response(200, TagSchema)
@endpoint.alt_response(404, response="NOT_FOUND")
def show(tag_id):
    """One tag."""
    return find(Tag, tag_id)


@endpoint.arguments(TagUpdateSchema())
@endpoint.response(200, TagSchema)
@endpoint.alt_response(403, response="FORBIDDEN")
@endpoint.alt_response(404, response="NOT_FOUND")
@endpoint.alt_response(409, response="CONFLICT")
def update(fields, tag_id):
    """Rename a tag; 409 if another tag reads the same. Admin role only:
    it renames the tag of every user who has it."""
    require_role("admin")
    tag = find(Tag, tag_id)
    for name, value in fields.items():
        setattr(tag, name, value)
    save(tag)
    return tag


@endpoint.response(204)
@endpoint.alt_response(403, response="FORBIDDEN")
@endpoint.alt_response(404, response="NOT_FOUND")
def delete(tag_id):
    """The tag, taken from every user who had it. Admin role only."""
    require_role("admin")
    db.session.delete(find(Tag, tag_id))
    db.session.commit()
    return Response(status=204)


def save(tag):
    # Read before the commit: the rollback expires a stored tag, whose name
    # then reloads as the one it kept, not the one asked for.
    name = tag.name
    try:
        db.session.commit()
    except IntegrityError:
        # The unique index on the name's key decides, so two requests racing
        # for one name cannot both win.
        db.session.rollback()
        raise Conflict(f"a tag named {name!r} already exists") from None
