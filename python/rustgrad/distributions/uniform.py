"""``Uniform``: the continuous uniform distribution on ``[low, high)``."""

from __future__ import annotations

import rustgrad
from rustgrad._core import Tensor
from rustgrad.distributions._params import broadcast_all
from rustgrad.distributions.distribution import Distribution


class Uniform(Distribution):
    """Uniform on the half-open interval ``[low, high)`` (parameters broadcast).

    Example:
        >>> d = rustgrad.distributions.Uniform(0.0, 4.0)
        >>> d.log_prob(rustgrad.tensor([1.0, 5.0]))
        tensor([-1.3863,    -inf])
    """

    arg_constraints = {"low": None, "high": None}
    has_rsample = True

    def __init__(self, low, high, validate_args=None) -> None:
        self.low, self.high = broadcast_all(low, high)
        super().__init__(tuple(self.low.shape), (), validate_args)

    @property
    def mean(self) -> Tensor:
        return (self.high + self.low) / 2

    @property
    def variance(self) -> Tensor:
        return (self.high - self.low) ** 2 / 12

    def rsample(self, sample_shape=()) -> Tensor:
        """``low + u * (high - low)`` with ``u ~ U(0, 1)``."""
        shape = tuple(self._extended_shape(sample_shape))
        u = rustgrad.rand(shape, dtype=self.low.dtype)
        return self.low + u * (self.high - self.low)

    def sample(self, sample_shape=()) -> Tensor:
        """Samples of shape ``sample_shape + batch_shape`` (not recorded)."""
        with rustgrad.no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value) -> Tensor:
        """``-log(high - low)`` inside the support, ``-inf`` outside."""
        inside = ((self.low <= value) & (self.high > value)).to(self.low.dtype)
        return inside.log() - (self.high - self.low).log()

    def entropy(self) -> Tensor:
        """``log(high - low)``."""
        return (self.high - self.low).log()
