from flask import current_app, jsonify


def home():
    """What this service is: a cheap check that the app is up."""
    return jsonify(name=current_app.config("app.name"), status="ok")
