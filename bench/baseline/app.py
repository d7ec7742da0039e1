"""The baseline: the baked project's API written straight on the libraries.

One module, set up the way the Flask, Flask-SQLAlchemy, Flask-Migrate and
Flask-Security quickstarts show it. It is the floor the baked project is
measured against: the same schema, the same endpoints, the same answers, no
structure. Like the baked API, every /api/ route but the login wants a token
in the Authentication-Token header, only an admin renames or deletes tags,
deletes users or changes another user or their tags; unlike it, the login
counts no failures (no throttle).

    flask --app app db upgrade
    flask --app app run
"""

import datetime
import hashlib
import secrets
import unicodedata

from flask import Flask, abort, request
from flask_migrate import Migrate
from flask_security import (
    RoleMixin,
    Security,
    SQLAlchemyUserDatastore,
    UserMixin,
    auth_token_required,
    current_user,
    roles_required,
)
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey, String, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    mapped_column,
    relationship,
    selectinload,
)
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
app = Flask(__name__)


class IdConverter(IntegerConverter):
    """Ids fit the databases' 32-bit integers: a larger one is a 404."""

    def __init__(self, url_map):
        super().__init__(url_map, max=2**31 - 1)


app.url_map.converters["id"] = IdConverter
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///baseline.db"
app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
# The baked project's settings for the same things (its config/auth.py),
# but the hash: argon2 would need argon2-cffi, which the baked project does
# without (it computes argon2 with cryptography) and so the shared venv
# lacks. pbkdf2 runs on hashlib; the benchmark does not log in.
app.config["SECRET_KEY"] = "baseline-only-not-a-secret"
app.config["SECURITY_PASSWORD_HASH"] = "pbkdf2_sha512"
app.config["SECURITY_PASSWORD_SINGLE_HASH"] = True
app.config["SECURITY_TOKEN_MAX_AGE"] = datetime.timedelta(days=1)
app.config["SECURITY_LOGIN_URL"] = "/api/auth/login"
app.config["SECURITY_LOGOUT_URL"] = "/api/auth/logout"
# Tokens, not cookies: no form, so no CSRF token to send.
app.config["WTF_CSRF_ENABLED"] = False
db.init_app(app)
migrate = Migrate(app, db)

user_tags = db.Table(
    "user_tags",
    db.Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    db.Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)

user_roles = db.Table(
    "user_roles",
    db.Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    db.Column("role_id", ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
)


class Role(db.Model, RoleMixin):
    __tablename__ = "roles"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str | None] = mapped_column(String(255))


class User(db.Model, UserMixin):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    # Flask-Security's columns. A user made by POST /api/users has no
    # email or password: it has a token's uniquifier, and cannot log in.
    email: Mapped[str | None] = mapped_column(String(255), unique=True)
    password: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    fs_uniquifier: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: secrets.token_hex(16)
    )
    tags: Mapped[list["Tag"]] = relationship(
        secondary=user_tags, back_populates="users", order_by="Tag.id"
    )
    roles: Mapped[list[Role]] = relationship(secondary=user_roles)


class Tag(db.Model):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    name_key: Mapped[str] = mapped_column(String(64), unique=True)
    users: Mapped[list[User]] = relationship(
        secondary=user_tags, back_populates="tags", order_by=User.id
    )


security = Security(app, SQLAlchemyUserDatastore(db, User, Role))

MAX_PER_PAGE = 100


def tag_json(tag):
    return {"id": tag.id, "name": tag.name}


def user_json(user):
    return {"id": user.id, "name": user.name, "tags": [tag_json(t) for t in user.tags]}


def page_json(page, to_json):
    return {
        "items": [to_json(item) for item in page.items],
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
    }


def error(status, message):
    return {"error": {"code": status, "message": message}}, status


@app.errorhandler(HTTPException)
def http_error(e):
    return error(e.code, e.description)


# Flask-Security's refusals in the API's error shape, as the baked app answers.
def unauthenticated(mechanisms=None, headers=None):
    return error(401, "this needs a valid token in the Authentication-Token header")


def unauthorized(func_name, params):
    return error(403, "this needs the admin role")


security.unauthn_handler(unauthenticated)
security.unauthz_handler(unauthorized)


@app.errorhandler(OperationalError)
def database_error(e):
    app.logger.error("database unavailable: %s", e.orig)
    return error(503, "the database is unavailable")


@app.after_request
def security_headers(response):
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = "default-src 'self'"
    return response


def read_name(required=True):
    try:
        body = request.get_json(force=True, silent=True)
    except RecursionError:
        body = None
    if not isinstance(body, dict):
        abort(400, "the body must be a JSON object")
    if set(body) - {"name"}:
        abort(400, "only name may be given")
    if "name" not in body and not required:
        return None
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 50:
        abort(400, "name: a non-blank string of at most 50 characters")
    if any(
        ord(c) < 32 or 127 <= ord(c) < 160 or 0xD800 <= ord(c) < 0xE000 for c in name
    ):
        abort(400, "name: printable text")
    return name.strip()


def name_key(name):
    folded = unicodedata.normalize(
        "NFKC", unicodedata.normalize("NFKC", name).casefold()
    )
    return hashlib.sha256(folded.encode()).hexdigest()


def own_or_admin(user_id):
    """One's own user and tags, or anyone's with the admin role."""
    if user_id != current_user.id and not current_user.has_role("admin"):
        abort(403, "this needs the admin role")


def page_args():
    page = request.args.get("page", "1")
    per_page = request.args.get("per_page", "20")
    if not (page.isdecimal() and per_page.isdecimal()):
        abort(400, "page and per_page: whole numbers")
    if not (1 <= int(page) <= 1_000_000 and 1 <= int(per_page) <= MAX_PER_PAGE):
        abort(400, "page or per_page out of bounds")
    return int(page), int(per_page)


@app.get("/up")
def up():
    return {"status": "up"}


@app.get("/ready")
def ready():
    try:
        db.session.execute(text("SELECT 1"))
    except OperationalError:
        return {"status": "unavailable", "failed": ["default"]}, 503
    return {"status": "ready"}


@app.get("/api/users")
@auth_token_required
def list_users():
    # The page's tags in one more query, not one query per user.
    query = db.select(User).options(selectinload(User.tags)).order_by(User.id)
    page, per_page = page_args()
    return page_json(db.paginate(query, page=page, per_page=per_page), user_json)


@app.post("/api/users")
@auth_token_required
def create_user():
    user = User(name=read_name())
    db.session.add(user)
    db.session.commit()
    return user_json(user), 201


@app.get("/api/tags")
@auth_token_required
def list_tags():
    query = db.select(Tag).order_by(Tag.id)
    page, per_page = page_args()
    return page_json(db.paginate(query, page=page, per_page=per_page), tag_json)


@app.get("/api/users/<id:user_id>")
@auth_token_required
def show_user(user_id):
    return user_json(db.get_or_404(User, user_id))


@app.patch("/api/users/<id:user_id>")
@auth_token_required
def update_user(user_id):
    own_or_admin(user_id)
    user = db.get_or_404(User, user_id)
    name = read_name(required=False)
    if name is not None:
        user.name = name
    db.session.commit()
    return user_json(user)


@app.delete("/api/users/<id:user_id>")
@auth_token_required
@roles_required("admin")
def delete_user(user_id):
    if user_id == current_user.id:
        abort(403, "an admin does not delete their own user here")
    db.session.delete(db.get_or_404(User, user_id))
    db.session.commit()
    return "", 204


def save_tag(tag):
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        abort(409, f"a tag named {tag.name!r} already exists")
    return tag_json(tag)


@app.post("/api/tags")
@auth_token_required
def create_tag():
    name = read_name()
    tag = Tag(name=name, name_key=name_key(name))
    db.session.add(tag)
    return save_tag(tag), 201


@app.get("/api/tags/<id:tag_id>")
@auth_token_required
def show_tag(tag_id):
    return tag_json(db.get_or_404(Tag, tag_id))


@app.patch("/api/tags/<id:tag_id>")
@auth_token_required
@roles_required("admin")
def update_tag(tag_id):
    tag = db.get_or_404(Tag, tag_id)
    name = read_name(required=False)
    if name is not None:
        tag.name, tag.name_key = name, name_key(name)
    return save_tag(tag)


@app.delete("/api/tags/<id:tag_id>")
@auth_token_required
@roles_required("admin")
def delete_tag(tag_id):
    db.session.delete(db.get_or_404(Tag, tag_id))
    db.session.commit()
    return "", 204


@app.get("/api/users/<id:user_id>/tags")
@auth_token_required
def list_user_tags(user_id):
    db.get_or_404(User, user_id)
    query = (
        db.select(Tag)
        .join(user_tags, user_tags.c.tag_id == Tag.id)
        .where(user_tags.c.user_id == user_id)
        .order_by(Tag.id)
    )
    page, per_page = page_args()
    return page_json(db.paginate(query, page=page, per_page=per_page), tag_json)


@app.put("/api/users/<id:user_id>/tags/<id:tag_id>")
@auth_token_required
def add_user_tag(user_id, tag_id):
    own_or_admin(user_id)
    user = db.get_or_404(User, user_id)
    tag = db.get_or_404(Tag, tag_id)
    if tag not in user.tags:
        user.tags.append(tag)
        db.session.commit()
    return "", 204


@app.delete("/api/users/<id:user_id>/tags/<id:tag_id>")
@auth_token_required
def remove_user_tag(user_id, tag_id):
    own_or_admin(user_id)
    user = db.get_or_404(User, user_id)
    tag = db.get_or_404(Tag, tag_id)
    if tag not in user.tags:
        abort(404, f"user {user_id} does not have tag {tag_id}")
    user.tags.remove(tag)
    db.session.commit()
    return "", 204
