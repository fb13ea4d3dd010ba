"""Runs the `>>>` examples in the docstrings of rustgrad's public API (functions, classes, their
methods and the package itself), with `rustgrad` imported, and checks their printed output.

An example that fails only because it calls an API that does not exist yet (AttributeError on a
rustgrad object) is skipped with the missing name, so it runs as soon as that API lands.
"""

from __future__ import annotations

import doctest
import re

import pytest

import rustgrad


def public_docstrings() -> list[tuple[str, str]]:
    """(qualified name, docstring) of every public object that has `>>>` examples."""
    found: dict[str, str] = {}  # docstring -> first name (dtype objects share their class's)

    def add(name, obj):
        doc = getattr(obj, "__doc__", None)
        if isinstance(doc, str) and ">>>" in doc:
            found.setdefault(doc, name)

    add("rustgrad", rustgrad)
    for name in sorted(set(rustgrad.__all__)):
        obj = getattr(rustgrad, name)
        add(f"rustgrad.{name}", obj)
        if isinstance(obj, type):
            for attr, member in sorted(vars(obj).items()):
                if not attr.startswith("_"):
                    add(f"rustgrad.{name}.{attr}", member)
    return sorted((name, doc) for doc, name in found.items())


DOCSTRINGS = public_docstrings()
MISSING_API = re.compile(
    r"AttributeError: '?(rustgrad\.\w+|module 'rustgrad')'? .*has no attribute '(\w+)'"
)


def test_examples_are_found():
    names = [name for name, _ in DOCSTRINGS]
    assert "rustgrad.exp" in names and "rustgrad.Tensor" in names and "rustgrad.Size" in names


@pytest.mark.parametrize(("name", "doc"), DOCSTRINGS, ids=[n for n, _ in DOCSTRINGS])
def test_docstring_examples(name, doc):
    test = doctest.DocTestParser().get_doctest(
        doc, {"rustgrad": rustgrad, "rg": rustgrad}, name, None, 0
    )
    out: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    try:
        result = runner.run(test, out=out.append, clear_globs=True)
    finally:
        rustgrad.set_printoptions(profile="default")
    report = "".join(out)
    if result.failed:
        missing = MISSING_API.search(report)
        if missing:
            pytest.skip(f"uses {missing.group(2)}, which does not exist yet")
        pytest.fail(f"{result.failed} of {result.attempted} examples failed:\n{report}")
    assert result.attempted > 0
