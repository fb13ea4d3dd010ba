"""``Distribution``: the base class (shapes, sampling interface, repr)."""

from __future__ import annotations

from rustgrad._core import Tensor
from rustgrad._size import Size


class Distribution:
    """Base class of probability distributions.

    ``batch_shape`` is the shape of independent parameter sets, ``event_shape`` the shape of
    one sample. ``sample(sample_shape)`` returns a tensor of shape
    ``sample_shape + batch_shape + event_shape``.

    Example:
        >>> d = rustgrad.distributions.Normal(rustgrad.zeros(3), 1.0)
        >>> d.batch_shape, d.event_shape, d.sample((2,)).shape
        (rustgrad.Size([3]), rustgrad.Size([]), rustgrad.Size([2, 3]))
    """

    arg_constraints: dict = {}
    has_rsample = False

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None) -> None:
        self._batch_shape = Size(tuple(batch_shape))
        self._event_shape = Size(tuple(event_shape))

    @property
    def batch_shape(self) -> Size:
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        return self._event_shape

    def _extended_shape(self, sample_shape=()) -> Size:
        if isinstance(sample_shape, int):
            sample_shape = (sample_shape,)
        return Size(tuple(sample_shape) + tuple(self._batch_shape) + tuple(self._event_shape))

    def sample(self, sample_shape=()) -> Tensor:
        """Draws samples of shape ``sample_shape + batch_shape + event_shape`` (no grad)."""
        raise NotImplementedError

    def rsample(self, sample_shape=()) -> Tensor:
        """Reparameterised samples (gradients flow to the parameters) where supported."""
        raise NotImplementedError(f"{type(self).__name__} does not support rsample")

    def sample_n(self, n: int) -> Tensor:
        """``sample((n,))``."""
        return self.sample((n,))

    def log_prob(self, value: Tensor) -> Tensor:
        """Log of the probability density (or mass) at ``value``."""
        raise NotImplementedError

    @property
    def mean(self) -> Tensor:
        raise NotImplementedError

    @property
    def variance(self) -> Tensor:
        raise NotImplementedError

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    def entropy(self) -> Tensor:
        raise NotImplementedError

    def __repr__(self) -> str:
        names = [k for k in self.arg_constraints if k in self.__dict__]
        parts = []
        for name in names:
            value = self.__dict__[name]
            shown = f"{value.item()}" if value.numel() == 1 else f"{value.size()}"
            parts.append(f"{name}: {shown}")
        return type(self).__name__ + "(" + ", ".join(parts) + ")"
