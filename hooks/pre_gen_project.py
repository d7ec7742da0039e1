"""Refuse what must not be baked, before cookiecutter writes a file.

Runs in the project's folder, after cookiecutter made it (or found it, with
``-f``) and before it renders a file there. ``local_extensions.AnswerRules``
has checked the answers already; they are checked again here because a
replay file reaches this hook without that check. Cookiecutter deletes the
folder when this hook exits non-zero, if it made the folder. Each problem is
one line on stderr.
"""

import json
import sys
from pathlib import Path

# The answers, as data: a JSON literal, never code.
ANSWERS = json.loads({{ cookiecutter | python_json }})
# The template's rules for answers (template_answers.py), shared with its
# Jinja extensions.
sys.path.insert(0, {{ template_dir | python_string }})
from template_answers import problems, rebake_problems  # noqa: E402

# Left by this hook in a folder the bake starts empty, for the post-gen
# hook: the bake owns that folder, and may start its git history.
FRESH_BAKE_MARKER = ".edmunds-template-fresh-bake"


def main():
    folder = Path.cwd()
    found = problems(ANSWERS, folder)
    existing = any(folder.iterdir())
    if existing:
        found += rebake_problems(folder)
    for problem in found:
        print(f"ERROR: {problem}", file=sys.stderr)
    if found:
        return 1
    if not existing:
        (folder / FRESH_BAKE_MARKER).write_text("")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        # Ctrl-C reached cookiecutter too, which says what is left.
        sys.exit(130)
