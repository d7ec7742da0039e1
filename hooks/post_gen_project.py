"""Write what must never come from the template: this project's own secrets."""

import secrets
from pathlib import Path

SLUG = {{ cookiecutter.project_slug | tojson }}

# The engine of each database instance, as chosen at bake time ('none': no
# such instance).
ENGINES = {
    "default": {{ cookiecutter.database | tojson }},
    "users_database": {{ cookiecutter.users_database | tojson }},
}

# Where a database server on this machine answers, out of the box.
LOCAL_SERVERS = {
    "postgresql": {"label": "PostgreSQL", "port": 5432, "user": "postgres"},
    "mysql": {"label": "MySQL or MariaDB", "port": 3306, "user": "root"},
}

ENV_FILE = """\
# This machine's settings and secrets. Never commit this file (.gitignore
# keeps it out); .env.example.py shows what it may hold.
APP_ENV = "development"

SECRET_KEY = "{secret_key}"
"""

SERVER_SETTINGS = """
# Database instance '{name}': {label} on this machine.
# Elsewhere, set these here or as environment variables of the same name.
DB_{key}_HOST = "127.0.0.1"
DB_{key}_PORT = {port}
DB_{key}_USER = "{user}"
DB_{key}_PASS = ""
"""


def server_instances():
    return [
        (name, LOCAL_SERVERS[engine])
        for name, engine in ENGINES.items()
        if engine in LOCAL_SERVERS
    ]


def write_env_file():
    env_file = Path(".env.py")
    # 48 random bytes, URL-safe: well over the 32 a signing key needs.
    text = ENV_FILE.format(secret_key=secrets.token_urlsafe(48))
    for name, server in server_instances():
        text += SERVER_SETTINGS.format(name=name, key=name.upper(), **server)
    env_file.write_text(text)
    env_file.chmod(0o600)


def print_next_steps():
    create_databases = (
        "    # create the databases first: README.md, 'Get it running'\n"
        if server_instances()
        else ""
    )
    print(
        f"""
Baked {SLUG}. Next:

    cd {SLUG}
    python3 -m venv .venv && . .venv/bin/activate
    pip install -r requirements-dev.txt
{create_databases}    python manage.py db upgrade
    python manage.py run

README.md says more.
"""
    )


if __name__ == "__main__":
    write_env_file()
    print_next_steps()
