"""``nn.Dropout``: zeroes random elements while training."""

from __future__ import annotations

from rustgrad._core import Tensor
from rustgrad.nn import functional as F
from rustgrad.nn.modules.module import Module


class Dropout(Module):
    """While ``training``, zeroes each element with probability ``p`` and scales the others by
    ``1 / (1 - p)``; in ``eval()`` mode returns the input unchanged.

    Example:
        >>> drop = rustgrad.nn.Dropout(0.5)
        >>> drop
        Dropout(p=0.5, inplace=False)
        >>> x = rustgrad.ones(3)
        >>> drop.eval()(x) is x
        True
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
