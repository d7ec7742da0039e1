from app.database.models.tag import Tag
from app.database.models.user import User
from app.database.models.usertags import UserTags
from edmunds.database.drivers.sqlite import Sqlite

APP = {
    "name": {{ cookiecutter.project_name | python_string }},
    "database": {
        "enabled": True,
        # The first instance is the default database; every other instance is
        # a bind named after it. Credentials never go here: see .env.py.
        "instances": [
            {
                "name": "default",
                "driver": Sqlite,
                "file": "/database/{{ cookiecutter.project_slug }}.db",
            },
        ],
        # Every model and table, so that `db migrate` sees them all.
        "modelsandtables": [
            User,
            Tag,
            UserTags,
        ],
    },
}
