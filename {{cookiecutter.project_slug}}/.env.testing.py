# Loaded last when APP_ENV is 'testing' (tests/conftest.py sets it).
# No secrets: this file is tracked.
TESTING = True
SECRET_KEY = "testing-only-not-a-secret"

# Tests wipe their database: give each instance one of its own.
DB_DEFAULT_FILE = "/database/{{ cookiecutter.project_slug }}-testing.db"
