"""Module-level forms of tensor methods: ``rustgrad.exp(x)`` is ``x.exp()``."""

from __future__ import annotations

from rustgrad._as_function import as_function
from rustgrad._core import Tensor

__all__ = [
    "abs",
    "clamp",
    "clip",
    "cos",
    "exp",
    "is_tensor",
    "log",
    "maximum",
    "minimum",
    "numel",
    "relu",
    "sigmoid",
    "sin",
    "sqrt",
    "tanh",
    "where",
]


def _unary(name: str, example: str):
    summary = (
        f"Elementwise ``{name}`` of ``input``; integer inputs give float32 where the result is\n"
        "    not an integer."
    )
    return as_function(name, "input", summary, example)


abs = _unary("abs", ">>> rustgrad.abs(rustgrad.tensor([-1, 2]))\n        tensor([1, 2])")  # noqa: A001
exp = _unary("exp", ">>> rustgrad.exp(rustgrad.tensor([0.0]))\n        tensor([1.])")
log = _unary("log", ">>> rustgrad.log(rustgrad.tensor([1.0]))\n        tensor([0.])")
sqrt = _unary("sqrt", ">>> rustgrad.sqrt(rustgrad.tensor([4.0]))\n        tensor([2.])")
sin = _unary("sin", ">>> rustgrad.sin(rustgrad.tensor([0.0]))\n        tensor([0.])")
cos = _unary("cos", ">>> rustgrad.cos(rustgrad.tensor([0.0]))\n        tensor([1.])")
tanh = _unary("tanh", ">>> rustgrad.tanh(rustgrad.tensor([0.0]))\n        tensor([0.])")
sigmoid = _unary(
    "sigmoid", ">>> rustgrad.sigmoid(rustgrad.tensor([0.0]))\n        tensor([0.5000])"
)
relu = _unary("relu", ">>> rustgrad.relu(rustgrad.tensor([-1.0, 2.0]))\n        tensor([0., 2.])")


def maximum(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise maximum with broadcasting (NaN propagates).

    Example:
        >>> rustgrad.maximum(rustgrad.tensor([1, 5]), rustgrad.tensor([3, 2]))
        tensor([3, 5])
    """
    return input.maximum(other)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise minimum with broadcasting (NaN propagates).

    Example:
        >>> rustgrad.minimum(rustgrad.tensor([1, 5]), rustgrad.tensor([3, 2]))
        tensor([1, 2])
    """
    return input.minimum(other)


def clamp(input: Tensor, min=None, max=None) -> Tensor:  # noqa: A002
    """Values of ``input`` limited to ``[min, max]``; either bound may be None.

    Example:
        >>> rustgrad.clamp(rustgrad.tensor([-2.0, 0.5, 3.0]), min=0.0, max=1.0)
        tensor([0.0000, 0.5000, 1.0000])
    """
    return input.clamp(min, max)


clip = clamp


def where(condition: Tensor, input, other) -> Tensor:
    """Elements of ``input`` where ``condition`` holds, else of ``other`` (broadcast).

    Example:
        >>> x = rustgrad.tensor([-1.0, 2.0])
        >>> rustgrad.where(x > 0, x, 0.0)
        tensor([0., 2.])
    """
    if not isinstance(input, Tensor):
        input = _scalar_like(input, other)
    return input.where(condition, other)


def _scalar_like(value, other):
    from rustgrad._core import tensor

    if isinstance(other, Tensor):
        from rustgrad._core import result_type

        return tensor(value, dtype=result_type(other, value))
    return tensor(value)


def is_tensor(obj) -> bool:
    """True if ``obj`` is a rustgrad tensor.

    Example:
        >>> rustgrad.is_tensor(rustgrad.ones(1))
        True
    """
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    """Number of elements of ``input``.

    Example:
        >>> rustgrad.numel(rustgrad.ones(2, 3))
        6
    """
    return input.numel()
