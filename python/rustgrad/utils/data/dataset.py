"""Map-style datasets: ``Dataset``, ``TensorDataset``, ``Subset`` and ``random_split``."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rustgrad._core import Tensor


class Dataset:
    """Base class of map-style datasets: subclasses define ``__getitem__`` and ``__len__``.

    Example:
        >>> class Squares(rustgrad.utils.data.Dataset):
        ...     def __len__(self):
        ...         return 3
        ...     def __getitem__(self, i):
        ...         return i * i
        >>> list(rustgrad.utils.data.DataLoader(Squares(), batch_size=2))
        [tensor([0, 1]), tensor([4])]
    """

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Samples are the rows of tensors of equal length: ``ds[i] == (t0[i], t1[i], ...)``.

    Example:
        >>> features = rustgrad.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
        >>> labels = rustgrad.tensor([1.0, 2.0, 3.0])
        >>> ds = rustgrad.utils.data.TensorDataset(features, labels)
        >>> ds[0], len(ds)
        ((tensor([1., 2.]), tensor(1.)), 3)
    """

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        if any(t.dim() == 0 for t in tensors):
            raise ValueError("TensorDataset tensors need at least one dimension")
        if any(t.shape[0] != tensors[0].shape[0] for t in tensors):
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tuple(tensors)

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order.

    Example:
        >>> ds = rustgrad.utils.data.TensorDataset(rustgrad.arange(5))
        >>> sub = rustgrad.utils.data.Subset(ds, [4, 0])
        >>> sub[0], len(sub)
        ((tensor(4),), 2)
    """

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = list(indices)

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return [self.dataset[self.indices[i]] for i in idx]
        return self.dataset[self.indices[idx]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """The samples of several datasets one after the other.

    Example:
        >>> a = rustgrad.utils.data.TensorDataset(rustgrad.arange(2))
        >>> len(a + a)
        4
    """

    def __init__(self, datasets) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        self.cumulative_sizes = []
        total = 0
        for d in self.datasets:
            total += len(d)
            self.cumulative_sizes.append(total)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx += len(self)
        start = 0
        for d, end in zip(self.datasets, self.cumulative_sizes):
            if idx < end:
                return d[idx - start]
            start = end
        raise IndexError(f"index {idx} is out of range")


def _lengths_from(lengths: Sequence[float], n: int) -> list[int]:
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes = [int(math.floor(n * frac)) for frac in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        return sizes
    return [int(x) for x in lengths]


def random_split(dataset: Dataset, lengths: Sequence[float], generator=None) -> list[Subset]:
    """Splits ``dataset`` at random into non-overlapping subsets of the given lengths.

    ``lengths`` are counts summing to ``len(dataset)``, or fractions summing to 1 (the
    remainder is spread round-robin). The permutation uses the global generator.

    Example:
        >>> ds = rustgrad.utils.data.TensorDataset(rustgrad.arange(10))
        >>> train, test = rustgrad.utils.data.random_split(ds, [0.8, 0.2])
        >>> len(train), len(test)
        (8, 2)
    """
    from rustgrad.utils.data.sampler import randperm

    sizes = _lengths_from(lengths, len(dataset))
    if sum(sizes) != len(dataset):
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    perm = randperm(len(dataset)).tolist()
    out, offset = [], 0
    for size in sizes:
        out.append(Subset(dataset, perm[offset : offset + size]))
        offset += size
    return out
