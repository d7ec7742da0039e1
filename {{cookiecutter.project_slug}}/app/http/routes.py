from app.http.handlers import auth, home, tags, users, usertags
from edmunds.auth.public import public
from edmunds.http import health
from edmunds.http.blueprint import Blueprint


def register_routes(app):
    """Every URL of the app, in one place; handlers live in app/http/handlers/.

    An API blueprint's name is its section in the OpenAPI document and on
    the docs page (/api/docs). Every /api/ route needs a token but those
    marked @public (the login): edmunds/auth/tokenguard.py.
    """
    app.add_url_rule("/", view_func=home.home, methods=["GET"])
    api = app.extensions["edmunds.api"]

    status = Blueprint("health", __name__, description="Is the app up and ready?")
    status.add_url_rule("/up", "up", public(health.up), methods=["GET"])
    status.add_url_rule("/ready", "ready", public(health.ready), methods=["GET"])
    api.register_blueprint(status)

    tokens = Blueprint("auth", __name__, description="Tokens: log in and out")
    tokens.add_url_rule("/api/auth/login", "login", auth.login, methods=["POST"])
    tokens.add_url_rule("/api/auth/logout", "logout", auth.logout, methods=["POST"])
    api.register_blueprint(tokens)

    people = Blueprint("users", __name__, description="Users and their tags")
    people.add_url_rule("/api/users", "index", users.index, methods=["GET"])
    people.add_url_rule("/api/users", "create", users.create, methods=["POST"])
    user = "/api/users/<int:user_id>"
    people.add_url_rule(user, "show", users.show, methods=["GET"])
    people.add_url_rule(user, "update", users.update, methods=["PATCH"])
    people.add_url_rule(user, "delete", users.delete, methods=["DELETE"])
    api.register_blueprint(people)

    links = Blueprint("usertags", __name__, description="Which user has which tag")
    links.add_url_rule(f"{user}/tags", "index", usertags.index, methods=["GET"])
    user_tag = f"{user}/tags/<int:tag_id>"
    links.add_url_rule(user_tag, "attach", usertags.attach, methods=["PUT"])
    links.add_url_rule(user_tag, "detach", usertags.detach, methods=["DELETE"])
    api.register_blueprint(links)

    labels = Blueprint("tags", __name__, description="Tags, unique by name")
    labels.add_url_rule("/api/tags", "index", tags.index, methods=["GET"])
    labels.add_url_rule("/api/tags", "create", tags.create, methods=["POST"])
    tag = "/api/tags/<int:tag_id>"
    labels.add_url_rule(tag, "show", tags.show, methods=["GET"])
    labels.add_url_rule(tag, "update", tags.update, methods=["PATCH"])
    labels.add_url_rule(tag, "delete", tags.delete, methods=["DELETE"])
    api.register_blueprint(labels)
