#!/usr/bin/env bash
# The benchmark: a default bake against the same API written by hand, side by
# side; prints the table and writes BENCHMARKS.md. Arguments go to the runner
# (scripts/bench.sh --help). Load figures need wrk (Debian: apt-get install wrk).
source "$(dirname "${BASH_SOURCE[0]}")/dev-env.sh"
cd "$TEMPLATE_DIR"
exec .venv/bin/python -m bench "$@"
