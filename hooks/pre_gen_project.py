"""Refuse a bad answer before cookiecutter writes anything it keeps.

Cookiecutter deletes the half-made project folder when this hook exits
non-zero, so every check lives here and prints one line per problem.
"""

import keyword
import re
import sys

SLUG = {{ cookiecutter.project_slug | tojson }}

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


def main():
    problems = slug_problems(SLUG)
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
