"""The type stub `rustgrad/_core.pyi` matches the compiled module (mypy's stubtest), when mypy is
installed."""

import subprocess
import sys

import pytest


def test_stub_matches_the_native_module():
    pytest.importorskip("mypy.stubtest")
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "rustgrad._core"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
