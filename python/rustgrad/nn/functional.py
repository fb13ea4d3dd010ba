"""``nn.functional``: the stateless functions behind the layers and losses.

Where the Rust core has a fused op (``linear``, ``mse_loss``, ``cross_entropy``) it is used;
otherwise the function is composed from primitive tensor ops with the same result.
"""

from __future__ import annotations

import warnings

from rustgrad import _core
from rustgrad._core import Tensor, int64, uint8
from rustgrad.nn import _cross_entropy as _ce

__all__ = [
    "cross_entropy",
    "dropout",
    "huber_loss",
    "l1_loss",
    "linear",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]

_REDUCTIONS = ("none", "mean", "sum")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(input, 0)`` elementwise.

    Example:
        >>> rustgrad.nn.functional.relu(rustgrad.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """
    return input.relu_() if inplace else input.relu()


def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-input))`` elementwise.

    Example:
        >>> rustgrad.nn.functional.sigmoid(rustgrad.tensor([0.0]))
        tensor([0.5000])
    """
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent elementwise.

    Example:
        >>> rustgrad.nn.functional.tanh(rustgrad.tensor([0.0]))
        tensor([0.])
    """
    return input.tanh()


def _softmax_dim(ndim: int, name: str) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype=None) -> Tensor:
    """``exp(x) / exp(x).sum(dim)`` computed stably (the row maximum is subtracted first).

    Example:
        >>> rustgrad.nn.functional.softmax(rustgrad.tensor([[0.0, 0.0]]), dim=1)
        tensor([[0.5000, 0.5000]])
    """
    if dim is None:
        dim = _softmax_dim(input.dim(), "softmax")
    if dtype is not None:
        input = input.to(dtype)
    return input.softmax(dim)


def log_softmax(input: Tensor, dim: int | None = None, dtype=None) -> Tensor:
    """``log(softmax(x))`` computed stably as ``x - logsumexp(x, dim)``.

    Example:
        >>> rustgrad.nn.functional.log_softmax(rustgrad.tensor([[0.0, 0.0]]), dim=1)
        tensor([[-0.6931, -0.6931]])
    """
    if dim is None:
        dim = _softmax_dim(input.dim(), "log_softmax")
    if dtype is not None:
        input = input.to(dtype)
    return input.log_softmax(dim)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` for any leading dimensions of ``input``.

    Example:
        >>> w = rustgrad.tensor([[2.0, -3.4]])
        >>> rustgrad.nn.functional.linear(rustgrad.tensor([[1.0, 1.0]]), w, rustgrad.tensor([4.2]))
        tensor([[2.8000]])
    """
    fused = getattr(_core, "linear", None)
    if fused is not None:
        return fused(input, weight, bias)
    out = input.matmul(weight.T)
    return out if bias is None else out + bias


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """``(input - target) ** 2`` reduced by ``'mean'`` (default), ``'sum'`` or ``'none'``.

    Example:
        >>> rustgrad.nn.functional.mse_loss(rustgrad.tensor([1.0, 2.0]), rustgrad.zeros(2))
        tensor(2.5000)
    """
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            stacklevel=2,
        )
    fused = getattr(_core, "mse_loss", None)
    if fused is not None:
        return fused(input, target, reduction)
    return _reduce((input - target) ** 2, reduction)


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """``|input - target|`` reduced by ``'mean'`` (default), ``'sum'`` or ``'none'``.

    Example:
        >>> rustgrad.nn.functional.l1_loss(rustgrad.tensor([1.0, -3.0]), rustgrad.zeros(2))
        tensor(2.)
    """
    _check_reduction(reduction)
    return _reduce((input - target).abs(), reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0):
    """``0.5 d**2`` where ``|d| < delta``, else ``delta (|d| - delta / 2)``; ``d = input - target``.

    Example:
        >>> rustgrad.nn.functional.huber_loss(rustgrad.tensor([0.5, 3.0]), rustgrad.zeros(2),
        ...                                   reduction='none')
        tensor([0.1250, 2.5000])
    """
    _check_reduction(reduction)
    diff = (input - target).abs()
    quadratic = 0.5 * diff * diff
    linear_part = delta * (diff - 0.5 * delta)
    return _reduce(quadratic.where(diff < delta, linear_part), reduction)


def _legacy_reduction(size_average, reduce, reduction: str) -> str:
    """torch's legacy ``size_average``/``reduce`` flags as a ``reduction`` string."""
    if size_average is None and reduce is None:
        return reduction
    if reduce is False:
        return "none"
    return "sum" if size_average is False else "mean"


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood ``-w[y_i] * input[i, y_i]`` of class indices given
    log-probabilities ``input`` (N, C), (C,) or (N, C, d1, ...).

    Targets equal to ``ignore_index`` count 0; ``'mean'`` divides by the summed weights of the
    other targets.

    Example:
        >>> logp = rustgrad.tensor([[-0.5, -1.0], [-2.0, -0.1]])
        >>> rustgrad.nn.functional.nll_loss(logp, rustgrad.tensor([0, 1]), reduction='none')
        tensor([0.5000, 0.1000])
        >>> w = rustgrad.tensor([1.0, 3.0])
        >>> rustgrad.nn.functional.nll_loss(logp, rustgrad.tensor([0, 1]), weight=w)
        tensor(0.2000)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _ce.check_target(target)
    rows, flat = _ce.as_rows(input, target)
    _ce.check_weight(weight, input, rows.shape[1])
    return _ce.class_index_loss(rows, flat, weight, ignore_index, reduction, 0.0, target.shape)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy of raw logits ``input`` (N, C), (C,) or (N, C, d1, ...) against class indices
    (int64, the shape of ``input`` without the class dimension) or class probabilities (the
    shape of ``input``).

    Per example ``logsumexp(x[i]) - x[i, y[i]]``, scaled by ``weight[y[i]]``; ``label_smoothing``
    ``eps`` mixes the target with the uniform distribution (``(1 - eps) * nll + eps / C *
    sum_c -w[c] log_softmax(x)[i, c]``); targets equal to ``ignore_index`` count 0 and ``'mean'``
    divides by the summed weights of the other targets. Without ``weight`` and
    ``label_smoothing`` one fused native op computes it.

    Example:
        >>> y_hat = rustgrad.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
        >>> rustgrad.nn.functional.cross_entropy(y_hat, rustgrad.tensor([0, 2]))
        tensor(1.1466)
        >>> rustgrad.nn.functional.cross_entropy(y_hat, rustgrad.tensor([0, 2]),
        ...                                      weight=rustgrad.tensor([1.0, 1.0, 3.0]))
        tensor(1.0432)
        >>> rustgrad.nn.functional.cross_entropy(y_hat, rustgrad.tensor([0, 2]),
        ...                                      label_smoothing=0.1)
        tensor(1.1432)
    """
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction)
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if weight is None and label_smoothing <= 0.0 and input.dim() == 2 and target.dim() == 1:
        # the common case, kept cheap: one fused native op (it checks the targets' range)
        _check_reduction(reduction)
        if target.dtype is not int64 and target.dtype is not uint8:
            _ce.check_target(target)
        if target.shape[0] != input.shape[0]:
            _ce.as_rows(input, target)  # raises torch's batch-size error
        return _core.cross_entropy(input, target, reduction, ignore_index)
    _check_reduction(reduction)
    smoothing = max(float(label_smoothing), 0.0)
    class_dim = 0 if input.dim() == 1 else 1
    if tuple(input.shape) == tuple(target.shape):
        # class probabilities
        if not target.is_floating_point():
            raise RuntimeError(
                "Expected floating point type for target with class probabilities, "
                f"got {_ce.torch_name(target.dtype)}"
            )
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        _ce.check_weight(weight, input, input.shape[class_dim])
        logp = log_softmax(input, class_dim)
        return _ce.probability_loss(logp, target, weight, reduction, smoothing, class_dim)
    _ce.check_target(target)
    rows, flat = _ce.as_rows(input, target)
    _ce.check_weight(weight, input, rows.shape[1])
    if weight is None and smoothing == 0.0:
        out = _core.cross_entropy(rows, flat, reduction, ignore_index)
        return out.reshape(target.shape) if reduction == "none" else out
    logp = log_softmax(rows, 1)
    return _ce.class_index_loss(
        logp, flat, weight, ignore_index, reduction, smoothing, target.shape
    )


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zeroes each element with probability ``p`` and scales the rest by ``1 / (1 - p)``.

    Example:
        >>> x = rustgrad.ones(4)
        >>> rustgrad.nn.functional.dropout(x, p=0.5, training=False) is x
        True
        >>> bool((rustgrad.nn.functional.dropout(x, p=1.0) == 0).all())
        True
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input.mul_(0.0) if inplace else input * 0.0
    from rustgrad._core import rand

    keep = rand(*input.shape) >= p
    mask = keep.to(input.dtype) * (1.0 / (1.0 - p))
    return input.mul_(mask) if inplace else input * mask
