#!/usr/bin/env bash
# The template's whole test suite: bakes projects and runs them.
# Arguments go to pytest (e.g. scripts/test.sh -k hooks).
source "$(dirname "${BASH_SOURCE[0]}")/dev-env.sh"
cd "$TEMPLATE_DIR"
exec .venv/bin/python -m pytest "$@"
