"""After the bake: drop the files not asked for, write what must never come
from the template (this project's own secrets), then, when asked, start the
project's git history with the bake, and say what to do next.
"""

import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

SLUG = {{cookiecutter.project_slug | python_string}}
AUTHOR = {{cookiecutter.author_name | python_string}}
EMAIL = {{cookiecutter.email | python_string}}
DOCKER = {{cookiecutter.docker}}
INIT_GIT = {{cookiecutter.init_git}}

# Whole files that exist only when their prompt says yes.
DOCKER_FILES = ["Dockerfile", ".dockerignore"]

ENV_FILE = """\
# This machine's settings and secrets. Never commit this file (.gitignore
# keeps it out); .env.example.py shows what it may hold.
APP_ENV = "development"

SECRET_KEY = "{secret_key}"
"""

# .env.example.py ends with the settings of each database instance on a
# server, rendered for a server on this machine.
SERVER_SETTINGS = "\n# Database instance "

# The template commit in the message: `cruft link --checkout` needs it for
# a project baked with plain cookiecutter (README, "Updating").
TEMPLATE_COMMIT = {{ template_commit | python_string }}
MESSAGE = "Bake from edmunds-template" + (
    f"\n\nTemplate commit: {TEMPLATE_COMMIT}" if TEMPLATE_COMMIT else ""
)


def remove_unwanted_files():
    if not DOCKER:
        for name in DOCKER_FILES:
            Path(name).unlink()


def put_lock_in_place():
    """uv.lock for this bake's Python and database drivers.

    The template ships one lock per choice, made by its scripts/lock.sh for a
    stand-in project (so a bake needs no network); this one gets the stand-in's
    name and version replaced by the project's, and its packages in name
    order, as `uv lock` itself would write it.
    """
    python = {{ cookiecutter.python_version | python_string }}
    engines = {{ cookiecutter.database | python_string }}, {{ cookiecutter.users_database | python_string }}
    version = {{ cookiecutter.version | python_string }}
    drivers = sorted({"mysql", "postgresql"} & set(engines))
    locks = Path(".uv-locks")
    shipped = locks / ("-".join([f"python{python}", *drivers]) + ".lock")
    if not shipped.is_file():
        sys.exit(f"ERROR: the template has no {shipped.name}: run its scripts/lock.sh")
    header, *packages = shipped.read_text().split("\n[[package]]\n")
    stand_in = 'name = "edmunds-template-bake"\nversion = "0.0.0"\n'
    # As uv writes them: PEP 503 name, PEP 440 version (no leading zeros).
    name = re.sub(r"[-_.]+", "-", SLUG)
    version = re.sub(r"\d+", lambda number: str(int(number.group())), version)
    packages = [
        f'name = "{name}"\nversion = "{version}"\n' + package.removeprefix(stand_in)
        if package.startswith(stand_in)
        else package
        for package in packages
    ]
    packages.sort(key=lambda package: package.split('"', 2)[1])
    Path("uv.lock").write_text("\n[[package]]\n".join([header, *packages]))
    shutil.rmtree(locks)


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


def git(*args):
    return subprocess.run(
        ["git", *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def git_config(key):
    try:
        return git("config", "--get", key)
    except subprocess.CalledProcessError:
        return ""


def make_first_commit():
    """git init, then commit every file that .gitignore lets in.

    Returns why not, or None. On a machine where git knows nobody, the
    author given at bake time signs this one commit; git's config is left
    alone.
    """
    if shutil.which("git") is None:
        return "git is not installed"
    branch = [] if git_config("init.defaultBranch") else ["--initial-branch=main"]
    identity = []
    if not git_config("user.name"):
        identity += ["-c", f"user.name={AUTHOR or SLUG}"]
    if not git_config("user.email"):
        identity += ["-c", f"user.email={EMAIL or SLUG + '@localhost'}"]
    steps = [
        ("init", ["init", "--quiet", *branch]),
        ("add", ["add", "--all"]),
        # --no-verify: hooks of the user's own git setup have no say here.
        ("commit", [*identity, "commit", "--quiet", "--no-verify", "-m", MESSAGE]),
    ]
    for step, args in steps:
        try:
            git(*args)
        except subprocess.CalledProcessError as error:
            # No half-made repository: the project stays, without one.
            shutil.rmtree(".git", ignore_errors=True)
            lines = error.stderr.strip().splitlines() or [f"exit {error.returncode}"]
            return f"git {step} failed: {lines[-1]}"
    return None


def print_next_steps(git_problem):
    if git_problem:
        print(f"WARNING: no git repository made: {git_problem}", file=sys.stderr)
    hooks = "    uv run pre-commit install\n" if INIT_GIT and not git_problem else ""
    create_databases = (
        "    # create the databases first: README.md, 'Get it running'\n"
        if server_settings()
        else ""
    )
    get_uv = (
        ""
        if shutil.which("uv")
        else "\nuv is not installed here: `pipx install uv` or `pip install uv`"
        " first (README.md also gives the route with pip alone).\n"
    )
    print(
        f"""
Baked {SLUG}. Next:
{get_uv}
    cd {SLUG}
    uv sync --locked
{hooks}{create_databases}    uv run pytest
    uv run python manage.py db upgrade && uv run python manage.py run

`uv sync` needs PyPI, or uv's cache with these packages (`--offline`).
README.md says more.
""",
        # stderr: `cruft diff` and `cruft update` run this hook again, and
        # their stdout must stay a clean diff.
        file=sys.stderr,
    )


if __name__ == "__main__":
    remove_unwanted_files()
    put_lock_in_place()
    write_env_file()
    print_next_steps(make_first_commit() if INIT_GIT else None)
