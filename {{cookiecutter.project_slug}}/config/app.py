from flask_security import SQLAlchemyUserDatastore

from app.database.models.loginfailure import LoginFailure
from app.database.models.role import Role
from app.database.models.tag import Tag
from app.database.models.user import User
from app.database.models.userroles import UserRoles
from app.database.models.usertags import UserTags
{%- set engines = [cookiecutter.database, cookiecutter.users_database] %}
{%- if "mysql" in engines %}
from edmunds.database.drivers.mysql import MySql
{%- endif %}
{%- if "postgresql" in engines %}
from edmunds.database.drivers.postgresql import PostgreSql
{%- endif %}
{%- if "sqlite" in engines %}
from edmunds.database.drivers.sqlite import Sqlite
{%- endif %}
{%- set drivers = {"sqlite": "Sqlite", "postgresql": "PostgreSql", "mysql": "MySql"} %}
{%- macro location(engine, database) -%}
{%- if engine == "sqlite" -%}
"file": "/database/{{ database }}.db",
{%- else -%}
"database": "{{ database }}",
{%- endif -%}
{%- endmacro %}

APP = {
    "name": {{ cookiecutter.project_name | python_string }},
    "database": {
        "enabled": True,
        # The first instance is the default database; every other instance is
        # a bind named after it. Credentials never go here: host, port, user
        # and pass of a server come from .env.py or DB_<NAME>_<KEY> variables.
        # 'engine_options' (SQLAlchemy's create_engine arguments) tunes an
        # instance's pool over its driver's defaults.
        "instances": [
            {
                "name": "default",
                "driver": {{ drivers[cookiecutter.database] }},
                {{ location(cookiecutter.database, cookiecutter.project_slug) }}
            },
{%- if cookiecutter.users_database != "none" %}
            # Users, their roles and tags live here (their __bind_key__).
            {
                "name": "users_database",
                "driver": {{ drivers[cookiecutter.users_database] }},
                {{ location(cookiecutter.users_database, cookiecutter.project_slug ~ "_users") }}
            },
{%- endif %}
        ],
        # Every model and table, so that `db migrate` sees them all.
        "modelsandtables": [
            User,
            Role,
            UserRoles,
            LoginFailure,
            Tag,
            UserTags,
        ],
    },
    "auth": {
        "enabled": True,
        # Flask-Security's user datastore and its models (docs/auth.md).
        # config/auth.py tunes it: how long a token lasts, the throttle.
        "instances": [
            {
                "name": "authsqlalchemy",
                "driver": SQLAlchemyUserDatastore,
                "models": {
                    "user": User,
                    "role": Role,
                    "login_failure": LoginFailure,
                },
            },
        ],
    },
    "console": {
        # The project's own commands (app/console/commands/, `make command`
        # adds one): each shows in `python manage.py --help`.
        "commands": [],
    },
}
