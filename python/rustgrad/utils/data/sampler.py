"""Index orders for ``DataLoader``: sequential, random (global generator), and batching."""

from __future__ import annotations

from collections.abc import Iterator, Sized

import rustgrad
from rustgrad._core import Tensor


def randperm(n: int) -> Tensor:
    """A random permutation of ``0..n-1`` (int64) drawn from the global generator.

    Example:
        >>> sorted(rustgrad.utils.data.sampler.randperm(4).tolist())
        [0, 1, 2, 3]
    """
    native = getattr(rustgrad, "randperm", None)
    if native is not None:
        return native(n)
    import numpy as np  # imported on first use: `import rustgrad` stays free of NumPy

    keys = rustgrad.rand(n, dtype=rustgrad.float64).numpy()
    return rustgrad.from_numpy(np.argsort(keys, kind="stable").astype(np.int64))


class Sampler:
    """Base class: iterating yields dataset indices.

    Example:
        >>> list(rustgrad.utils.data.SequentialSampler(range(3)))
        [0, 1, 2]
    """

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError


class SequentialSampler(Sampler):
    """Indices ``0, 1, ..., len(data_source) - 1``.

    Example:
        >>> len(rustgrad.utils.data.SequentialSampler(range(5)))
        5
    """

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A fresh random permutation of the indices on every pass (global generator).

    Example:
        >>> rustgrad.manual_seed(0)
        >>> sorted(rustgrad.utils.data.RandomSampler(range(4)))
        [0, 1, 2, 3]
    """

    def __init__(
        self, data_source: Sized, replacement: bool = False, num_samples=None, generator=None
    ) -> None:
        if replacement:
            raise NotImplementedError("RandomSampler(replacement=True) is not supported")
        self.data_source = data_source

    def permutation(self) -> Tensor:
        """The next pass's order as an int64 tensor."""
        return randperm(len(self.data_source))

    def __iter__(self) -> Iterator[int]:
        return iter(self.permutation().tolist())

    def __len__(self) -> int:
        return len(self.data_source)


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size``.

    Example:
        >>> list(rustgrad.utils.data.BatchSampler(range(5), 2, drop_last=False))
        [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler, batch_size: int, drop_last: bool) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        if self.drop_last:
            return n // self.batch_size
        return (n + self.batch_size - 1) // self.batch_size
