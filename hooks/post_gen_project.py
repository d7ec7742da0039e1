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


def write_env_file():
    env_file = Path(".env.py")
    # 48 random bytes, URL-safe: well over the 32 a signing key needs.
    env_file.write_text(ENV_FILE.format(secret_key=secrets.token_urlsafe(48)))
    env_file.chmod(0o600)


def print_next_steps():
    print(
        f"""
Baked {SLUG}. Next:

    cd {SLUG}
    python3 -m venv .venv && . .venv/bin/activate
    pip install -r requirements-dev.txt
    python manage.py db upgrade
    python manage.py run

README.md says more.
"""
    )


if __name__ == "__main__":
    write_env_file()
    print_next_steps()
