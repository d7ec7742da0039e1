#!/usr/bin/env bash
# Bake a project from this checkout with the default answers and bring it up
# on SQLite: its own venv, its migrations applied, its tests run, then served.
#
#   scripts/bake.sh [--no-run] [OUTPUT_DIR] [answer=value ...]
#
# OUTPUT_DIR defaults to ./baked; answers override cookiecutter.json's
# defaults, e.g. project_name="Shop Front".
source "$(dirname "${BASH_SOURCE[0]}")/dev-env.sh"

serve=1
if [ "${1:-}" = "--no-run" ]; then serve=0; shift; fi
output=${1:-baked}
[ $# -gt 0 ] && shift
mkdir -p "$output"
output=$(cd "$output" && pwd)

project=$("$TEMPLATE_DIR/.venv/bin/python" - "$TEMPLATE_DIR" "$output" "$@" <<'PY'
import sys
from cookiecutter.exceptions import CookiecutterException
from cookiecutter.main import cookiecutter

template, output, *answers = sys.argv[1:]
extra = dict(answer.split("=", 1) for answer in answers)
try:
    print(cookiecutter(template, no_input=True, output_dir=output, extra_context=extra))
except CookiecutterException as error:
    sys.exit(f"bake failed: {error}")
PY
)
project=$(tail -n 1 <<<"$project")
cd "$project"
echo "Setting up $project ..." >&2
# The bake's Python (.python-version): pyenv's newest of that version if
# there is one, else whatever uv finds on PATH.
version=$(cat .python-version)
UV_PYTHON=$(ls -d "$HOME/.pyenv/versions/$version".*/bin/python 2>/dev/null | sort -V | tail -n 1)
export UV_PYTHON=${UV_PYTHON:-$version}
uv sync --locked
uv run python manage.py db upgrade
uv run pytest -q
if [ "$serve" = 1 ]; then
    echo "Serving $project on http://127.0.0.1:5000/ (Ctrl-C stops)" >&2
    exec uv run python manage.py run
fi
