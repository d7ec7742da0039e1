#!/usr/bin/env bash
# Bake a project from this checkout with the default answers and bring it up
# on SQLite: its own venv, its migrations applied, its tests run, then served.
#
#   scripts/bake.sh [--no-run] [OUTPUT_DIR] [answer=value ...]
#
# OUTPUT_DIR defaults to ./baked; answers override cookiecutter.json's
# defaults, e.g. project_name="Shop Front". The app is served on port 5000,
# or FLASK_RUN_PORT.

case "${1:-}" in
    -h | --help)
        # The usage is the header above.
        sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
        exit 0
        ;;
esac

# Before dev-env.sh puts its own uv first: the user's shell's PATH.
users_path=$PATH
source "$(dirname "${BASH_SOURCE[0]}")/dev-env.sh"

serve=1
if [ "${1:-}" = "--no-run" ]; then serve=0; shift; fi
# An answer is never taken for the folder: answers hold "=".
output=baked
if [ $# -gt 0 ] && [[ "$1" != *=* ]]; then
    # A mistyped option is not a folder to bake into.
    if [[ "$1" == -* ]]; then
        echo "bake failed: unknown option $1 (scripts/bake.sh --help)" >&2
        exit 2
    fi
    output=$1
    shift
fi

# Ctrl-C during the bake: cookiecutter's process says in one line what is
# left (interrupted_bake.py); this shell only ends, with the same status.
trap 'exit 130' INT
# Checked before the folder is made: a mistyped question bakes nothing.
project=$("$TEMPLATE_DIR/.venv/bin/python" - "$TEMPLATE_DIR" "$output" "$@" <<'PY'
import os
import sys

template, output, *answers = sys.argv[1:]
sys.path.insert(0, template)
from template_answers import PROMPTS as questions  # noqa: E402

extra = {}
for answer in answers:
    key, equals, value = answer.partition("=")
    if not equals:
        sys.exit(f"bake failed: {answer!r} is no answer; answers are question=value")
    if key not in questions:
        sys.exit(
            f"bake failed: no question is named {key!r}; "
            f"the questions are {', '.join(questions)}"
        )
    extra[key] = value

from cookiecutter.exceptions import (  # noqa: E402
    CookiecutterException,
    OutputDirExistsException,
)
from cookiecutter.main import cookiecutter  # noqa: E402

output = os.path.abspath(output)
try:
    print(cookiecutter(template, no_input=True, output_dir=output, extra_context=extra))
except OutputDirExistsException as error:
    # cookiecutter's own words start with "Error:", and say no way out.
    sys.exit(
        f"bake failed: {str(error).removeprefix('Error: ')}; nothing was "
        f"changed there. Bake into another folder: scripts/bake.sh OTHER_FOLDER"
    )
except (CookiecutterException, ValueError) as error:
    # ValueError: a yes/no answer cookiecutter cannot read ("docker=maybe").
    sys.exit(f"bake failed: {error}")
PY
)
project=$(tail -n 1 <<<"$project")
cd "$project"
# From here on the project is whole: only its set-up stops.
trap 'echo "set-up interrupted: $project is baked; carry on there from its README (Get it running)" >&2; exit 130' INT
echo "Setting up $project ..." >&2
# The bake's Python (.python-version): pyenv's newest of that version if
# there is one, else whatever uv finds on PATH.
version=$(cat .python-version)
UV_PYTHON=$(ls -d "$HOME/.pyenv/versions/$version".*/bin/python 2>/dev/null | sort -V | tail -n 1)
export UV_PYTHON=${UV_PYTHON:-$version}
uv sync --locked
uv run python manage.py db upgrade
uv run pytest
# This script's uv is its own copy: say where, for the commands of later days.
uv_path=$(command -v uv)
later() {
    echo "$1: cd $project && $uv_path run python manage.py run" >&2
    # The baked README says plain "uv ...": does the user's shell run one
    # there? (A pyenv shim of another Python's uv is found, and fails.)
    if ! (cd "$project" && PATH=$users_path uv --version) >/dev/null 2>&1; then
        echo "Your shell has no uv; for the README's uv commands: export PATH=\"${uv_path%/uv}:\$PATH\"" >&2
    fi
}
if [ "$serve" = 1 ]; then
    echo "Serving $project on http://127.0.0.1:${FLASK_RUN_PORT:-5000}/ (Ctrl-C stops)." >&2
    later "Later"
    exec uv run python manage.py run
fi
echo "Baked and tested: $project" >&2
later "Serve it"
