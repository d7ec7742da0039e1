"""The names a generator derives from the one it is given.

``BlogPost`` is the class, ``blogpost.py`` its file (Edmunds names a file
after what it holds), ``blog_posts`` its table and ``blog_post_id`` a key
pointing at it.
"""

import keyword
import re

import click

# Where a lower-case letter or digit meets an upper-case one, or an acronym
# meets the next word: BlogPost -> blog_post, HTTPLog -> http_log.
_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
# The longest name PostgreSQL keeps (MySQL keeps 64): longer ones are cut.
MAX_TABLE_NAME = 63
# ruff's line length in a baked project: what a generator writes is laid out
# as ruff would lay it out at this width.
LINE_LENGTH = 88
# Up to this length, ruff keeps every line the stubs and config/app.py get as
# written; the first it would split, `class Name(db.Model):`, passes
# LINE_LENGTH at 72. No default table fits a longer model name anyway.
MAX_NAME = 64
_TABLE_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def class_name(name, what):
    """Refuse anything but a CamelCase class name; return it."""
    _identifier(name, what)
    if not name[0].isupper():
        raise click.ClickException(
            f"{what} name {name!r} must start with an upper-case letter "
            "(a class name, e.g. BlogPost)"
        )
    return name


def function_name(name, what):
    """Refuse anything but a lower-case function name; return it."""
    _identifier(name, what)
    if name != name.lower() or name.startswith("_"):
        raise click.ClickException(
            f"{what} name {name!r} must be lower case and not start with '_' "
            "(a function name, e.g. send_reports)"
        )
    return name


def _identifier(name, what):
    if len(name) > MAX_NAME:
        raise click.ClickException(
            f"{what} name {name[:20]!r}... has {len(name)} characters: at most "
            f"{MAX_NAME}"
        )
    if not (name.isidentifier() and name.isascii()) or keyword.iskeyword(name):
        raise click.ClickException(
            f"{what} name {name!r} is not a Python identifier: use ASCII letters, "
            "digits and underscores, not starting with a digit, and no keyword"
        )
    # Its file is named after it in lower case: that must be no keyword either.
    if keyword.iskeyword(name.lower()):
        raise click.ClickException(
            f"{what} name {name!r} would live in {name.lower()}.py, which Python "
            f"cannot import ({name.lower()!r} is a keyword): pick another name"
        )


def module_name(name):
    return name.lower()


def snake_case(name):
    return _WORD_BOUNDARY.sub("_", name).lower()


def plural(word):
    """English plural of the last word: post -> posts, category -> categories.

    Irregular ones (person -> people) are given with --table.
    """
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


def table_name(name):
    """Refuse a table name the databases would not take unquoted; return it."""
    if not _TABLE_NAME.fullmatch(name) or len(name) > MAX_TABLE_NAME:
        raise click.ClickException(
            f"table name {name!r} must be lower-case letters, digits and "
            f"underscores, not starting with a digit, at most {MAX_TABLE_NAME} long"
        )
    return name
