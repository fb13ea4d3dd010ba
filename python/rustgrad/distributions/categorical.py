"""``Categorical``: one of K classes with given probabilities; the draws behind Multinomial."""

from __future__ import annotations

import numpy as np

import rustgrad
from rustgrad._core import Tensor
from rustgrad.distributions._params import normalized_probs
from rustgrad.distributions.distribution import Distribution


def draw_indices(probs: Tensor, shape: tuple[int, ...]) -> np.ndarray:
    """Class indices of shape ``shape + batch`` for ``probs`` of shape ``batch + (K,)``.

    Uses inverse-CDF sampling with uniforms from the global generator.
    """
    p = probs.detach().numpy().astype(np.float64)
    cdf = np.cumsum(p, axis=-1)
    cdf /= cdf[..., -1:]
    batch, k = p.shape[:-1], p.shape[-1]
    u = rustgrad.rand(tuple(shape) + batch, dtype=rustgrad.float64).numpy()
    if not batch:
        idx = np.searchsorted(cdf, u, side="right")
    else:
        idx = (u[..., None] >= cdf).sum(axis=-1)
    return np.minimum(idx, k - 1).astype(np.int64)


def one_hot(value: Tensor, num_classes: int) -> Tensor:
    """Float one-hot vectors (last dimension ``num_classes``) of int64 class indices."""
    eye = np.eye(num_classes, dtype=np.float32)
    return rustgrad.from_numpy(np.ascontiguousarray(eye[value.numpy()]))


class Categorical(Distribution):
    """Draws class indices ``0..K-1`` with probabilities ``probs`` (normalised over the last
    dimension) or ``softmax(logits)``.

    Example:
        >>> d = rustgrad.distributions.Categorical(rustgrad.tensor([0.0, 1.0, 0.0]))
        >>> d.sample((4,))
        tensor([1, 1, 1, 1])
        >>> d = rustgrad.distributions.Categorical(rustgrad.tensor([1.0, 3.0]))
        >>> d.log_prob(rustgrad.tensor(1))
        tensor(-0.2877)
    """

    arg_constraints = {"probs": None, "logits": None}

    def __init__(self, probs=None, logits=None, validate_args=None) -> None:
        given_probs = probs is not None
        probs, logits = normalized_probs(probs, logits)
        if given_probs:
            self.probs = probs
        else:
            self.logits = logits
        self._probs, self._logits = probs, logits
        self._num_events = probs.shape[-1]
        super().__init__(tuple(probs.shape)[:-1], (), validate_args)

    @property
    def param_shape(self):
        return self._probs.shape

    def sample(self, sample_shape=()) -> Tensor:
        """Int64 class indices of shape ``sample_shape + batch_shape``."""
        shape = (sample_shape,) if isinstance(sample_shape, int) else tuple(sample_shape)
        return rustgrad.from_numpy(draw_indices(self._probs, shape))

    def log_prob(self, value: Tensor) -> Tensor:
        """``log probs[value]`` (differentiable in the parameters)."""
        value = value if isinstance(value, Tensor) else rustgrad.tensor(value)
        return (self._logits * one_hot(value.long(), self._num_events)).sum(-1)

    @property
    def mean(self) -> Tensor:
        return rustgrad.full(tuple(self.batch_shape), float("nan"))

    def entropy(self) -> Tensor:
        """``-sum(p log p)``."""
        return -(self._probs * self._logits).sum(-1)
