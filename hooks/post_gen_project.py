"""Write what must never come from the template: this project's own secrets.

Then, when asked, start the project's git history with the bake.
"""

import secrets
import shutil
import subprocess
import sys
from pathlib import Path

SLUG = {{cookiecutter.project_slug | python_string}}
INIT_GIT = {{cookiecutter.init_git}}
AUTHOR = {{cookiecutter.author_name | python_string}}
EMAIL = {{cookiecutter.email | python_string}}

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


def init_git():
    """The first commit holds the project as baked; .gitignore keeps .env.py out."""
    if shutil.which("git") is None:
        print(
            "git is not installed: the project was not made a repository.",
            file=sys.stderr,
        )
        return
    git = ["git"]
    configured = subprocess.run(
        ["git", "config", "user.email"], capture_output=True, text=True
    ).stdout.strip()
    if not configured:
        # A machine without a git identity commits as the project's author.
        git += ["-c", f"user.name={AUTHOR}", "-c", f"user.email={EMAIL}"]
    for command in (
        ["init", "--quiet"],
        ["add", "--all"],
        ["commit", "--quiet", "--message", "Bake from edmunds-template"],
    ):
        subprocess.run([*git, *command], check=True)


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
""",
        # stderr: `cruft diff` and `cruft update` run this hook again, and
        # their stdout must stay a clean diff.
        file=sys.stderr,
    )


if __name__ == "__main__":
    write_env_file()
    if INIT_GIT:
        init_git()
    print_next_steps()
