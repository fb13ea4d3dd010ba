"""``DataLoader``: iterates over a dataset in (optionally shuffled) minibatches."""

from __future__ import annotations

from collections.abc import Iterator

import rustgrad
from rustgrad._core import Tensor
from rustgrad.utils.data.collate import default_collate
from rustgrad.utils.data.dataset import Subset, TensorDataset
from rustgrad.utils.data.sampler import BatchSampler, RandomSampler, SequentialSampler


def _tensor_source(dataset):
    """``(tensors, index_map)`` when batches can be gathered directly from tensors, else None.

    ``index_map`` is an int64 tensor mapping loader positions to rows (for a ``Subset``).
    """
    index_map = None
    while isinstance(dataset, Subset):
        idx = rustgrad.tensor(dataset.indices, dtype=rustgrad.int64)
        index_map = idx if index_map is None else idx[index_map]
        dataset = dataset.dataset
    if isinstance(dataset, TensorDataset):
        return dataset.tensors, index_map
    return None


class DataLoader:
    """Yields minibatches of ``dataset``: each a list ``[X_batch, y_batch, ...]``.

    Args:
        dataset: a map-style dataset (``__getitem__`` and ``__len__``).
        batch_size: samples per batch (default 1); the last batch may be smaller.
        shuffle: draw a fresh random order on every pass (global generator).
        sampler: an iterable of indices to use instead of ``shuffle``.
        num_workers: accepted for compatibility; loading happens in the calling thread.
        collate_fn: turns a list of samples into a batch (default ``default_collate``).
        drop_last: drop the last batch when it is smaller than ``batch_size``.

    A ``TensorDataset`` (or a ``Subset`` of one) with the default collation is batched by
    indexing its tensors with an index tensor, which gives the same batches much faster.

    Example:
        >>> from rustgrad.utils import data
        >>> ds = data.TensorDataset(rustgrad.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
        ...                         rustgrad.tensor([1.0, 2.0, 3.0]))
        >>> loader = data.DataLoader(ds, batch_size=2)
        >>> len(loader), [tuple(X.shape) for X, y in loader]
        (2, [(2, 2), (1, 2)])
    """

    def __init__(
        self,
        dataset,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler=None,
        batch_sampler=None,
        num_workers: int = 0,
        collate_fn=None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn=None,
        generator=None,
        *,
        prefetch_factor=None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
    ) -> None:
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable "
                "multiprocessing."
            )
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.num_workers = num_workers
        self.shuffle = bool(shuffle)
        self.collate_fn = default_collate if collate_fn is None else collate_fn
        if sampler is None:
            sampler = RandomSampler(dataset) if shuffle else SequentialSampler(dataset)
        self.sampler = sampler
        if batch_sampler is None and batch_size is not None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_sampler = batch_sampler
        self._source = None
        if collate_fn is None and batch_sampler is not None and _plain(sampler, batch_sampler):
            self._source = _tensor_source(dataset)

    def __len__(self) -> int:
        if self.batch_sampler is None:
            return len(self.sampler)
        return len(self.batch_sampler)

    def __iter__(self) -> Iterator:
        if self._source is not None:
            return self._tensor_batches()
        if self.batch_sampler is None:
            return (self.collate_fn(self.dataset[i]) for i in self.sampler)
        return (self.collate_fn([self.dataset[i] for i in batch]) for batch in self.batch_sampler)

    def _tensor_batches(self) -> Iterator[list[Tensor]]:
        tensors, index_map = self._source
        n = len(self.dataset)
        order = None
        if isinstance(self.sampler, RandomSampler):
            order = self.sampler.permutation()
        if index_map is not None:
            order = index_map if order is None else index_map[order]
        stop = n - n % self.batch_size if self.drop_last else n
        for start in range(0, stop, self.batch_size):
            end = min(start + self.batch_size, n)
            if order is None:
                yield [t[start:end].clone() for t in tensors]
            else:
                idx = order[start:end]
                yield [t[idx] for t in tensors]


def _plain(sampler, batch_sampler) -> bool:
    return type(sampler) in (SequentialSampler, RandomSampler) and type(batch_sampler) is (
        BatchSampler
    )
