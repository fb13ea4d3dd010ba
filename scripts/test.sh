#!/usr/bin/env bash
# Builds rustgrad and runs the whole gate: formatting and lints, the Rust core's tests
# (cargo test) and the Python API's tests (pytest, against the freshly built extension).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${RUSTGRAD_VENV:-.venv}"

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -r requirements-dev.txt

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --quiet --all-targets --features python -- -D warnings
echo "== ruff"
"$VENV/bin/ruff" check python tests benches examples
echo "== cargo test"
cargo test --quiet
echo "== build the extension (maturin develop --release)"
VIRTUAL_ENV="$PWD/$VENV" PATH="$PWD/$VENV/bin:$PATH" maturin develop --release --quiet
echo "== pytest"
"$VENV/bin/python" -m pytest tests
