"""Every list the API answers comes a page at a time, never all at once."""

from marshmallow import fields, validate

from edmunds.database.db import db
from edmunds.http.fields import AsciiInteger
from edmunds.http.schema import Schema

PER_PAGE = 20
# Bounds what one request can make the database and the app load.
MAX_PER_PAGE = 100
# Far past any real page; keeps the offset a database is asked for sane.
MAX_PAGE = 1_000_000


class PageArguments(Schema):
    """``?page=`` and ``?per_page=``: whole numbers in ASCII digits, within bounds."""

    page = AsciiInteger(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = AsciiInteger(
        load_default=PER_PAGE, validate=validate.Range(min=1, max=MAX_PER_PAGE)
    )


def page_of(item_schema):
    """The schema of one page of ``item_schema``: what paginated() answers."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(required=True),
        },
        name=item_schema.__name__.removesuffix("Schema") + "Page",
    )


def paginated(query, page, per_page):
    """One page of ``query`` and the total count, for a page_of() schema."""
    result = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return {
        "items": result.items,
        "page": page,
        "per_page": per_page,
        "total": result.total,
    }
