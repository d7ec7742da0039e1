from marshmallow import fields

from app.database.models.tag import Tag
from app.http.pagination import page_of
from edmunds.http.fields import Text
from edmunds.http.schema import Schema

NAME_LENGTH = Tag.__table__.c.name.type.length


class TagSchema(Schema):
    """A tag as the API shows it."""

    id = fields.Integer(dump_only=True)
    name = Text(
        required=True,
        max_length=NAME_LENGTH,
        visible=True,
        metadata={
            "description": "Unique as read: compared after Unicode NFKC "
            "normalization and case folding ('Math' and 'ＭＡＴＨ' are one tag), "
            "as Unicode's confusable skeleton (UTS #39: 'admin' and 'аdmin', "
            "whose 'а' is Cyrillic, are one tag); kept as typed. No invisible "
            "character (zero-width, bidi control, soft hyphen...)",
            "example": "math",
        },
    )


class TagUpdateSchema(TagSchema):
    """PATCH: any field of a tag, none required."""

    name = Text(max_length=NAME_LENGTH, visible=True, metadata={"example": "engines"})


TagPage = page_of(TagSchema)
