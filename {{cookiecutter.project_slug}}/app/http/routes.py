from app.http.handlers.home import home


def register_routes(app):
    """Every URL of the app, in one place; handlers live in app/http/handlers/."""
    app.add_url_rule("/", view_func=home, methods=["GET"])
