#!/usr/bin/env bash
# Locks every dependency: the template's own uv.lock (its dev tools, from
# ./pyproject.toml), then a uv.lock per Python and set of database drivers a
# bake can choose, from {{cookiecutter.project_slug}}/pyproject.toml, into
# {{cookiecutter.project_slug}}/.uv-locks/ (the post-gen hook puts the right
# one in place). Run it after changing either pyproject.toml.
#
#   scripts/lock.sh            keep every locked version that still fits
#   scripts/lock.sh --upgrade  move everything to the newest releases allowed
EDMUNDS_TEMPLATE_NO_SYNC=1 source "$(dirname "${BASH_SOURCE[0]}")/dev-env.sh"
cd "$TEMPLATE_DIR"
uv lock --quiet --python "$TEMPLATE_PYTHON" "$@"
uv sync --locked --quiet --python "$TEMPLATE_PYTHON"
exec .venv/bin/python scripts/lock.py "$@"
