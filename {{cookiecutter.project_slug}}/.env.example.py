# Copy this file to .env.py (never committed), readable by you alone
# (chmod 600 .env.py: the app refuses it otherwise), and adjust it.
# A fresh bake writes .env.py for you, with its own SECRET_KEY.

# Which .env.<APP_ENV>.py is loaded after this file: development, testing or
# production. The APP_ENV environment variable, when set, wins.
APP_ENV = "development"

# Signs sessions and cookies. With DEBUG and TESTING off, as in production,
# the app refuses to start with this placeholder (also repeated), a key
# under 32 characters or one too predictable to be random. Generate one with:
#   python -c "import secrets; print(secrets.token_urlsafe(48))"
SECRET_KEY = "change-me"

# Any setting of a database instance in config/app.py can be set here, or in
# the environment (which wins), as DB_<NAME>_<KEY>: <NAME> is the instance's
# name upper-cased, e.g. DB_DEFAULT_FILE. Servers need HOST, PORT, USER, PASS.
{%- set local = {
    "postgresql": ["PostgreSQL", 5432, "postgres"],
    "mysql": ["MySQL or MariaDB", 3306, "root"],
} %}
{%- for name, engine in [
    ("default", cookiecutter.database),
    ("users_database", cookiecutter.users_database),
] if engine in local %}

# Database instance '{{ name }}': {{ local[engine][0] }} on this machine.
DB_{{ name | upper }}_HOST = "127.0.0.1"
DB_{{ name | upper }}_PORT = {{ local[engine][1] }}
DB_{{ name | upper }}_USER = "{{ local[engine][2] }}"
DB_{{ name | upper }}_PASS = ""
{%- endfor %}
