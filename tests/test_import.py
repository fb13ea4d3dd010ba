"""``import rustgrad`` stays light: NumPy and other heavy modules load on first use only.

Each check runs in a fresh interpreter, since this test process has imported NumPy already.
"""

import subprocess
import sys
import textwrap

import pytest

# Modules `import rustgrad` must not import (NumPy costs ~65 ms, inspect ~18 ms, typing ~11 ms).
HEAVY = ("numpy", "inspect", "typing", "dataclasses", "re")


def run(code: str) -> str:
    """Runs ``code`` in a fresh interpreter and returns its standard output."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_import_does_not_import_numpy():
    run("import rustgrad, sys; assert 'numpy' not in sys.modules")


def test_import_adds_no_heavy_module():
    out = run(
        f"""
        import sys
        before = set(sys.modules)
        import rustgrad
        print(sorted(set({HEAVY!r}) & (set(sys.modules) - before)))
        """
    )
    assert out.strip() == "[]"


def test_printing_after_import_loads_numpy():
    out = run(
        """
        import sys
        import rustgrad
        x = rustgrad.arange(4.0, requires_grad=True)
        print(x)
        print("numpy" in sys.modules)
        """
    )
    assert out == "tensor([0., 1., 2., 3.], requires_grad=True)\nTrue\n"


def test_set_printoptions_before_first_print():
    out = run(
        """
        import rustgrad
        rustgrad.set_printoptions(precision=2)
        print(rustgrad.tensor([1.2345]))
        """
    )
    assert out == "tensor([1.23])\n"


@pytest.mark.parametrize(
    "expr",
    [
        "rustgrad.distributions.Normal(0.0, 1.0).sample((3,)).shape",
        "rustgrad.data_utils.synthetic_data(rustgrad.tensor([1.0, 2.0]), 0.5, 4)[0].shape",
        "__import__('rustgrad.distributions').distributions.Bernoulli(0.5).sample().shape",
    ],
)
def test_lazy_subpackages(expr):
    out = run(
        f"""
        import rustgrad
        assert {{"data_utils", "distributions"}} <= set(dir(rustgrad))
        print({expr})
        """
    )
    assert out.startswith("rustgrad.Size(")


def test_unknown_attribute_is_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        import rustgrad

        rustgrad.no_such_name  # noqa: B018


def test_dataloader_of_tensors_needs_no_numpy():
    out = run(
        """
        import sys
        import rustgrad
        from rustgrad.utils.data import DataLoader, TensorDataset
        ds = TensorDataset(rustgrad.arange(6).reshape(3, 2), rustgrad.tensor([0, 1, 0]))
        print([y.tolist() for _, y in DataLoader(ds, batch_size=2)], "numpy" in sys.modules)
        """
    )
    assert out == "[[0, 1], [0]] False\n"


def test_gradcheck_after_import():
    out = run(
        """
        import rustgrad
        x = rustgrad.tensor([0.5, -1.0], dtype=rustgrad.float64, requires_grad=True)
        print(rustgrad.autograd.gradcheck(lambda t: (t * t).sin(), (x,)))
        """
    )
    assert out == "True\n"
