"""``nn.Flatten``: merges a range of dimensions into one."""

from __future__ import annotations

from rustgrad._core import Tensor
from rustgrad.nn.modules.module import Module


class Flatten(Module):
    """Reshapes dimensions ``start_dim..end_dim`` into one: ``(N, 1, 28, 28)`` → ``(N, 784)``.

    Example:
        >>> rustgrad.nn.Flatten()(rustgrad.zeros(2, 1, 28, 28)).shape
        rustgrad.Size([2, 784])
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        shape = tuple(input.shape)
        if not shape:
            return input.reshape(1)
        start = self.start_dim % len(shape)
        end = self.end_dim % len(shape)
        merged = 1
        for s in shape[start : end + 1]:
            merged *= s
        return input.reshape(shape[:start] + (merged,) + shape[end + 1 :])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
