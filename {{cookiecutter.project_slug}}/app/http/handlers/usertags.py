from flask import Response
from flask_security import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import NotFound

from app.database.models.tag import Tag
from app.database.models.user import User
from app.database.models.usertags import UserTags
from app.http.find import find
from app.http.pagination import PageArguments, paginated
from app.http.schemas.tag import TagPage
from edmunds.auth.tokenguard import require_role
from edmunds.database.db import db
from edmunds.http.blueprint import endpoint


@endpoint.arguments(PageArguments(), location="query")
@endpoint.response(200, TagPage)
@endpoint.alt_response(404, response="NOT_FOUND")
def index(page, user_id):
    """The user's tags, by id, a page at a time."""
    find(User, user_id)
    query = (
        select(Tag)
        .join(UserTags, UserTags.c.tag_id == Tag.id)
        .where(UserTags.c.user_id == user_id)
        .order_by(Tag.id)
    )
    return paginated(query, **page)


@endpoint.response(204)
@endpoint.alt_response(403, response="FORBIDDEN")
@endpoint.alt_response(404, response="NOT_FOUND")
def attach(user_id, tag_id):
    """Give the user the tag; giving it again changes nothing. One's own
    tags, or anyone's with the admin role."""
    if user_id != current_user.id:
        require_role("admin")
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
    return Response(status=204)


@endpoint.response(204)
@endpoint.alt_response(403, response="FORBIDDEN")
@endpoint.alt_response(404, response="NOT_FOUND")
def detach(user_id, tag_id):
    """Take the tag from the user; the tag stays. One's own tags, or
    anyone's with the admin role."""
    if user_id != current_user.id:
        require_role("admin")
    user, tag = find(User, user_id), find(Tag, tag_id)
    if tag not in user.tags:
        raise NotFound(f"user {user_id} does not have tag {tag_id}")
    user.tags.remove(tag)
    db.session.commit()
    return Response(status=204)
