"""Module-level reductions: ``rustgrad.sum(x, dim)`` is ``x.sum(dim)``.

Every function takes torch's arguments (``dim``, ``keepdim``, ``dtype``) and NumPy's spellings
``axis=`` and ``keepdims=``; ``dim`` may be an int, a tuple or a list.
"""

from __future__ import annotations

from rustgrad._as_function import as_function as _method

__all__ = [
    "all",
    "amax",
    "amin",
    "any",
    "argmax",
    "argmin",
    "count_nonzero",
    "cumprod",
    "cumsum",
    "dist",
    "log_softmax",
    "logsumexp",
    "max",
    "mean",
    "min",
    "norm",
    "prod",
    "softmax",
    "std",
    "sum",
    "var",
]


_A = "x = rustgrad.tensor([[1., 2.], [3., 4.]])\n        >>> "

sum = _method(  # noqa: A001
    "sum",
    "input, dim=None, keepdim=False, *, dtype=None",
    "Sum over ``dim`` (every dimension by default); integer and bool inputs give int64.",
    f">>> {_A}rustgrad.sum(x), rustgrad.sum(x, axis=0, keepdims=True)\n"
    "        (tensor(10.), tensor([[4., 6.]]))",
)
mean = _method(
    "mean",
    "input, dim=None, keepdim=False, *, dtype=None",
    "Mean over ``dim``; the input must be floating (or ``dtype=`` a floating dtype).",
    f">>> {_A}rustgrad.mean(x, dim=1)\n        tensor([1.5000, 3.5000])",
)
prod = _method(
    "prod",
    "input, dim=None, keepdim=False, *, dtype=None",
    "Product over one ``dim`` (every element by default); integers give int64.",
    f">>> {_A}rustgrad.prod(x, 0)\n        tensor([3., 8.])",
)
max = _method(  # noqa: A001
    "max",
    "input, dim=None, keepdim=False) or max(input, other",
    "Largest element (0-d); with ``dim`` a ``(values, indices)`` named tuple; with a tensor "
    "``other`` the elementwise maximum.",
    f">>> {_A}rustgrad.max(x), rustgrad.max(x, dim=1).indices\n"
    "        (tensor(4.), tensor([1, 1]))",
)
min = _method(  # noqa: A001
    "min",
    "input, dim=None, keepdim=False) or min(input, other",
    "Smallest element (0-d); with ``dim`` a ``(values, indices)`` named tuple; with a tensor "
    "``other`` the elementwise minimum.",
    f">>> {_A}rustgrad.min(x, rustgrad.tensor(2.5))\n"
    "        tensor([[1.0000, 2.0000],\n                [2.5000, 2.5000]])",
)
amax = _method(
    "amax",
    "input, dim=(), keepdim=False",
    "Largest values over ``dim`` (an int or a tuple; every dimension by default).",
    f">>> {_A}rustgrad.amax(x, dim=0)\n        tensor([3., 4.])",
)
amin = _method(
    "amin",
    "input, dim=(), keepdim=False",
    "Smallest values over ``dim`` (an int or a tuple; every dimension by default).",
    f">>> {_A}rustgrad.amin(x, dim=(0, 1))\n        tensor(1.)",
)
argmax = _method(
    "argmax",
    "input, dim=None, keepdim=False",
    "int64 position of the first maximum along ``dim`` (in the flattened tensor by default).",
    f">>> {_A}rustgrad.argmax(x), rustgrad.argmax(x, dim=1)\n        (tensor(3), tensor([1, 1]))",
)
argmin = _method(
    "argmin",
    "input, dim=None, keepdim=False",
    "int64 position of the first minimum along ``dim`` (in the flattened tensor by default).",
    f">>> {_A}rustgrad.argmin(x, dim=0)\n        tensor([0, 0])",
)
all = _method(  # noqa: A001
    "all",
    "input, dim=None, keepdim=False",
    "True where every element over ``dim`` is non-zero (bool result).",
    f">>> {_A}rustgrad.all(x > 1, dim=1)\n        tensor([False,  True])",
)
any = _method(  # noqa: A001
    "any",
    "input, dim=None, keepdim=False",
    "True where some element over ``dim`` is non-zero (bool result).",
    f">>> {_A}rustgrad.any(x > 3)\n        tensor(True)",
)
count_nonzero = _method(
    "count_nonzero",
    "input, dim=None",
    "Number of non-zero elements over ``dim`` (int64).",
    f">>> {_A}rustgrad.count_nonzero(x - 1, dim=0)\n        tensor([1, 2])",
)
var = _method(
    "var",
    "input, dim=None, *, correction=1, keepdim=False",
    "Variance over ``dim``: squared deviations divided by ``N - correction`` "
    "(``unbiased=False`` means ``correction=0``).",
    f">>> {_A}rustgrad.var(x), rustgrad.var(x, unbiased=False)\n"
    "        (tensor(1.6667), tensor(1.2500))",
)
std = _method(
    "std",
    "input, dim=None, *, correction=1, keepdim=False",
    "Standard deviation over ``dim`` (the square root of ``var``).",
    f">>> {_A}rustgrad.std(x, dim=1)\n        tensor([0.7071, 0.7071])",
)
logsumexp = _method(
    "logsumexp",
    "input, dim, keepdim=False",
    "``log(sum(exp(input)))`` over ``dim``, computed without overflow.",
    ">>> rustgrad.logsumexp(rustgrad.tensor([1000., 1000.]), dim=0)\n        tensor(1000.6932)",
)
norm = _method(
    "norm",
    "input, p='fro', dim=None, keepdim=False, dtype=None",
    "Vector p-norm of the elements over ``dim`` (all by default): ``p=2``/``'fro'``, "
    "``p=1``, ``float('inf')`` or any ``p > 0``.",
    ">>> u = rustgrad.tensor([3.0, -4.0])\n"
    "        >>> rustgrad.norm(u), rustgrad.norm(u, p=1)\n"
    "        (tensor(5.), tensor(7.))",
)
dist = _method(
    "dist",
    "input, other, p=2",
    "The p-norm of ``input - other``.",
    ">>> rustgrad.dist(rustgrad.tensor([1., 1.]), rustgrad.tensor([4., 5.]))\n        tensor(5.)",
)
cumsum = _method(
    "cumsum",
    "input, dim, *, dtype=None",
    "Running sum along ``dim``; integers and bool give int64.",
    f">>> {_A}rustgrad.cumsum(x, dim=0)\n        tensor([[1., 2.],\n                [4., 6.]])",
)
cumprod = _method(
    "cumprod",
    "input, dim, *, dtype=None",
    "Running product along ``dim``; integers and bool give int64.",
    ">>> rustgrad.cumprod(rustgrad.tensor([1, 2, 3]), dim=0)\n        tensor([1, 2, 6])",
)
softmax = _method(
    "softmax",
    "input, dim, dtype=None",
    "``exp(x) / sum(exp(x))`` along ``dim``, with the maximum subtracted first.",
    ">>> rustgrad.softmax(rustgrad.tensor([0., 0.]), dim=0)\n        tensor([0.5000, 0.5000])",
)
log_softmax = _method(
    "log_softmax",
    "input, dim, dtype=None",
    "``log(softmax(x))`` along ``dim``, computed stably.",
    ">>> rustgrad.log_softmax(rustgrad.tensor([0., 0.]), dim=0)\n"
    "        tensor([-0.6931, -0.6931])",
)
