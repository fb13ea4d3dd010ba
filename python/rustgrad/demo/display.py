"""Shows values the way the notes (Jupyter, IPython's pretty printer) show them.

A tuple or list goes on one line when it fits in 79 columns (counted as torch's text, whose
names are three characters shorter) and no element spans several lines;
otherwise each element starts a new line, and continuation lines are indented by the column at
which the element starts.
"""

from __future__ import annotations

import ast

MAX_WIDTH = 79


def pretty(value, column: int = 0) -> str:
    """The display text of ``value`` starting at ``column``.

    Example:
        >>> print(pretty((1, [2, 3])))
        (1, [2, 3])
    """
    if isinstance(value, type):
        module = value.__module__
        name = value.__qualname__
        return name if module in ("builtins", None) else f"{module}.{name}"
    if isinstance(value, (tuple, list)) and not hasattr(value, "_fields"):
        if type(value) not in (tuple, list):
            return _indent(repr(value), column)
        return _sequence(value, column)
    return _indent(repr(value), column)


def _indent(text: str, column: int) -> str:
    return text.replace("\n", "\n" + " " * column)


def _sequence(items, column: int) -> str:
    opening, closing = ("(", ")") if isinstance(items, tuple) else ("[", "]")
    if isinstance(items, tuple) and len(items) == 1:
        closing = ",)"
    parts = [pretty(item, column + 1) for item in items]
    one_line = opening + ", ".join(parts) + closing
    if "\n" not in one_line and column + _torch_width(one_line) <= MAX_WIDTH:
        return one_line
    separator = ",\n" + " " * (column + 1)
    return opening + separator.join(parts) + closing


def _torch_width(text: str) -> int:
    """Width of ``text`` as torch prints it (``torch.`` where rustgrad prints ``rustgrad.``),
    so that lines break exactly where the notes' (torch's) output breaks."""
    return len(text) - 3 * text.count("rustgrad.")


def run_cell(source: str, namespace: dict) -> str | None:
    """Runs ``source`` like a notebook cell; returns the display of its last expression.

    Whatever the cell prints goes to stdout as usual; ``None`` results display nothing.

    Example:
        >>> run_cell("x = 2\\nx * 3", {})
        '6'
    """
    tree = ast.parse(source, mode="exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, "<cell>", "exec"), namespace)
    if last is None:
        return None
    value = eval(compile(last, "<cell>", "eval"), namespace)
    return None if value is None else pretty(value)
