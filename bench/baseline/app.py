"""The baseline: the baked project's API written straight on the libraries.

One module, set up the way the Flask, Flask-SQLAlchemy and Flask-Migrate
quickstarts show it. It is the floor the baked project is measured against:
the same schema, the same endpoints, the same answers, no structure.

    flask --app app db upgrade
    flask --app app run
"""

from flask import Flask, abort, request
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey, String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    mapped_column,
    relationship,
    selectinload,
)
from werkzeug.exceptions import HTTPException


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///baseline.db"
db.init_app(app)
migrate = Migrate(app, db)

user_tags = db.Table(
    "user_tags",
    db.Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    db.Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class User(db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    tags: Mapped[list["Tag"]] = relationship(
        secondary=user_tags, back_populates="users", order_by="Tag.id"
    )


class Tag(db.Model):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    users: Mapped[list[User]] = relationship(
        secondary=user_tags, back_populates="tags", order_by=User.id
    )


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


def read_name():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "the body must be a JSON object")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 50:
        abort(400, "name: a non-empty string of at most 50 characters")
    return name.strip()


@app.get("/api/users")
def list_users():
    # The page's tags in one more query, not one query per user.
    query = db.select(User).options(selectinload(User.tags)).order_by(User.id)
    return page_json(db.paginate(query, max_per_page=MAX_PER_PAGE), user_json)


@app.post("/api/users")
def create_user():
    user = User(name=read_name())
    db.session.add(user)
    db.session.commit()
    return user_json(user), 201


@app.get("/api/tags")
def list_tags():
    query = db.select(Tag).order_by(Tag.id)
    return page_json(db.paginate(query, max_per_page=MAX_PER_PAGE), tag_json)


@app.post("/api/tags")
def create_tag():
    tag = Tag(name=read_name())
    db.session.add(tag)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return error(409, f"name: a tag named {tag.name!r} exists")
    return tag_json(tag), 201


@app.get("/api/users/<int:user_id>/tags")
def list_user_tags(user_id):
    db.get_or_404(User, user_id)
    query = (
        db.select(Tag)
        .join(user_tags, user_tags.c.tag_id == Tag.id)
        .where(user_tags.c.user_id == user_id)
        .order_by(Tag.id)
    )
    return page_json(db.paginate(query, max_per_page=MAX_PER_PAGE), tag_json)


@app.put("/api/users/<int:user_id>/tags/<int:tag_id>")
def add_user_tag(user_id, tag_id):
    user = db.get_or_404(User, user_id)
    tag = db.get_or_404(Tag, tag_id)
    if tag not in user.tags:
        user.tags.append(tag)
        db.session.commit()
    return "", 204


@app.delete("/api/users/<int:user_id>/tags/<int:tag_id>")
def remove_user_tag(user_id, tag_id):
    user = db.get_or_404(User, user_id)
    tag = db.get_or_404(Tag, tag_id)
    if tag not in user.tags:
        abort(404, f"user {user_id} does not have tag {tag_id}")
    user.tags.remove(tag)
    db.session.commit()
    return "", 204
