"""``rustgrad.Size``: the type of ``Tensor.shape``."""

from __future__ import annotations


class Size(tuple):
    """The shape of a tensor: a tuple of ints that prints as ``rustgrad.Size([3, 4])``.

    Example:
        >>> import rustgrad
        >>> rustgrad.zeros(3, 4).shape
        rustgrad.Size([3, 4])
        >>> rustgrad.zeros(3, 4).shape[0]
        3
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"rustgrad.Size([{', '.join(str(d) for d in self)}])"

    __str__ = __repr__

    def numel(self) -> int:
        """Product of the sizes (number of elements).

        Example:
            >>> rustgrad.Size([2, 3]).numel()
            6
        """
        n = 1
        for d in self:
            n *= d
        return n

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))
