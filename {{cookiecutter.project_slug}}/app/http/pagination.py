"""Every list the API answers comes a page at a time, never all at once."""

from app.http.validation import query_int
from edmunds.database.db import db

PER_PAGE = 20
# Bounds what one request can make the database and the app load.
MAX_PER_PAGE = 100
# Far past any real page; keeps the offset a database is asked for sane.
MAX_PAGE = 1_000_000


def paginated(query, as_json):
    """One page of ``query`` (``?page=``, ``?per_page=``) and the total count."""
    page = query_int("page", default=1, maximum=MAX_PAGE)
    per_page = query_int("per_page", default=PER_PAGE, maximum=MAX_PER_PAGE)
    result = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return {
        "items": [as_json(item) for item in result.items],
        "page": page,
        "per_page": per_page,
        "total": result.total,
    }
