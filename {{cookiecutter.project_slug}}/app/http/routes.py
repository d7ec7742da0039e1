from app.http.handlers import home, tags, users, usertags


def register_routes(app):
    """Every URL of the app, in one place; handlers live in app/http/handlers/."""
    app.add_url_rule("/", view_func=home.home, methods=["GET"])

    app.add_url_rule("/api/users", "users.index", users.index, methods=["GET"])
    app.add_url_rule("/api/users", "users.create", users.create, methods=["POST"])

    app.add_url_rule("/api/tags", "tags.index", tags.index, methods=["GET"])
    app.add_url_rule("/api/tags", "tags.create", tags.create, methods=["POST"])

    user_tags = "/api/users/<int:user_id>/tags"
    app.add_url_rule(user_tags, "usertags.index", usertags.index, methods=["GET"])
    user_tag = f"{user_tags}/<int:tag_id>"
    app.add_url_rule(user_tag, "usertags.attach", usertags.attach, methods=["PUT"])
    app.add_url_rule(user_tag, "usertags.detach", usertags.detach, methods=["DELETE"])
