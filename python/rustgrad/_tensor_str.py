"""How tensors print: a port of PyTorch's ``torch/_tensor_str.py`` printing algorithm.

``repr(t)`` and ``str(t)`` are identical and match torch's text with ``torch.`` replaced by
``rustgrad.``. The values are read through NumPy (sharing the tensor's memory), so this module
is imported on a tensor's first ``repr``, not by ``import rustgrad``; the options live in
``rustgrad._printoptions``.
"""

from __future__ import annotations

import math

import numpy as np

from rustgrad._printoptions import PRINT_OPTS


class _Formatter:
    """Decides one width and notation for all elements, as torch's ``_Formatter``."""

    def __init__(self, values: np.ndarray, floating: bool):
        self.floating_dtype = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        p = PRINT_OPTS.precision
        flat = values.reshape(-1)
        if not floating:
            for value in flat.tolist():
                self.max_width = max(self.max_width, len(f"{value}"))
        else:
            vals = flat.astype(np.float64)
            nonzero_finite = vals[np.isfinite(vals) & (vals != 0)]
            if nonzero_finite.size == 0:
                return
            absvals = np.abs(nonzero_finite)
            vmin, vmax = float(absvals.min()), float(absvals.max())
            self.int_mode = bool(np.all(nonzero_finite == np.ceil(nonzero_finite)))
            items = nonzero_finite.tolist()
            if PRINT_OPTS.sci_mode is None:
                self.sci_mode = vmax / vmin > 1000.0 or vmax > 1.0e8 or vmin < 1.0e-4
            else:
                self.sci_mode = PRINT_OPTS.sci_mode
            if self.sci_mode:
                for v in items:
                    self.max_width = max(self.max_width, len(f"{v:.{p}e}"))
            elif self.int_mode:
                # whole numbers print with a trailing "." (counted in the width)
                for v in items:
                    self.max_width = max(self.max_width, len(f"{v:.0f}") + 1)
            else:
                for v in items:
                    self.max_width = max(self.max_width, len(f"{v:.{p}f}"))

    def width(self) -> int:
        return self.max_width

    def format(self, value) -> str:
        p = PRINT_OPTS.precision
        if self.floating_dtype:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{p}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{p}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _vector_str(values: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    element_length = fmt.width() + 2
    per_line = max(1, int(math.floor((PRINT_OPTS.linewidth - indent) / element_length)))
    edge = PRINT_OPTS.edgeitems
    if summarize and not edge:
        data = ["..."]
    elif summarize and values.shape[0] > 2 * edge:
        data = (
            [fmt.format(v) for v in values[:edge].tolist()]
            + [" ..."]
            + [fmt.format(v) for v in values[-edge:].tolist()]
        )
    else:
        data = [fmt.format(v) for v in values.tolist()]
    lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(values, indent, summarize, fmt) -> str:
    dim = values.ndim
    if dim == 0:
        return fmt.format(values.item())
    if dim == 1:
        return _vector_str(values, indent, summarize, fmt)
    edge = PRINT_OPTS.edgeitems
    n = values.shape[0]
    if summarize and n > 2 * edge:
        slices = (
            [_tensor_str_with_formatter(values[i], indent + 1, summarize, fmt) for i in range(edge)]
            + ["..."]
            + [
                _tensor_str_with_formatter(values[i], indent + 1, summarize, fmt)
                for i in range(n - edge, n)
            ]
        )
    else:
        slices = [
            _tensor_str_with_formatter(values[i], indent + 1, summarize, fmt) for i in range(n)
        ]
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices) + "]"


def _summarized(values: np.ndarray) -> np.ndarray:
    """The elements a summarized print shows (torch's ``get_summarized_data``)."""
    edge = PRINT_OPTS.edgeitems
    for axis, n in enumerate(values.shape):
        if n > 2 * edge:
            idx = list(range(edge)) + list(range(n - edge, n))
            values = np.take(values, idx, axis=axis)
    return values


def _add_suffixes(tensor_str: str, suffixes: list[str], indent: int) -> str:
    """Appends the suffixes, each on a new line if it would overflow the line. Lengths are
    counted as torch's text (``torch.`` where we print ``rustgrad.``), so that lines break
    where torch's do (spec: torch's output with ``torch.`` renamed)."""
    parts = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        suffix_len = len(suffix.replace("rustgrad.", "torch."))
        if last_line_len + suffix_len + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + suffix_len
        else:
            parts.append(", " + suffix)
            last_line_len += suffix_len + 2
    parts.append(")")
    return "".join(parts)


def _values(t) -> np.ndarray:
    values = np.asarray(t._numpy_view() if hasattr(t, "_numpy_view") else t.numpy())
    return values


def tensor_repr(t) -> str:
    """The text of ``repr(t)``."""
    import rustgrad

    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    dtype = t.dtype
    default = rustgrad.get_default_dtype()
    if t.numel() == 0:
        if t.dim() != 1:
            suffixes.append("size=" + str(tuple(t.shape)))
        if dtype != default:
            suffixes.append("dtype=" + repr(dtype))
        body = "[]"
    else:
        if dtype not in (default, rustgrad.int64, rustgrad.bool):
            suffixes.append("dtype=" + repr(dtype))
        values = _values(t)
        summarize = values.size > PRINT_OPTS.threshold
        fmt = _Formatter(_summarized(values) if summarize else values, dtype.is_floating_point)
        body = _tensor_str_with_formatter(values, indent, summarize, fmt)
    grad_fn = getattr(t, "grad_fn", None)
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn.name()}>")
    elif getattr(t, "requires_grad", False):
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
