"""Module-level shape and indexing functions: ``rustgrad.reshape(x, s)`` is ``x.reshape(s)``.

``cat`` and ``stack`` are implemented in Rust (``rustgrad._core``); the rest forward to the
Tensor methods of the same name.
"""

from __future__ import annotations

from rustgrad._core import Tensor, cat, stack

__all__ = [
    "broadcast_to",
    "cat",
    "chunk",
    "concat",
    "concatenate",
    "flatten",
    "flip",
    "gather",
    "index_select",
    "masked_fill",
    "movedim",
    "moveaxis",
    "narrow",
    "nonzero",
    "permute",
    "reshape",
    "scatter_add",
    "select",
    "split",
    "squeeze",
    "stack",
    "swapaxes",
    "swapdims",
    "t",
    "transpose",
    "unbind",
    "unflatten",
    "unsqueeze",
]

concat = cat
concatenate = cat


def reshape(input: Tensor, shape) -> Tensor:
    """The elements of ``input`` with a new ``shape`` (one size may be -1); a view when possible.

    Example:
        >>> rustgrad.reshape(rustgrad.arange(4), (2, 2))
        tensor([[0, 1],
                [2, 3]])
    """
    return input.reshape(shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Dimensions ``start_dim..end_dim`` of ``input`` merged into one.

    Example:
        >>> rustgrad.flatten(rustgrad.zeros(2, 3, 4), 1).shape
        rustgrad.Size([2, 12])
    """
    return input.flatten(start_dim, end_dim)


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    """Dimension ``dim`` of ``input`` split into ``sizes``.

    Example:
        >>> rustgrad.unflatten(rustgrad.zeros(6), 0, (2, 3)).shape
        rustgrad.Size([2, 3])
    """
    return input.unflatten(dim, sizes)


def squeeze(input: Tensor, dim=None) -> Tensor:
    """``input`` without its size-1 dimensions (only those in ``dim`` if given).

    Example:
        >>> rustgrad.squeeze(rustgrad.zeros(1, 3, 1)).shape
        rustgrad.Size([3])
    """
    return input.squeeze(dim)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """``input`` with a size-1 dimension inserted at ``dim``.

    Example:
        >>> rustgrad.unsqueeze(rustgrad.zeros(3), 1).shape
        rustgrad.Size([3, 1])
    """
    return input.unsqueeze(dim)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """``input`` with dimensions ``dim0`` and ``dim1`` swapped (a view).

    Example:
        >>> rustgrad.transpose(rustgrad.zeros(2, 3), 0, 1).shape
        rustgrad.Size([3, 2])
    """
    return input.transpose(dim0, dim1)


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    """Same as ``transpose``.

    Example:
        >>> rustgrad.swapaxes(rustgrad.zeros(2, 3), 0, 1).shape
        rustgrad.Size([3, 2])
    """
    return input.transpose(axis0, axis1)


def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Same as ``transpose``.

    Example:
        >>> rustgrad.swapdims(rustgrad.zeros(2, 3), 0, 1).shape
        rustgrad.Size([3, 2])
    """
    return input.transpose(dim0, dim1)


def permute(input: Tensor, dims) -> Tensor:
    """``input`` with its dimensions reordered as ``dims`` (a view).

    Example:
        >>> rustgrad.permute(rustgrad.zeros(2, 3, 4), (2, 0, 1)).shape
        rustgrad.Size([4, 2, 3])
    """
    return input.permute(dims)


def t(input: Tensor) -> Tensor:
    """The transpose of a matrix (vectors and scalars unchanged).

    Example:
        >>> rustgrad.t(rustgrad.zeros(2, 3)).shape
        rustgrad.Size([3, 2])
    """
    return input.t()


def movedim(input: Tensor, source, destination) -> Tensor:
    """``input`` with dimensions ``source`` moved to positions ``destination``.

    Example:
        >>> rustgrad.movedim(rustgrad.zeros(2, 3, 4), 0, 2).shape
        rustgrad.Size([3, 4, 2])
    """
    return input.movedim(source, destination)


moveaxis = movedim


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """``length`` entries of dimension ``dim`` of ``input`` from ``start`` (a view).

    Example:
        >>> rustgrad.narrow(rustgrad.arange(5), 0, 1, 2)
        tensor([1, 2])
    """
    return input.narrow(dim, start, length)


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """Entry ``index`` of dimension ``dim`` of ``input``, which is removed (a view).

    Example:
        >>> rustgrad.select(rustgrad.tensor([[1, 2], [3, 4]]), 0, 1)
        tensor([3, 4])
    """
    return input.select(dim, index)


def flip(input: Tensor, dims) -> Tensor:
    """A copy of ``input`` with the dimensions ``dims`` reversed.

    Example:
        >>> rustgrad.flip(rustgrad.arange(3), (0,))
        tensor([2, 1, 0])
    """
    return input.flip(dims)


def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """Values of ``input`` picked along ``dim`` by ``index`` (see ``Tensor.gather``).

    Example:
        >>> rustgrad.gather(rustgrad.tensor([[1, 2], [3, 4]]), 1, rustgrad.tensor([[0], [1]]))
        tensor([[1],
                [4]])
    """
    return input.gather(dim, index)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The entries ``index`` of dimension ``dim`` of ``input``, as a new tensor.

    Example:
        >>> rustgrad.index_select(rustgrad.arange(5), 0, rustgrad.tensor([4, 0]))
        tensor([4, 0])
    """
    return input.index_select(dim, index)


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """A copy of ``input`` with ``value`` where the bool ``mask`` is true.

    Example:
        >>> x = rustgrad.tensor([1, 2, 3])
        >>> rustgrad.masked_fill(x, x > 1, 0)
        tensor([1, 0, 0])
    """
    return input.masked_fill(mask, value)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """A copy of ``input`` with ``src`` added at the positions ``index`` gives along ``dim``.

    Example:
        >>> rustgrad.scatter_add(rustgrad.zeros(2), 0, rustgrad.tensor([1, 1]), rustgrad.ones(2))
        tensor([0., 2.])
    """
    return input.scatter_add(dim, index, src)


def nonzero(input: Tensor, *, as_tuple: bool = False):
    """Indices of the non-zero elements of ``input`` (see ``Tensor.nonzero``).

    Example:
        >>> rustgrad.nonzero(rustgrad.tensor([0, 1, 1]), as_tuple=True)
        (tensor([1, 2]),)
    """
    return input.nonzero(as_tuple=as_tuple)


def broadcast_to(input: Tensor, size) -> Tensor:
    """``input`` broadcast to ``size`` (a view).

    Example:
        >>> rustgrad.broadcast_to(rustgrad.tensor([1, 2]), (2, 2))
        tensor([[1, 2],
                [1, 2]])
    """
    return input.broadcast_to(size)


def unbind(input: Tensor, dim: int = 0) -> tuple:
    """A tuple of the views ``input.select(dim, i)`` for every ``i``.

    Example:
        >>> rustgrad.unbind(rustgrad.tensor([[1, 2], [3, 4]]))
        (tensor([1, 2]), tensor([3, 4]))
    """
    return input.unbind(dim)


def split(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Views of ``tensor`` in pieces of ``split_size_or_sections`` (an int or a list of sizes).

    Example:
        >>> rustgrad.split(rustgrad.arange(4), [1, 3])
        (tensor([0]), tensor([1, 2, 3]))
    """
    return tensor.split(split_size_or_sections, dim)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """At most ``chunks`` views of ``input`` of (nearly) equal size along ``dim``.

    Example:
        >>> rustgrad.chunk(rustgrad.arange(5), 2)
        (tensor([0, 1, 2]), tensor([3, 4]))
    """
    return input.chunk(chunks, dim)
