"""Refuse bad answers before cookiecutter writes anything it keeps.

Cookiecutter deletes the half-made project folder when this hook exits
non-zero, so every check lives here. Each problem is one line on stderr.
"""

import json
import keyword
import re
import sys
import unicodedata

ANSWERS = json.loads({{cookiecutter | tojson | python_string}})
# Each choice prompt of the template and its options.
CHOICES = json.loads({{template_choices | tojson | python_string}})

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


def choice_problems(answers, choices):
    # Cookiecutter checks choices typed at the prompt, not those read from a
    # replay file or an old .cruft.json: check them all against the template.
    return [
        f"{key} is {answers.get(key)!r}; choose one of {', '.join(map(str, options))}"
        for key, options in choices.items()
        if answers.get(key) not in options
    ]


def problems(answers):
    found = slug_problems(answers["project_slug"])
    for key, limit in FREE_TEXT_LIMITS.items():
        found += free_text_problems(key, answers[key], limit)
    if not EMAIL.fullmatch(answers["email"]):
        found.append(f"email {answers['email']!r} is not an email address")
    if not VERSION.fullmatch(answers["version"]):
        found.append(
            f"version {answers['version']!r} is not a release version such as 0.1.0"
        )
    found += choice_problems(answers, CHOICES)
    return found


def main():
    found = problems(ANSWERS)
    for problem in found:
        print(f"ERROR: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
