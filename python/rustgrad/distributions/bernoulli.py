"""``Bernoulli``: 1 with probability ``probs``, else 0."""

from __future__ import annotations

import rustgrad
from rustgrad._core import Tensor
from rustgrad.distributions._params import as_float_tensor, clamp_probs
from rustgrad.distributions.distribution import Distribution


class Bernoulli(Distribution):
    """Draws 1.0 with probability ``probs`` (or ``sigmoid(logits)``), else 0.0.

    Example:
        >>> d = rustgrad.distributions.Bernoulli(rustgrad.tensor([0.0, 1.0]))
        >>> d.sample()
        tensor([0., 1.])
        >>> rustgrad.distributions.Bernoulli(0.25).log_prob(rustgrad.tensor(1.0))
        tensor(-1.3863)
    """

    arg_constraints = {"probs": None, "logits": None}

    def __init__(self, probs=None, logits=None, validate_args=None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            self.probs = as_float_tensor(probs)
            self._probs = self.probs
        else:
            self.logits = as_float_tensor(logits)
            self._probs = self.logits.sigmoid()
        super().__init__(tuple(self._probs.shape), (), validate_args)

    @property
    def mean(self) -> Tensor:
        return self._probs

    @property
    def variance(self) -> Tensor:
        return self._probs * (1 - self._probs)

    def sample(self, sample_shape=()) -> Tensor:
        """Float samples in {0, 1} of shape ``sample_shape + batch_shape``."""
        shape = tuple(self._extended_shape(sample_shape))
        with rustgrad.no_grad():
            u = rustgrad.rand(shape, dtype=self._probs.dtype)
            return (u < self._probs).to(self._probs.dtype)

    def log_prob(self, value) -> Tensor:
        """``x log p + (1 - x) log(1 - p)``."""
        p = clamp_probs(self._probs)
        return value * p.log() + (1 - value) * (1 - p).log()

    def entropy(self) -> Tensor:
        """``-(p log p + (1 - p) log(1 - p))``."""
        p = clamp_probs(self._probs)
        return -(p * p.log() + (1 - p) * (1 - p).log())
