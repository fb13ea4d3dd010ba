"""``Normal``: the Gaussian distribution N(loc, scale²)."""

from __future__ import annotations

import math

import rustgrad
from rustgrad._core import Tensor
from rustgrad.distributions._params import broadcast_all
from rustgrad.distributions.distribution import Distribution


class Normal(Distribution):
    """Normal distribution with mean ``loc`` and standard deviation ``scale`` (broadcast).

    Example:
        >>> d = rustgrad.distributions.Normal(0.0, 1.0)
        >>> d
        Normal(loc: 0.0, scale: 1.0)
        >>> d.log_prob(rustgrad.tensor(0.0))
        tensor(-0.9189)
    """

    arg_constraints = {"loc": None, "scale": None}
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(tuple(self.loc.shape), (), validate_args)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def stddev(self) -> Tensor:
        return self.scale

    @property
    def variance(self) -> Tensor:
        return self.scale**2

    def rsample(self, sample_shape=()) -> Tensor:
        """``loc + scale * eps`` with ``eps ~ N(0, 1)``: differentiable in loc and scale."""
        shape = tuple(self._extended_shape(sample_shape))
        eps = rustgrad.normal(0.0, 1.0, shape).to(self.loc.dtype)
        return self.loc + eps * self.scale

    def sample(self, sample_shape=()) -> Tensor:
        """Samples of shape ``sample_shape + batch_shape`` (not recorded)."""
        with rustgrad.no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value) -> Tensor:
        """``-(x - loc)² / (2 scale²) - log(scale) - log(sqrt(2 pi))``."""
        var = self.scale**2
        return (
            -((value - self.loc) ** 2) / (2 * var)
            - self.scale.log()
            - math.log(math.sqrt(2 * math.pi))
        )

    def entropy(self) -> Tensor:
        """``0.5 + 0.5 log(2 pi) + log(scale)``."""
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()
