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
"$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q -r requirements-dev.txt
.venv/bin/python manage.py db upgrade
.venv/bin/python -m pytest -q
if [ "$serve" = 1 ]; then
    echo "Serving $project on http://127.0.0.1:5000/ (Ctrl-C stops)" >&2
    exec .venv/bin/python manage.py run
fi
