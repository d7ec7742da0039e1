# Copy this file to .env.py (never committed) and adjust it to this machine.
# A fresh bake writes .env.py for you, with its own SECRET_KEY.

# Which .env.<APP_ENV>.py is loaded after this file: development, testing or
# production. The APP_ENV environment variable, when set, wins.
APP_ENV = "development"

# Signs sessions and cookies. With DEBUG and TESTING off, as in production,
# the app refuses to start with this placeholder or a key under 32
# characters. Generate one with:
#   python -c "import secrets; print(secrets.token_urlsafe(48))"
SECRET_KEY = "change-me"
