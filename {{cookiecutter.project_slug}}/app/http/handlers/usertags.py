from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import NotFound

from app.database.models.tag import Tag
from app.database.models.user import User
from app.database.models.usertags import UserTags
from app.http.handlers.tags import tag_json
from app.http.pagination import paginated
from edmunds.database.db import db


def index(user_id):
    """GET /api/users/<id>/tags: the user's tags, by id, a page at a time."""
    find(User, user_id)
    query = (
        select(Tag)
        .join(UserTags, UserTags.c.tag_id == Tag.id)
        .where(UserTags.c.user_id == user_id)
        .order_by(Tag.id)
    )
    return paginated(query, tag_json)


def attach(user_id, tag_id):
    """PUT /api/users/<id>/tags/<tag_id>: give the user the tag (idempotent)."""
    user, tag = find(User, user_id), find(Tag, tag_id)
    if tag not in user.tags:
        user.tags.append(tag)
        try:
            db.session.commit()
        except IntegrityError:
            # A concurrent request linked the same pair first: that is the
            # state this PUT asks for. Anything else is a real error.
            db.session.rollback()
            if find(Tag, tag_id) not in find(User, user_id).tags:
                raise
    return "", 204


def detach(user_id, tag_id):
    """DELETE /api/users/<id>/tags/<tag_id>: take the tag from the user."""
    user, tag = find(User, user_id), find(Tag, tag_id)
    if tag not in user.tags:
        raise NotFound(f"user {user_id} does not have tag {tag_id}")
    user.tags.remove(tag)
    db.session.commit()
    return "", 204


def find(model, ident):
    """The row, or a 404 saying which one is missing."""
    name = model.__name__.lower()
    return db.get_or_404(model, ident, description=f"no {name} has id {ident}")
