"""Named result tuples of reductions, printed as torch prints ``torch.return_types``.

Example:
    >>> values, indices = rustgrad.tensor([[1, 5], [7, 2]]).max(dim=1)
    >>> indices
    tensor([1, 0])
"""

from __future__ import annotations

__all__ = ["max", "min"]


class _ValuesIndices(tuple):
    """A ``(values, indices)`` pair with named fields."""

    __slots__ = ()
    n_fields = 2
    n_sequence_fields = 2

    def __new__(cls, values, indices=None):
        if indices is None:
            values, indices = values
        return tuple.__new__(cls, (values, indices))

    @property
    def values(self):
        return self[0]

    @property
    def indices(self):
        return self[1]

    def __repr__(self) -> str:
        return (
            f"rustgrad.return_types.{type(self).__name__}(\n"
            f"values={self[0]!r},\nindices={self[1]!r})"
        )

    def __reduce__(self):
        return (type(self), (tuple(self),))


class max(_ValuesIndices):  # noqa: A001
    """Result of ``Tensor.max(dim)``: ``values`` and int64 ``indices``.

    Example:
        >>> rustgrad.tensor([[1, 5], [7, 2]]).max(dim=1).values
        tensor([5, 7])
    """

    __slots__ = ()


class min(_ValuesIndices):  # noqa: A001
    """Result of ``Tensor.min(dim)``: ``values`` and int64 ``indices``.

    Example:
        >>> rustgrad.tensor([[1, 5], [7, 2]]).min(dim=1).indices
        tensor([0, 1])
    """

    __slots__ = ()
