"""Write what must never come from the template: this project's own secrets."""

import secrets
from pathlib import Path

SLUG = {{cookiecutter.project_slug | python_string}}

ENV_FILE = """\
# This machine's settings and secrets. Never commit this file (.gitignore
# keeps it out); .env.example.py shows what it may hold.
APP_ENV = "development"

SECRET_KEY = "{secret_key}"
"""

# .env.example.py ends with the settings of each database instance on a
# server, rendered for a server on this machine.
SERVER_SETTINGS = "\n# Database instance "


def server_settings():
    example = Path(".env.example.py").read_text()
    start = example.find(SERVER_SETTINGS)
    return "" if start == -1 else example[start:]


def write_env_file():
    env_file = Path(".env.py")
    # 48 random bytes, URL-safe: well over the 32 a signing key needs.
    secret_key = secrets.token_urlsafe(48)
    env_file.write_text(ENV_FILE.format(secret_key=secret_key) + server_settings())
    env_file.chmod(0o600)


def print_next_steps():
    create_databases = (
        "    # create the databases first: README.md, 'Get it running'\n"
        if server_settings()
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
