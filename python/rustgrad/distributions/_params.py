"""Turning distribution parameters into float tensors: numbers, broadcasting, probs/logits."""

from __future__ import annotations

import numpy as np

import rustgrad
from rustgrad._core import Tensor


def as_float_tensor(value) -> Tensor:
    """``value`` as a floating tensor (Python numbers become 0-d float32 tensors)."""
    if isinstance(value, Tensor):
        return value if value.is_floating_point() else value.float()
    return rustgrad.tensor(float(value))


def broadcast_all(*values) -> list[Tensor]:
    """The values as float tensors broadcast to one shape (differentiable)."""
    tensors = [as_float_tensor(v) for v in values]
    shape = np.broadcast_shapes(*(tuple(t.shape) for t in tensors))
    return [
        t if tuple(t.shape) == shape else t + rustgrad.zeros(shape, dtype=t.dtype) for t in tensors
    ]


def clamp_probs(probs: Tensor) -> Tensor:
    """``probs`` limited to ``[eps, 1 - eps]`` so that their logs are finite."""
    eps = float(np.finfo(np.float32 if probs.dtype == rustgrad.float32 else np.float64).eps)
    return probs.clamp(eps, 1 - eps)


def normalized_probs(probs=None, logits=None) -> tuple[Tensor, Tensor]:
    """``(probs, logits)`` over the last dimension from either one (exactly one is given)."""
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")
    if probs is not None:
        probs = as_float_tensor(probs)
        if probs.dim() < 1:
            raise ValueError("`probs` parameter must be at least one-dimensional.")
        probs = probs / probs.sum(-1, keepdim=True)
        return probs, clamp_probs(probs).log()
    logits = as_float_tensor(logits)
    if logits.dim() < 1:
        raise ValueError("`logits` parameter must be at least one-dimensional.")
    logits = logits - logits.logsumexp(-1, keepdim=True)
    return logits.exp(), logits
