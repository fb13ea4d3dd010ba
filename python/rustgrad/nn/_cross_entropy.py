"""The composed (differentiable) cross-entropy and NLL behind ``nn.functional`` when class
``weight``, ``label_smoothing`` or probability targets are given, with PyTorch's semantics.

For class-index targets, with ``logp = log_softmax(x)``, ``w_i = weight[y_i]`` (1 without
``weight``) and ``w_i = 0`` where ``y_i == ignore_index``:

- ``nll_i = -w_i * logp[i, y_i]``;
- ``smooth_i = -sum_c weight[c] * logp[i, c]`` (0 where ignored);
- ``loss_i = (1 - eps) * nll_i + eps / C * smooth_i``;
- ``'mean'`` divides ``sum_i loss_i`` by ``sum_i w_i`` (the weights of the counted targets).

The plain case (no weight, no smoothing) uses the fused Rust op instead (``NllLossBackward0``).
"""

from __future__ import annotations

from rustgrad._core import Tensor

_TORCH_NAMES = {
    "bool": "Bool",
    "uint8": "Byte",
    "int32": "Int",
    "int64": "Long",
    "float32": "Float",
    "float64": "Double",
}


def torch_name(dtype) -> str:
    """PyTorch's C++ name of a dtype, as in its messages (``Float``, ``Long``, ...)."""
    return _TORCH_NAMES[str(dtype).rsplit(".", 1)[-1]]


def as_rows(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """``input`` (N, C, d1, ...) and ``target`` (N, d1, ...) as (M, C) rows and (M,) targets;
    ``(C,)`` with ``()`` (or ``(1,)``) becomes one row."""
    if input.dim() == 1:
        if target.dim() > 1 or target.numel() != 1:
            raise ValueError(
                f"For 1D input, 1D target must have size 1, but got target size: {target.numel()}"
            )
        return input.unsqueeze(0), target.reshape(1)
    n = input.shape[0]
    batch = target.shape[0] if target.dim() else 1
    if batch != n:
        raise ValueError(f"Expected input batch_size ({n}) to match target batch_size ({batch}).")
    expected = [n, *input.shape[2:]]
    if list(target.shape) != expected:
        raise RuntimeError(f"Expected target size {expected}, got {list(target.shape)}")
    if input.dim() == 2:
        return input, target
    return input.movedim(1, -1).reshape(-1, input.shape[1]), target.reshape(-1)


def check_target(target: Tensor) -> None:
    if str(target.dtype) not in ("rustgrad.int64", "rustgrad.uint8"):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {torch_name(target.dtype)}"
        )


def check_weight(weight: Tensor | None, input: Tensor, classes: int) -> None:
    if weight is None:
        return
    if not isinstance(weight, Tensor):
        raise TypeError(f"argument 'weight' must be Tensor, not {type(weight).__name__}")
    if weight.dim() != 1 or weight.numel() != classes:
        raise RuntimeError(
            f"weight tensor should be defined either for all {classes} classes or no classes "
            f"but got weight tensor of shape: {list(weight.shape)}"
        )
    if weight.dtype != input.dtype:
        raise RuntimeError(
            f"expected scalar type {torch_name(input.dtype)} but found {torch_name(weight.dtype)}"
        )


def reduce_weighted(rows: Tensor, total: Tensor, reduction: str, shape) -> Tensor:
    """``rows`` summed, divided by the constant ``total`` (``'mean'``), or reshaped (``'none'``).

    A zero ``total`` (every target ignored) gives NaN with a zero gradient, as PyTorch's."""
    if reduction == "none":
        return rows if len(shape) == 1 else rows.reshape(shape)
    s = rows.sum()
    if reduction == "sum":
        return s
    t = float(total)
    return s / t if t != 0.0 else s * 0.0 + float("nan")


def class_index_loss(
    logp: Tensor,
    target: Tensor,
    weight: Tensor | None,
    ignore_index: int,
    reduction: str,
    label_smoothing: float,
    shape,
) -> Tensor:
    """Weighted, smoothed NLL of (M, C) log-probabilities and (M,) class indices, reduced."""
    classes = logp.shape[1]
    valid = target != ignore_index
    bad = valid & ((target < 0) | (target >= classes))
    if bool(bad.any()):
        raise IndexError(f"Target {int(target[bad][0])} is out of bounds.")
    safe = target.masked_fill(~valid, 0).long()
    w = valid.to(logp.dtype)
    if weight is not None:
        w = weight[safe] * w
    w = w.detach()
    rows = -logp.gather(1, safe.unsqueeze(1)).squeeze(1) * w
    if label_smoothing > 0.0:
        spread = logp if weight is None else logp * weight.detach()
        smooth = (-spread.sum(1)).masked_fill(~valid, 0.0)
        rows = rows * (1.0 - label_smoothing) + smooth * (label_smoothing / classes)
    return reduce_weighted(rows, w.sum(), reduction, shape)


def probability_loss(
    logp: Tensor,
    target: Tensor,
    weight: Tensor | None,
    reduction: str,
    label_smoothing: float,
    class_dim: int,
) -> Tensor:
    """Cross-entropy against class probabilities ``target`` (the shape of ``logp``), reduced;
    ``'mean'`` divides by the number of rows (weights do not normalise)."""
    classes = logp.shape[class_dim]
    if label_smoothing > 0.0:
        target = target * (1.0 - label_smoothing) + label_smoothing / classes
    terms = logp * target
    if weight is not None:
        view = [1] * logp.dim()
        view[class_dim] = classes
        terms = terms * weight.detach().reshape(view)
    rows = -terms.sum(class_dim)
    if reduction == "none":
        return rows
    if reduction == "sum":
        return rows.sum()
    count = logp.numel() // classes if classes else 0
    return rows.sum() / count if count else rows.sum() * 0.0 + float("nan")
