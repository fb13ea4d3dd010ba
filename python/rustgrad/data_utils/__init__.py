"""``rustgrad.data_utils``: the data sets d2l's chapters 3-4 train on, from local files.

- ``load_data_fashion_mnist(batch_size, resize=None, root=...)``: Fashion-MNIST IDX files.
- ``load_data_digits(batch_size)``: the embedded 8x8 digits (scikit-learn) or a stand-in.
- ``synthetic_data(w, b, n)``: d2l's linear-regression data.

Example:
    >>> train_iter, test_iter = rustgrad.data_utils.load_data_digits(32)
    >>> len(test_iter)
    12
"""

from rustgrad.data_utils import idx
from rustgrad.data_utils.digits import load_data_digits, load_digits_datasets
from rustgrad.data_utils.idx import read_idx, write_idx
from rustgrad.data_utils.mnist import (
    MNIST,
    FashionMNIST,
    IDXImageDataset,
    get_fashion_mnist_labels,
    load_data_fashion_mnist,
)
from rustgrad.data_utils.synthetic import synthetic_data, synthetic_images

__all__ = [
    "MNIST",
    "FashionMNIST",
    "IDXImageDataset",
    "get_fashion_mnist_labels",
    "idx",
    "load_data_digits",
    "load_data_fashion_mnist",
    "load_digits_datasets",
    "read_idx",
    "write_idx",
    "synthetic_data",
    "synthetic_images",
]
