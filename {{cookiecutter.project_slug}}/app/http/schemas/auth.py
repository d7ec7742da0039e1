from marshmallow import fields

from edmunds.http.schema import Schema


class LoginSchema(Schema):
    """An email and its password."""

    email = fields.String(required=True, metadata={"example": "ada@example.com"})
    password = fields.String(
        required=True, load_only=True, metadata={"example": "correct horse battery"}
    )


class TokenSchema(Schema):
    """What every later request sends in the Authentication-Token header."""

    token = fields.String(required=True)
    expires_in = fields.Integer(
        required=True, metadata={"description": "Seconds the token lasts"}
    )
