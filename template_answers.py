"""What a bake accepts, in one place: its answers, and the folder it
writes into.

Used in cookiecutter's own process by ``local_extensions.py`` (which checks
the answers before the project folder is made, and derives the default slug)
and again by ``hooks/pre_gen_project.py``, which also sees the answers of a
replay file. Answers are data here: nothing in this module renders or runs
them.
"""

import json
import keyword
import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

from slugify import slugify

TEMPLATE_DIR = Path(__file__).resolve().parent
DEFAULTS = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
# The prompts that take one of a few values. cookiecutter.json makes them
# text prompts (their prompt lists the values, their default is one of them):
# cookiecutter's own choice prompts refuse a value outside the list, given on
# the command line, with a traceback before any code of the template runs;
# as text, every source of answers reaches the checks below.
CHOICES = {
    "python_version": ["3.11", "3.12", "3.13"],
    "database": ["sqlite", "postgresql", "mysql"],
    "users_database": ["none", "sqlite", "postgresql", "mysql"],
}
# Every prompt, in the order cookiecutter asks them; each one not a choice
# nor a yes/no question takes text.
PROMPTS = [key for key in DEFAULTS if not key.startswith("_")]
YES_NO = [key for key in PROMPTS if isinstance(DEFAULTS[key], bool)]

# Top-level names a baked project imports: a project named after one of them
# would shadow it on sys.path.
RESERVED = {
    "alembic",
    "app",
    "bootstrap",
    "click",
    "config",
    "edmunds",
    "flask",
    "flask_migrate",
    "flask_sqlalchemy",
    "jinja2",
    "manage",
    "migrations",
    "pytest",
    "sqlalchemy",
    "storage",
    "test",
    "tests",
    "werkzeug",
    "wsgi",
}
FREE_TEXT_LIMITS = {"project_name": 100, "description": 300, "author_name": 100}
# Control characters and line separators: they would split a one-line value.
LINE_BREAKING = {"Cc", "Zl", "Zp", "Cs"}
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
# PEP 440 release versions: 1.0, 0.1.0, 2.0.0rc1, 1.0.post1, 1.0.dev3.
VERSION = re.compile(r"\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?")

# How long a database name may be on each server. PostgreSQL keeps the first
# NAMEDATALEN - 1 = 63 bytes of an identifier and silently drops the rest,
# when a database is created and when it is connected to; MySQL and MariaDB
# refuse names over NAME_CHAR_LEN = 64 characters.
SERVER_NAME_LIMITS = {
    "postgresql": ("PostgreSQL", 63, "bytes"),
    "mysql": ("MySQL/MariaDB", 64, "characters"),
}
# SQLite's unix VFS opens paths of at most MAX_PATHNAME = 512 bytes, and a
# database path must leave room for the "-journal" it writes beside it.
SQLITE_MAX_PATH = 512 - len("-journal")
# The longest file SQLite writes beside a database.
SQLITE_LONGEST_SUFFIX = "-journal"


def configured_databases(slug, database, users_database):
    """(engine, name) of every database the bake configures.

    The names are those of config/app.py and their twins in
    .env.testing.py: a server database is named after the slug, a SQLite
    file lives in storage/database/.
    """
    instances = [(database, slug)]
    if users_database != "none":
        instances.append((users_database, f"{slug}_users"))
    names = []
    for engine, name in instances:
        if engine == "sqlite":
            names += [(engine, f"{name}.db"), (engine, f"{name}-testing.db")]
        else:
            names += [(engine, name), (engine, f"{name}_testing")]
    return names


def existing_folder(path):
    """The folder, or its nearest ancestor that exists: where it will be."""
    path = Path(os.path.abspath(path))
    for folder in (path, *path.parents):
        try:
            if folder.is_dir():
                return folder
        except OSError:  # a name too long to look up: not there
            continue
    return Path(path.anchor)


def name_problems(slug, database, users_database, project_dir=None):
    """Why a configured database would be cut, clash or not open, if it would.

    Names that fit are never cut, and distinct names that are never cut
    cannot meet on a server: so every name must fit.
    """
    found = []
    names = configured_databases(slug, database, users_database)
    name_max = os.pathconf(existing_folder(project_dir or TEMPLATE_DIR), "PC_NAME_MAX")
    if len(slug.encode()) > name_max:
        return [
            f"project_slug is {len(slug)} characters long; the project folder "
            f"may have at most {name_max}"
        ]
    for engine, name in names:
        size = len(name.encode())
        if engine in SERVER_NAME_LIMITS:
            label, limit, unit = SERVER_NAME_LIMITS[engine]
            length = size if unit == "bytes" else len(name)
            if length > limit:
                spare = limit - (length - len(slug))
                found.append(
                    f"project_slug is {len(slug)} characters long; at most {spare} "
                    f"with this choice of engines: {label} allows database names "
                    f"of {limit} {unit}, and '{name}' has {length}"
                )
                break
        elif size + len(SQLITE_LONGEST_SUFFIX) > name_max:
            spare = name_max - len(SQLITE_LONGEST_SUFFIX) - (size - len(slug))
            found.append(
                f"project_slug is {len(slug)} characters long; at most {spare} "
                f"with this choice of engines: the SQLite file '{name}' and its "
                f"'{SQLITE_LONGEST_SUFFIX}' must fit a file name of {name_max} bytes"
            )
            break
        elif project_dir is not None:
            path = os.path.join(
                os.path.abspath(project_dir), "storage", "database", name
            )
            if len(os.fsencode(path)) > SQLITE_MAX_PATH:
                found.append(
                    f"the SQLite file {path} would be {len(os.fsencode(path))} bytes "
                    f"long; SQLite opens at most {SQLITE_MAX_PATH}: choose a shorter "
                    "project_slug or bake into a shorter folder"
                )
                break
    return found


def slug_problems(slug):
    if not slug.isidentifier() or not slug.isascii():
        return [
            f"project_slug {slug!r} is not a Python identifier: use lower-case "
            "ASCII letters, digits and underscores, not starting with a digit"
        ]
    if slug != slug.lower():
        return [f"project_slug {slug!r} must be lower case"]
    if keyword.iskeyword(slug) or keyword.issoftkeyword(slug):
        return [f"project_slug {slug!r} is a Python keyword"]
    if slug in RESERVED or re.fullmatch(r"_+", slug):
        return [
            f"project_slug {slug!r} would shadow a package the project imports; "
            "pick another name"
        ]
    return []


def free_text_problems(key, text, limit):
    if key == "project_name" and not text.strip():
        return ["project_name is empty"]
    if any(unicodedata.category(char) in LINE_BREAKING for char in text):
        return [
            f"{key} must be one line of text (no newline, tab or control character)"
        ]
    if len(text) > limit:
        return [f"{key} is {len(text)} characters long; at most {limit}"]
    return []


def answer_problems(key, value):
    """Why this one answer cannot be baked, whatever the others are.

    A replay file or an old .cruft.json can hold anything JSON can: the
    kind of each answer is checked before what it says.
    """
    if key in CHOICES:
        if value not in CHOICES[key]:
            return [f"{key} is {value!r}; choose one of {', '.join(CHOICES[key])}"]
        return []
    if key in YES_NO:
        if not isinstance(value, bool):
            return [f"{key} is {value!r}; answer true or false"]
        return []
    if not isinstance(value, str):
        return [f"{key} is {value!r}; it must be text"]
    if key == "project_slug":
        return slug_problems(value)
    if key in FREE_TEXT_LIMITS:
        return free_text_problems(key, value, FREE_TEXT_LIMITS[key])
    if key == "email" and not EMAIL.fullmatch(value):
        return [f"email {value!r} is not an email address"]
    if key == "version" and not VERSION.fullmatch(value):
        return [f"version {value!r} is not a release version such as 0.1.0"]
    return []


def problems(answers, project_dir=None):
    """One line per problem with these answers; [] when they can be baked.

    ``project_dir``, where the project is (or will be) baked, adds the checks
    of the paths there.
    """
    found = []
    for key in PROMPTS:
        found += answer_problems(key, answers.get(key))
    if not found:
        found += name_problems(
            answers["project_slug"],
            answers["database"],
            answers["users_database"],
            project_dir,
        )
    return found


def longest_slug():
    """The longest slug that fits every choice of engines."""
    return min(
        limit - len("_users_testing") for _, limit, _ in SERVER_NAME_LIMITS.values()
    )


def derived_slug(project_name):
    """A valid slug made from the project's name: the default of the prompt.

    Lower-case ASCII words joined by "_", short enough for any engine; a
    name that would start with a digit gets "project_" before it, one that is
    a keyword or a package the project imports gets "_project" after it.
    """
    slug = slugify(
        project_name,
        separator="_",
        max_length=longest_slug() - len("project_"),
        word_boundary=True,
    )
    if not slug:
        return "project"
    if slug[0].isdigit():
        slug = f"project_{slug}"
    if slug_problems(slug):
        slug = f"{slug}_project"
    return slug


def rebake_problems(folder):
    """Why baking over this existing folder would lose work, if it would.

    ``cookiecutter -f`` rewrites every file of the template in place: edits
    not committed yet would be gone for good, and so would every edit of a
    folder that git does not keep, where nothing could bring them back.
    """
    if not any(folder.iterdir()):
        return []  # an empty folder: nothing to lose
    not_kept = (
        "baking over it rewrites the template's files, and nothing could bring "
        "your edits back; commit it to git first (git init && git add -A && "
        "git commit), or bake into a new folder"
    )
    if shutil.which("git") is None:
        return [
            f"{folder} exists, and git is not installed to tell whether baking "
            "over it loses work: install git, or bake into a new folder"
        ]
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all", "--", "."],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    if status.returncode != 0:
        if "not a git repository" in status.stderr:
            return [f"{folder} exists and is not a git repository: {not_kept}"]
        # Another failure (a repository another user owns, a broken .git):
        # git's own words, not a guess.
        said = status.stderr.strip().splitlines() or [f"exit {status.returncode}"]
        fatal = [line for line in said if line.startswith("fatal:")]
        return [
            f"{folder}: git cannot tell whether baking over it loses uncommitted "
            f"work ({(fatal or said)[-1]})"
        ]
    ignored = subprocess.run(
        ["git", "check-ignore", "--quiet", "."], cwd=folder, capture_output=True
    )
    if ignored.returncode == 0:
        # Its status says nothing, and nothing keeps its files either.
        return [f"{folder} is ignored by the git repository around it: {not_kept}"]
    if status.stdout.strip():
        return [
            f"{folder} has changes git has not committed; baking over it "
            "rewrites the template's files: commit or stash them first"
        ]
    return []
