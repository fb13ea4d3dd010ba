"""``default_collate``: turns a list of samples into one batch (torch's rules)."""

from __future__ import annotations

import collections.abc
import sys

import rustgrad
from rustgrad._core import Tensor


def default_collate(batch):
    """Stacks a list of samples into a batch.

    Tensors are stacked along a new dimension 0; Python ints become an int64 tensor and floats
    a float64 tensor; NumPy arrays are stacked as tensors; tuples and lists are collated field
    by field into a list; dicts key by key; strings stay a list.

    Example:
        >>> from rustgrad.utils.data import default_collate
        >>> default_collate([(rustgrad.tensor([1.0, 2.0]), 0), (rustgrad.tensor([3.0, 4.0]), 1)])
        [tensor([[1., 2.],
                [3., 4.]]), tensor([0, 1])]
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return rustgrad.stack(list(batch), 0)
    # A NumPy value can only exist once NumPy is imported; rustgrad does not import it itself.
    np = sys.modules.get("numpy")
    if np is not None:
        if isinstance(elem, np.ndarray):
            return rustgrad.stack([rustgrad.as_tensor(b) for b in batch], 0)
        if isinstance(elem, np.generic):
            return rustgrad.as_tensor(np.array(batch))
    if isinstance(elem, float):
        return rustgrad.tensor(batch, dtype=rustgrad.float64)
    if isinstance(elem, int):
        return rustgrad.tensor(batch)
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, collections.abc.Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(b) != size for b in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(s)) for s in zip(*batch)]
    raise TypeError(
        "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(elem)}"
    )
