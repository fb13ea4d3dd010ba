"""The module-level form of a tensor method (``rustgrad.sum(x, 1)`` is ``x.sum(1)``), with a
generated docstring; used by ``_functions``, ``_reductions`` and ``_linalg``."""

from __future__ import annotations

from rustgrad._core import Tensor


def as_function(name: str, signature: str, summary: str, example: str):
    """``rustgrad.<name>(input, ...)`` calling ``Tensor.<name>``, documented as
    ``<name>(<signature>)``, ``summary`` and the ``>>>`` ``example``."""
    method = getattr(Tensor, name)

    def fn(input: Tensor, *args, **kwargs):
        return method(input, *args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"""{name}({signature})

    {summary}

    Example:
        {example}
    """
    return fn
