"""Jinja extensions of this template (cookiecutter's ``_extensions``).

Free-text answers (a project name, a description) can hold any character.
They must land in Python, TOML, YAML and Markdown files as the same text,
never breaking or injecting into the file, and never run as Jinja.
"""

import json
import re
import subprocess
from pathlib import Path

from jinja2.ext import Extension

TEMPLATE_DIR = Path(__file__).resolve().parent
JINJA_MARKERS = ("{{", "{%", "{#")


def _template_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _template_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _template_strings(item)


class LiteralAnswers(Extension):
    """Renders an answer given on the command line as the text it is.

    With ``--no-input`` cookiecutter renders every answer as a Jinja template,
    so ``project_name='{{ 7*7 }}'`` would become ``49``. Our own templates (the
    strings of cookiecutter.json, the hooks, file and folder names) render
    as usual; any other
    string with Jinja markers is an answer and becomes a literal.
    """

    def __init__(self, environment):
        super().__init__(environment)
        context = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
        self.trusted = set(_template_strings(context))
        self.trusted.update(
            path.read_text() for path in (TEMPLATE_DIR / "hooks").glob("*.py")
        )
        # File and folder names are rendered too, one part or path at a time.
        for path in TEMPLATE_DIR.glob("{{cookiecutter.project_slug}}/**/*"):
            relative = path.relative_to(TEMPLATE_DIR)
            self.trusted.update(relative.parts)
            self.trusted.update(
                str(relative.parents[index]) for index in range(len(relative.parts))
            )
            self.trusted.add(str(relative))

    def preprocess(self, source, name, filename=None):
        if name is not None or source in self.trusted:
            return source
        if not any(marker in source for marker in JINJA_MARKERS):
            return source
        # A Jinja string literal is decoded with unicode-escape: encode the
        # text the same way and it comes back byte for byte.
        escaped = source.encode("unicode-escape").decode("ascii")
        return "{{ '" + escaped.replace("'", "\\x27") + "' }}"


def python_string(text):
    """A Python literal in the quotes ruff's formatter would choose."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    body = "".join(_python_char(char, quote) for char in text)
    return f"{quote}{body}{quote}"


def _python_char(char, quote):
    if char in ("\\", quote):
        return "\\" + char
    if char == "\n":
        return "\\n"
    if char == "\t":
        return "\\t"
    if not char.isprintable():
        return f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"
    return char


def quoted_string(text):
    """A double-quoted string valid as JSON, TOML and YAML alike."""
    body = []
    for char in text:
        if char in ('"', "\\"):
            body.append("\\" + char)
        elif not char.isprintable() or char in "\u2028\u2029":
            code = ord(char)
            body.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            body.append(char)
    return '"' + "".join(body) + '"'


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&{}!])")
_MARKDOWN_BLOCK_START = re.compile(r"^(\s*)([-+=>]|\d+(?=[.)]))")


def markdown_text(text):
    """Text that Markdown shows as typed, on one line."""
    text = " ".join(text.split())
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    # A leading "-", "+", "1." would start a list or a heading underline.
    return _MARKDOWN_BLOCK_START.sub(
        lambda match: (
            match.group(1)
            + (
                match.group(2) + "\\"
                if match.group(2)[0].isdigit()
                else "\\" + match.group(2)
            )
        ),
        text,
        count=1,
    )


class Escapes(Extension):
    """Filters that put a free-text answer safely into each kind of file."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["python_string"] = python_string
        environment.filters["quoted_string"] = quoted_string
        environment.filters["markdown_text"] = markdown_text


class TemplateCommit(Extension):
    """``template_commit``: the commit of the template being baked, or "".

    A project baked with plain cookiecutter records it in its first commit,
    so that ``cruft link --checkout`` can name where it came from.
    """

    def __init__(self, environment):
        super().__init__(environment)
        try:
            commit = subprocess.run(
                ["git", "-C", str(TEMPLATE_DIR), "rev-parse", "--verify", "HEAD"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            commit = ""  # not a git checkout, or no git: nothing to record
        environment.globals["template_commit"] = commit


class Choices(Extension):
    """``template_choices``: each choice prompt and its options, as the
    template's cookiecutter.json has them, even when the answers come from a
    replay file or an old answers file that cookiecutter does not check."""

    def __init__(self, environment):
        super().__init__(environment)
        context = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
        environment.globals["template_choices"] = {
            key: options
            for key, options in context.items()
            if isinstance(options, list) and not key.startswith("_")
        }
