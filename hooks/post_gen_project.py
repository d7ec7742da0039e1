"""After the bake: drop the files not asked for, write what must never come
from the template (this project's own secrets) and the record cruft keeps,
then, when asked, start the project's git history with the bake, and say
what to do next.

Baked over a folder that existed (``cookiecutter -f``), it leaves that
folder's ``.env.py`` and git repository as they were: it never rewrites,
removes or commits into what it did not make.
"""

import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

# The answers, as data: a JSON literal, never code. The pre-gen hook
# checked them (kinds, choices, lengths).
ANSWERS = json.loads({{ cookiecutter | python_json }})
SLUG = ANSWERS["project_slug"]
AUTHOR = ANSWERS["author_name"]
EMAIL = ANSWERS["email"]
DOCKER = ANSWERS["docker"]
INIT_GIT = ANSWERS["init_git"]

# Written by the pre-gen hook when the bake started in an empty folder.
FRESH_BAKE_MARKER = ".edmunds-template-fresh-bake"

# Kubernetes migrates a SQLite file in the app's own pod, on its volume, and
# database servers in a Job before the rollout: one of the two stays.
KUBERNETES = "deploy/kubernetes"
SQLITE_ONLY = f"{KUBERNETES}/storage.yaml"
SERVERS_ONLY = f"{KUBERNETES}/migrate-job.yaml"
# Whole files that exist only when their prompt says yes: the image, and
# what deploys it (README.md, Deploying); then their folders, if empty.
DOCKER_FILES = [
    "Dockerfile",
    ".dockerignore",
    "compose.yaml",
    "deploy/nginx.conf",
    f"{KUBERNETES}/deployment.yaml",
    f"{KUBERNETES}/service.yaml",
    SQLITE_ONLY,
    SERVERS_ONLY,
]
DOCKER_FOLDERS = [KUBERNETES, "deploy"]
# The pre-commit the README and the CI workflow run with uvx, as a tool of
# its own: the project's environment leaves it out, and its hook needs no
# folder of uv's on PATH.
PRE_COMMIT = "pre-commit==4.7.0"

ENV_FILE = """\
# This machine's settings and secrets. Never commit this file (.gitignore
# keeps it out); .env.example.py shows what it may hold.
APP_ENV = "development"

SECRET_KEY = "{secret_key}"
"""

# .env.example.py ends with the settings of each database instance on a
# server, rendered for a server on this machine.
SERVER_SETTINGS = "\n# Database instance "

# The template's checkout this bake comes from, and its commit ("" when it
# is no git checkout).
TEMPLATE_DIR = {{ template_dir | python_string }}
TEMPLATE_COMMIT = {{ template_commit | python_string }}
# What cruft clones for the template as typed, None where it cannot
# (local_extensions.template_address).
TEMPLATE_ADDRESS = json.loads({{ cookiecutter._template | default("") | template_address | python_json }})
MESSAGE = "Bake from edmunds-template" + (
    f"\n\nTemplate commit: {TEMPLATE_COMMIT}" if TEMPLATE_COMMIT else ""
)

# Folders that tools write beside the files they check (ruff where it finds
# a pyproject.toml, pytest where it runs, Python beside each module). A
# developer's checkout of the template holds them; cookiecutter copies every
# file it finds, so a bake from that checkout held them too, with the
# template's own paths inside.
TOOL_CACHES = {
    ".ruff_cache",
    ".pytest_cache",
    ".mypy_cache",
    ".hypothesis",
    "__pycache__",
}

# What cruft records (cruft 2.16, `cruft create`), so that `cruft check` and
# `cruft update` work from the first commit.
CRUFT_RECORD = ".cruft.json"
# Keys plain cookiecutter adds about this run on this machine; cruft's own
# record has none of them.
RUN_KEYS = ("_output_dir", "_repo_dir", "_checkout")


def take_fresh_bake_marker():
    """True when this bake made the project's folder (it was empty)."""
    marker = Path(FRESH_BAKE_MARKER)
    fresh = marker.exists()
    marker.unlink(missing_ok=True)
    return fresh


def remove_unwanted_files():
    if not DOCKER:
        for name in DOCKER_FILES:
            Path(name).unlink()
        # A file of the project's own in them keeps them.
        for name in DOCKER_FOLDERS:
            if not any(Path(name).iterdir()):
                Path(name).rmdir()
        return
    on_sqlite = "sqlite" in (ANSWERS["database"], ANSWERS["users_database"])
    Path(SERVERS_ONLY if on_sqlite else SQLITE_ONLY).unlink()


def remove_the_templates_caches():
    """Removes what the template's own tool caches became in the bake: the
    same folders, found in the template's project folder (a clone from
    GitHub has none)."""
    source = Path(TEMPLATE_DIR, "{% raw %}{{cookiecutter.project_slug}}{% endraw %}")
    for folder, names, _files in os.walk(source):
        for name in [name for name in names if name in TOOL_CACHES]:
            names.remove(name)
            shutil.rmtree(Path(folder, name).relative_to(source), ignore_errors=True)


def put_lock_in_place():
    """uv.lock for this bake's Python and database drivers.

    The template ships one lock per choice, made by its scripts/lock.sh for a
    stand-in project (so a bake needs no network); this one gets the stand-in's
    name and version replaced by the project's, and its packages in name
    order, as `uv lock` itself would write it.
    """
    python = ANSWERS["python_version"]
    engines = ANSWERS["database"], ANSWERS["users_database"]
    version = ANSWERS["version"]
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
    """Write .env.py with a key of its own; one that exists stays as it is."""
    env_file = Path(".env.py")
    if env_file.exists():
        print(
            "Kept the existing .env.py byte for byte: its SECRET_KEY and "
            "database settings stay yours.",
            file=sys.stderr,
        )
        return
    # 48 random bytes, URL-safe: well over the 32 a signing key needs.
    secret_key = secrets.token_urlsafe(48)
    env_file.write_text(ENV_FILE.format(secret_key=secret_key) + server_settings())
    env_file.chmod(0o600)


def git(*args, cwd=None):
    return subprocess.run(
        ["git", *args], capture_output=True, text=True, check=True, cwd=cwd
    ).stdout.strip()


def git_config(key):
    try:
        return git("config", "--get", key)
    except subprocess.CalledProcessError:
        return ""


def cruft_checkout():
    """The --checkout given to `cruft create`, read from its clone's reflog."""
    try:
        last = git("reflog", "-1", "--format=%gs", cwd=TEMPLATE_DIR)
    except (OSError, subprocess.CalledProcessError):
        return None
    prefix, _, target = last.partition(" to ")
    return target if prefix.startswith("checkout: moving from ") else None


def cruft_record():
    """The text of .cruft.json as cruft writes it, or None with why not."""
    if "_commit" in ANSWERS:
        # Under cruft, which wrote _template and _commit, and will write this
        # same record after the hooks: byte for byte the same, the bake's
        # first commit holds it and the working tree stays clean.
        template, commit = ANSWERS["_template"], ANSWERS["_commit"]
        context, checkout = ANSWERS, cruft_checkout()
    else:
        template = TEMPLATE_ADDRESS
        commit, checkout = TEMPLATE_COMMIT, ANSWERS.get("_checkout")
        if template is None or not commit:
            return None
        context = {key: ANSWERS[key] for key in ANSWERS if key not in RUN_KEYS}
        context.update(_template=template, _commit=commit)
    record = {
        "template": template,
        "commit": commit,
        "checkout": checkout,
        "context": {"cookiecutter": context},
        "directory": None,
    }
    text = json.dumps(record, ensure_ascii=False, indent=2, separators=(",", ": "))
    return text + "\n"


def write_cruft_record():
    record = cruft_record()
    if record is None:
        print(
            "No .cruft.json: this template was not baked from a git checkout "
            "that cruft can clone.",
            file=sys.stderr,
        )
        return
    Path(CRUFT_RECORD).write_text(record)


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
            # No half-made repository: this bake made it, so it may go.
            shutil.rmtree(".git", ignore_errors=True)
            lines = error.stderr.strip().splitlines() or [f"exit {error.returncode}"]
            return f"git {step} failed: {lines[-1]}"
    return None


def start_history(fresh):
    """The first commit, in a folder this bake made; returns why not, or None."""
    if not INIT_GIT:
        return None
    if fresh:
        return make_first_commit()
    if in_a_repository():
        print(
            "Kept the project's git repository as it was: nothing is "
            "committed; review the bake with `git status` and `git diff`.",
            file=sys.stderr,
        )
        return None
    return "the folder existed before this bake, which starts a history only in a folder it made"


def in_a_repository():
    """Whether git keeps this folder: its own repository, or one around it."""
    try:
        inside = subprocess.run(
            ["git", "rev-parse", "--is-inside-work-tree"],
            capture_output=True,
            text=True,
        )
    except FileNotFoundError:  # no git: the pre-gen hook refused a re-bake
        return Path(".git").exists()
    return inside.returncode == 0 and inside.stdout.strip() == "true"


def print_next_steps(git_problem):
    if git_problem:
        print(f"WARNING: no git repository made: {git_problem}", file=sys.stderr)
    hooks = (
        f"    uvx {PRE_COMMIT.replace('==', '@')} install\n"
        if INIT_GIT and not git_problem
        else ""
    )
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
    cd {shlex.quote(str(Path.cwd()))}
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


def main():
    fresh = take_fresh_bake_marker()
    remove_unwanted_files()
    remove_the_templates_caches()
    put_lock_in_place()
    write_env_file()
    write_cruft_record()
    print_next_steps(start_history(fresh))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        # Ctrl-C reached cookiecutter too, which says in one line what is
        # left (interrupted_bake.py): no traceback from here.
        sys.exit(130)
