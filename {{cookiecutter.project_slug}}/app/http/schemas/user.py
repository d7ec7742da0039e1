from marshmallow import fields

from app.database.models.user import User
from app.http.pagination import page_of
from app.http.schemas.tag import TagSchema
from edmunds.http.fields import Text
from edmunds.http.schema import Schema

NAME_LENGTH = User.__table__.c.name.type.length


class UserSchema(Schema):
    """A user as the API shows it, with their tags in id order."""

    id = fields.Integer(dump_only=True)
    name = Text(
        required=True, max_length=NAME_LENGTH, metadata={"example": "Ada Lovelace"}
    )
    tags = fields.List(fields.Nested(TagSchema), dump_only=True)


class UserUpdateSchema(UserSchema):
    """PATCH: any field of a user, none required."""

    name = Text(max_length=NAME_LENGTH, metadata={"example": "Ada King"})


UserPage = page_of(UserSchema)
