# Sourced by the other scripts: makes .venv with the template's dev
# requirements, again whenever requirements-dev.txt changes.
set -euo pipefail
TEMPLATE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}
stamp="$TEMPLATE_DIR/.venv/requirements-dev.txt"
if ! cmp -s "$TEMPLATE_DIR/requirements-dev.txt" "$stamp" 2>/dev/null; then
    echo "Setting up $TEMPLATE_DIR/.venv ..." >&2
    rm -rf "$TEMPLATE_DIR/.venv"
    "$PYTHON" -m venv "$TEMPLATE_DIR/.venv"
    "$TEMPLATE_DIR/.venv/bin/python" -m pip install -q --upgrade pip
    "$TEMPLATE_DIR/.venv/bin/python" -m pip install -q -r "$TEMPLATE_DIR/requirements-dev.txt"
    cp "$TEMPLATE_DIR/requirements-dev.txt" "$stamp"
fi
