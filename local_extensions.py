"""Jinja extensions of this template (cookiecutter's ``_extensions``).

Free-text answers (a project name, a description) can hold any character.
They must land in Python, TOML, YAML and Markdown files as the same text,
never breaking or injecting into the file, and never run as Jinja.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from jinja2.ext import Extension

import template_answers

TEMPLATE_DIR = Path(__file__).resolve().parent
JINJA_MARKERS = ("{{", "{%", "{#")
# The steps of cookiecutter that make a Jinja environment, and so extensions.
# A hook is rendered inside generate_files: its own step is named, so that
# the answers are not checked again once files are written.
PROMPTING = "prompt_for_config"
GENERATING = "generate_files"
RUNNING_HOOK = "run_script_with_context"


def cookiecutter_step(frame=None, steps=(PROMPTING, GENERATING, RUNNING_HOOK)):
    """(step, its local variables) of the cookiecutter call making this
    environment (or running under ``frame``), or (None, {}) where
    cookiecutter is not the caller.

    Cookiecutter hands extensions no context. Its own frames hold it: these
    are cookiecutter 2.7's internals, so every use here falls back to doing
    nothing when they are not found (the pre-gen hook still checks).
    """
    frame = frame or sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        name = frame.f_code.co_name
        if module.startswith("cookiecutter.") and name in steps:
            return name, frame.f_locals
        frame = frame.f_back
    return None, {}


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


def _template_paths():
    """What cookiecutter renders of the project's file and folder names:
    each name, and each path from the template's root to a file or folder.

    Walked with os.walk and plain strings: cookiecutter makes four Jinja
    environments a bake, and pathlib's glob with a relative path and its
    parents for each of the template's entries took 5 ms each time.
    """
    top = "{{cookiecutter.project_slug}}"
    paths = {".", top}
    for folder, folders, files in os.walk(TEMPLATE_DIR / top):
        relative = os.path.relpath(folder, TEMPLATE_DIR)
        for name in (*folders, *files):
            paths.add(name)
            paths.add(os.path.join(relative, name))
    return paths


class LiteralAnswers(Extension):
    """Renders an answer given on the command line as the text it is.

    With ``--no-input`` cookiecutter renders every answer as a Jinja template,
    so ``project_name='{{ 7*7 }}'`` would become ``49``. Our own templates (the
    strings of cookiecutter.json, the hooks, file and folder names) render
    as usual; any other
    string with Jinja markers is an answer and becomes a literal.

    While cookiecutter renders the answers (its prompting step), an answer
    stays literal even when it is one of our own strings: a project named
    ``{{cookiecutter.project_slug}}`` is named that, although the template's
    folder, rendered later, has the same name. What tells an answer from
    our own string there is the prompt being rendered: its value is an
    answer when it is not the one cookiecutter.json gives.
    """

    def __init__(self, environment):
        super().__init__(environment)
        step, local = cookiecutter_step()
        # The values being prompted for, answers included, or None.
        self.prompted = None
        if step == PROMPTING:
            self.prompted = local.get("context", {}).get("cookiecutter", {})
        self.trusted = set(_template_strings(template_answers.DEFAULTS))
        self.trusted.update(
            path.read_text() for path in (TEMPLATE_DIR / "hooks").glob("*.py")
        )
        self.trusted.update(_template_paths())

    def preprocess(self, source, name, filename=None):
        if name is not None:
            return source
        if source in self.trusted and not self.is_answer(source):
            return source
        if not any(marker in source for marker in JINJA_MARKERS):
            return source
        # A Jinja string literal is decoded with unicode-escape: encode the
        # text the same way and it comes back byte for byte.
        escaped = source.encode("unicode-escape").decode("ascii")
        return "{{ '" + escaped.replace("'", "\\x27") + "' }}"

    def is_answer(self, source):
        if self.prompted is None:
            return False
        _, local = cookiecutter_step()
        key = local.get("key")
        return (
            isinstance(key, str)
            and self.prompted.get(key) == source
            and template_answers.DEFAULTS.get(key) != source
        )


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


def python_json(value):
    """A Python string literal of ``value`` as JSON, keys in their order.

    The hooks read the answers this way: as data, never as code.
    """
    return python_string(json.dumps(value, ensure_ascii=False))


# A name for Docker images and Kubernetes objects, with room left of the 63
# characters a label may have for suffixes such as "-migrate".
NAME_LENGTH = 40


def dns_label(slug):
    """The project's name as Docker and Kubernetes take it (an RFC 1035
    label): lower-case letters, digits and "-", a letter first, no "-" last,
    at most NAME_LENGTH characters. A slug is a Python identifier, so "_"
    is the only character to change: my_app is my-app."""
    label = re.sub(r"[^a-z0-9]+", "-", slug.lower()).strip("-")
    if not label[:1].isalpha():
        label = f"app-{label}".rstrip("-")
    return label[:NAME_LENGTH].rstrip("-")


class Escapes(Extension):
    """Filters that put a free-text answer safely into each kind of file."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["dns_label"] = dns_label
        environment.filters["python_json"] = python_json
        environment.filters["python_string"] = python_string
        environment.filters["quoted_string"] = quoted_string
        environment.filters["markdown_text"] = markdown_text


class TemplateCommit(Extension):
    """Where the bake comes from, for the record cruft keeps (.cruft.json):

    - ``template_commit``: the commit of the template being baked, or "";
    - ``template_address``: what cruft would clone for the template as it
      was typed (``gh:org/edmunds-template``, a URL, a local checkout), or
      None where cruft cannot (a zip file).

    Worked out here rather than in the post-gen hook: cookiecutter's
    modules are imported in this process already, and would cost that hook
    a fifth of a second to import again.
    """

    def __init__(self, environment):
        super().__init__(environment)
        environment.globals["template_commit"] = _template_commit(TEMPLATE_DIR)
        environment.filters["template_address"] = template_address


def _template_commit(folder):
    try:
        return subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--verify", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""  # not a git checkout, or no git: nothing to record


def template_address(typed):
    """What cruft clones for a template typed as ``typed``, or None."""
    from cookiecutter.config import BUILTIN_ABBREVIATIONS, get_user_config
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.repository import (
        expand_abbreviations,
        is_repo_url,
        is_zip_file,
    )

    try:
        abbreviations = get_user_config()["abbreviations"]
    except CookiecutterException:  # no readable config: cookiecutter's own
        abbreviations = BUILTIN_ABBREVIATIONS
    address = expand_abbreviations(typed, abbreviations)
    if is_zip_file(address):
        return None
    if is_repo_url(address):
        return address.removeprefix("git+") if not address.startswith("hg+") else None
    return str(TEMPLATE_DIR)  # a local checkout, by its absolute path


class AnswerRules(Extension):
    """Checks the answers before cookiecutter makes the project's folder,
    and derives the default slug (``template_answers``).

    The check runs as cookiecutter starts writing the project, whatever
    the answers came from (prompts, ``--no-input``, a replay file, cruft).
    A refusal is one ``ERROR:`` line per problem and exit status 1: nothing
    is written, and no traceback follows, as one would after a refused
    pre-gen hook. At the prompts, an answer is checked as soon as it is
    typed, on its own: cookiecutter renders the default of the next prompt
    with the answers so far, and this extension sees that rendering.
    ``template_dir`` lets the hooks import the same rules.
    """

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["derived_slug"] = template_answers.derived_slug
        environment.globals["template_dir"] = str(TEMPLATE_DIR)
        step, local = cookiecutter_step()
        # With --no-input nobody is typing: every problem is reported at once,
        # at the step below.
        self.prompting = step == PROMPTING and not local.get("no_input", True)
        if step == GENERATING:
            refuse_bad_answers(local)

    def preprocess(self, source, name, filename=None):
        if self.prompting:
            step, local = cookiecutter_step()
            if step == PROMPTING:
                refuse_typed_answers(local.get("cookiecutter_dict", {}))
        return source


def refuse_typed_answers(typed):
    refuse(
        [
            problem
            for key, value in typed.items()
            if key in template_answers.PROMPTS
            for problem in template_answers.answer_problems(key, value)
        ]
    )


def refuse_bad_answers(generating):
    answers = generating.get("context", {}).get("cookiecutter", {})
    output_dir = generating.get("output_dir", ".")
    slug = answers.get("project_slug")
    folder = None
    if isinstance(slug, str) and not template_answers.slug_problems(slug):
        folder = os.path.join(os.path.abspath(output_dir), slug)
    problems = template_answers.problems(answers, folder)
    if folder and generating.get("overwrite_if_exists") and os.path.isdir(folder):
        problems += template_answers.rebake_problems(Path(folder))
    refuse(problems)


def refuse(problems):
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    if problems:
        raise SystemExit(1)
