#!/usr/bin/env bash
# Builds and installs rustgrad (with the demo's extras) into a virtual environment, then runs the
# main job: the chapter-2 tour and training on the embedded data set. Extra arguments go to the
# demo (`--help` lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${RUSTGRAD_VENV:-.venv}"

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q ".[demo]"
exec "$VENV/bin/python" -m rustgrad.demo "$@"
