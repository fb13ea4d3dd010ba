"""``rustgrad.utils.data``: datasets, samplers and the ``DataLoader``, as ``torch.utils.data``.

Example:
    >>> from rustgrad.utils import data
    >>> ds = data.TensorDataset(rustgrad.arange(6).reshape(3, 2), rustgrad.tensor([0, 1, 0]))
    >>> next(iter(data.DataLoader(ds, batch_size=2)))
    [tensor([[0, 1],
            [2, 3]]), tensor([0, 1])]
"""

from rustgrad.utils.data.collate import default_collate
from rustgrad.utils.data.dataloader import DataLoader
from rustgrad.utils.data.dataset import (
    ConcatDataset,
    Dataset,
    Subset,
    TensorDataset,
    random_split,
)
from rustgrad.utils.data.sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = [
    "BatchSampler",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "TensorDataset",
    "default_collate",
    "random_split",
]
