"""The chapter-2 tour: the spec's examples of d2l 2.1 (all), 2.3 and 2.5 (a few), each run
like a notebook cell and shown with its result."""

from __future__ import annotations

import traceback

from rustgrad.demo.display import run_cell

# (section title, [(example title, code), ...]); each section runs in one fresh session.
SECTIONS = [
    (
        "2.1 Data manipulation",
        [
            ("E1. arange gives an int64 vector", "x = rg.arange(12)\nx"),
            ("E2. Shape", "x.shape"),
            ("E3. Number of elements", "x.numel()"),
            ("E4. Reshape to 3x4", "X = x.reshape(3, 4)\nX"),
            ("E5. Zeros", "rg.zeros((2, 3, 4))"),
            ("E6. Ones", "rg.ones((2, 3, 4))"),
            ("E7. Standard normal samples (random)", "rg.randn(3, 4)"),
            ("E8. Tensor from nested lists", "rg.tensor([[1, 2, 3, 4], [5, 6, 7, 8]])"),
            (
                "E9. Elementwise arithmetic",
                "x = rg.tensor([1.0, 2, 4, 8])\ny = rg.tensor([2, 2, 2, 2])\n"
                "x + y, x - y, x * y, x / y, x ** y",
            ),
            ("E10. Exponential", "rg.exp(x)"),
            (
                "E11. cat along dim 0 and dim 1",
                "X = rg.arange(12, dtype=rg.float32).reshape((3, 4))\n"
                "Y = rg.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])\n"
                "rg.cat((X, Y), dim=0), rg.cat((X, Y), dim=1)",
            ),
            ("E12. Elementwise comparison gives bool", "X == Y"),
            ("E13. Sum of all elements", "X.sum()"),
            (
                "E14. Broadcasting operands",
                "a = rg.arange(3).reshape((3, 1))\nb = rg.arange(2).reshape((1, 2))\na, b",
            ),
            ("E15. Broadcast add (3, 1) + (1, 2)", "a + b"),
            (
                "E16. Broadcasting, NumPy original",
                "import numpy as np\na = np.array([1, 2, 3])\nb = np.array([[4], [5], [6]])\n"
                "c = a + b\nprint(c)",
            ),
            (
                "E17. Same broadcast with rustgrad",
                "rg.tensor([1, 2, 3]) + rg.tensor([[4], [5], [6]])",
            ),
            ("E18. Indexing and slicing", "X[-1], X[1:3]"),
            ("E19. Write one element", "X[1, 2] = 9\nX"),
            ("E20. Assign one value to many elements", "X[0:2, :] = 12\nX"),
            (
                "E21. Slices with start, stop and step",
                "Z = rg.arange(16).reshape(4, 4)\nZ[1:3, 1:], Z[::3, ::2]",
            ),
            ("E22. Y = Y + X binds Y to new memory", "before = id(Y)\nY = Y + X\nid(Y) == before"),
            (
                "E23. Adding float32 to int64 makes a new float32 tensor",
                "x = rg.arange(12).reshape(3, 4)\nbefore = id(x)\ny = rg.ones((3, 4))\nx = x + y\n"
                "id(x) == before",
            ),
            (
                "E24. Slice assignment keeps identity",
                "Z = rg.zeros_like(Y)\nprint('id(Z):', id(Z))\nZ[:] = X + Y\n"
                "print('id(Z):', id(Z))",
            ),
            ("E25. Augmented assignment is in place", "before = id(X)\nX += Y\nid(X) == before"),
            ("E26. To NumPy and back", "A = X.numpy()\nB = rg.tensor(A)\ntype(A), type(B)"),
            (
                "E27. .numpy() shares memory; rg.tensor(ndarray) copies",
                "t = rg.arange(3)\nn = t.numpy()\nc = rg.tensor(n)\nt += 10\nn, c",
            ),
            (
                "E28. One-element tensor to Python scalar",
                "a = rg.tensor([3.5])\na, a.item(), float(a), int(a)",
            ),
            (
                "E29. Reshape returns a view that shares storage",
                "a = rg.arange(12)\nb = a.reshape((3, 4))\nb[:] = 2\na",
            ),
            (
                "E30. Default dtypes",
                "(rg.tensor([1, 2]).dtype, rg.tensor([1.0]).dtype, rg.tensor([1, 2.0]).dtype,\n"
                " rg.tensor([True]).dtype, rg.arange(12).dtype, rg.arange(4.0).dtype,\n"
                " rg.tensor(np.ones(2)).dtype, rg.ones(2).dtype)",
            ),
            (
                "E31. Type promotion",
                "(rg.arange(3) + rg.ones(3)).dtype, (rg.arange(3) / 2).dtype, "
                "rg.tensor([True, False]).sum(), rg.arange(3) * 2.5",
            ),
            (
                "E32. Errors use PyTorch's exception types and messages",
                'for expr in ["rg.tensor([1., 2.]).item()", "float(rg.tensor([1., 2.]))",\n'
                '             "bool(rg.tensor([1., 2.]))", "len(rg.tensor(1.))",\n'
                '             "rg.arange(4).mean()",\n'
                '             "rg.ones(2, 3) + rg.ones(3, 2)", "rg.arange(12).reshape(5, 3)"]:\n'
                "    try:\n        eval(expr)\n    except Exception as e:\n"
                "        print(type(e).__name__ + ':', e)",
            ),
        ],
    ),
    (
        "2.3 Linear algebra",
        [
            (
                "E42. Float matrix; clone copies",
                "A = rg.arange(20, dtype=rg.float32).reshape(5, 4)\nB = A.clone()\nA",
            ),
            ("E44. Sum along axis 0 and axis 1", "A.sum(axis=0), A.sum(axis=1)"),
            (
                "E52. Dot product",
                "x = rg.arange(4, dtype=rg.float32)\ny = rg.ones(4, dtype=rg.float32)\n"
                "x, y, rg.dot(x, y)",
            ),
            ("E56. Matrix-matrix product", "B = rg.ones(4, 3)\nrg.mm(A, B)"),
            ("E58. L2 norm", "u = rg.tensor([3.0, -4.0])\nrg.norm(u)"),
        ],
    ),
    (
        "2.5 Automatic differentiation",
        [
            ("E66. A float vector", "x = rg.arange(4.0)\nx"),
            ("E67. Enable gradients; .grad starts as None", "x.requires_grad_(True)\nx.grad"),
            ("E68. y = 2 x.x records grad_fn", "y = 2 * rg.dot(x, x)\ny"),
            ("E69. backward fills x.grad", "y.backward()\nx.grad"),
            ("E70. Gradient check", "x.grad == 4 * x"),
            (
                "E71. Zero the gradient, then a new function",
                "x.grad.zero_()\ny = x.sum()\nprint(x)\nprint(y)\ny.backward()\nx.grad",
            ),
            ("E78. detach gives a constant", "x.grad.zero_()\ny = x * x\nu = y.detach()\nu"),
            (
                "E79. Gradient does not flow through the detached u",
                "z = u * x\nz.sum().backward()\nx.grad == u",
            ),
        ],
    ),
]


def run_tour(out=print) -> int:
    """Runs every example, printing code and result; returns the number that failed.

    Example:
        >>> import contextlib, io
        >>> from rustgrad.demo.tour import run_tour
        >>> with contextlib.redirect_stdout(io.StringIO()):
        ...     failures = run_tour()
        >>> failures
        0
    """
    import rustgrad

    failures = 0
    for section, examples in SECTIONS:
        out(f"\n=== d2l {section} ===")
        namespace = {"rg": rustgrad}
        for title, code in examples:
            out(f"\n--- {title}")
            out("\n".join(_prompt(line) + line for line in code.split("\n")))
            try:
                shown = run_cell(code, namespace)
            except Exception:
                failures += 1
                out("example failed:\n" + traceback.format_exc(limit=1))
                continue
            if shown is not None:
                out(shown)
    return failures


def _prompt(line: str) -> str:
    return "... " if line[:1] in (" ", ")", "]") else ">>> "
