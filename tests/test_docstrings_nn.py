"""Runs the ``>>>`` examples in the docstrings of nn, optim, utils.data, distributions,
data_utils and the demo's helpers."""

import doctest
import importlib
import pkgutil

import pytest

import rustgrad

PACKAGES = ["nn", "optim", "utils", "distributions", "data_utils", "demo"]


def modules():
    for pkg in PACKAGES:
        root = importlib.import_module(f"rustgrad.{pkg}")
        yield root.__name__
        for info in pkgutil.walk_packages(root.__path__, prefix=root.__name__ + "."):
            if not info.name.endswith("__main__"):
                yield info.name


@pytest.mark.parametrize("name", sorted(set(modules())))
def test_docstring_examples(name):
    module = importlib.import_module(name)
    rustgrad.manual_seed(0)
    result = doctest.testmod(
        module,
        extraglobs={"rustgrad": rustgrad},
        verbose=False,
    )
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
