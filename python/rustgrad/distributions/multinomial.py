"""``Multinomial``: counts per category of ``total_count`` independent categorical draws."""

from __future__ import annotations

import math

import numpy as np

import rustgrad
from rustgrad._core import Tensor
from rustgrad.distributions._params import normalized_probs
from rustgrad.distributions.categorical import draw_indices
from rustgrad.distributions.distribution import Distribution

__all__ = ["Multinomial"]


class Multinomial(Distribution):
    """Counts per category of ``total_count`` draws with probabilities ``probs``.

    ``probs`` are non-negative weights over the last dimension (normalised internally).
    ``sample(sample_shape)`` returns float32 counts of shape ``sample_shape + probs.shape``,
    each count vector summing exactly to ``total_count``.

    Args:
        total_count: number of draws (default 1).
        probs: event weights; or ``logits``, their unnormalised logs.

    Example:
        >>> from rustgrad.distributions import multinomial
        >>> fair_probs = rustgrad.ones([6]) / 6
        >>> counts = multinomial.Multinomial(10, fair_probs).sample()
        >>> counts.shape, counts.dtype, counts.sum().item()
        (rustgrad.Size([6]), rustgrad.float32, 10.0)
    """

    arg_constraints = {"probs": None, "logits": None}

    def __init__(self, total_count: int = 1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, int) or isinstance(total_count, bool):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        if total_count < 0:
            raise ValueError(f"total_count must be non-negative, got {total_count}")
        self.total_count = total_count
        given_probs = probs is not None
        probs, logits = normalized_probs(probs, logits)
        if given_probs:
            self.probs = probs
        else:
            self.logits = logits
        self._probs, self._logits = probs, logits
        shape = tuple(probs.shape)
        super().__init__(shape[:-1], shape[-1:], validate_args)

    @property
    def mean(self) -> Tensor:
        return self._probs * self.total_count

    @property
    def variance(self) -> Tensor:
        return self.total_count * self._probs * (1 - self._probs)

    def sample(self, sample_shape=()) -> Tensor:
        """Float32 counts of shape ``sample_shape + batch_shape + event_shape``."""
        shape = (sample_shape,) if isinstance(sample_shape, int) else tuple(sample_shape)
        out_shape = tuple(self._extended_shape(shape))
        k = out_shape[-1]
        rows = int(np.prod(out_shape[:-1], dtype=np.int64))
        if self.total_count == 0 or rows == 0:
            return rustgrad.zeros(out_shape)
        # draws: sample_shape + (total_count,) + batch_shape -> move the draws last
        idx = np.moveaxis(draw_indices(self._probs, shape + (self.total_count,)), len(shape), -1)
        flat = idx.reshape(rows, self.total_count) + (np.arange(rows) * k)[:, None]
        counts = np.bincount(flat.ravel(), minlength=rows * k).reshape(out_shape)
        return rustgrad.from_numpy(counts.astype(np.float32))

    def log_prob(self, value: Tensor) -> Tensor:
        """``log(n! / prod(x_i!)) + sum(x_i log p_i)`` of count vectors ``value``."""
        value = value if isinstance(value, Tensor) else rustgrad.tensor(value)
        counts = value.detach().numpy().astype(np.float64)
        lgamma = np.vectorize(math.lgamma, otypes=[np.float64])
        const = lgamma(counts.sum(-1) + 1) - lgamma(counts + 1).sum(-1)
        const_t = rustgrad.tensor(const, dtype=self._logits.dtype)
        return const_t + (value.to(self._logits.dtype) * self._logits).sum(-1)
