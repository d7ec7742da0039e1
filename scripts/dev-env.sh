# Sourced by the other scripts: puts uv, at the version pinned here, on PATH
# (installed from PyPI into the cache once), then syncs .venv with the
# template's locked dev tools (uv.lock): quick when nothing changed.
set -euo pipefail
TEMPLATE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
UV_VERSION=0.13.9
PYTHON=${PYTHON:-python3}
EDMUNDS_TEMPLATE_CACHE=${EDMUNDS_TEMPLATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/edmunds-template}
# Pythons come from this machine, never downloaded.
export UV_PYTHON_DOWNLOADS=never

# Its own copy, from PyPI: a uv on PATH may be another version, or a pyenv
# shim that a project's .python-version hides.
uv_home="$EDMUNDS_TEMPLATE_CACHE/uv-$UV_VERSION"
if [ ! -x "$uv_home/bin/uv" ]; then
    mkdir -p "$EDMUNDS_TEMPLATE_CACHE"
    (
        flock 9
        if [ ! -x "$uv_home/bin/uv" ]; then
            echo "Installing uv $UV_VERSION into $uv_home ..." >&2
            rm -rf "$uv_home"
            "$PYTHON" -m pip install -q --disable-pip-version-check \
                --target "$uv_home" "uv==$UV_VERSION"
        fi
    ) 9>"$uv_home.lock"
fi
export PATH="$uv_home/bin:$PATH"

# uv finds a Python by its name on PATH, where a pyenv shim of a version not
# selected answers with an error: it gets the interpreter's own path instead.
TEMPLATE_PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)')
# scripts/lock.sh locks first, then syncs.
if [ "${EDMUNDS_TEMPLATE_NO_SYNC:-}" != 1 ]; then
    # Compiled at install: with PYTHONDONTWRITEBYTECODE set, every tool the
    # tests start (cookiecutter's hooks, cruft, schemathesis) would otherwise
    # compile its packages again each time.
    uv sync --locked --quiet --compile-bytecode --project "$TEMPLATE_DIR" \
        --python "$TEMPLATE_PYTHON"
fi
