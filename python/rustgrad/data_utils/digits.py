"""The demo's embedded data set: scikit-learn's 8x8 digits, or a generated stand-in.

scikit-learn ships the 1,797 UCI handwritten-digit images inside its wheel, so nothing is
downloaded. Without scikit-learn a generated set of the same shape is used instead.
"""

from __future__ import annotations

import numpy as np

import rustgrad
from rustgrad.data_utils.synthetic import synthetic_images
from rustgrad.utils.data import TensorDataset


def _digits_arrays():
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        images, labels = synthetic_images()
        return images, labels, "synthetic 8x8 classes (scikit-learn not installed)"
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)
    return images, digits.target.astype(np.int64), "scikit-learn digits (1,797 8x8 images)"


def load_digits_datasets(test_fraction: float = 0.2, seed: int = 0):
    """``(train, test, description)``: two ``TensorDataset``s of ``(X (N, 1, 8, 8) float32 in
    [0, 1], y (N,) int64)``, split at random (NumPy seed ``seed``, stratified by nothing).

    Example:
        >>> train, test, name = rustgrad.data_utils.load_digits_datasets()
        >>> len(train) + len(test), train[0][0].shape
        (1797, rustgrad.Size([1, 8, 8]))
    """
    images, labels, description = _digits_arrays()
    order = np.random.default_rng(seed).permutation(len(labels))
    n_test = int(round(len(labels) * test_fraction))
    test_idx, train_idx = order[:n_test], order[n_test:]

    def make(idx):
        X = rustgrad.from_numpy(np.ascontiguousarray(images[idx][:, None]))
        y = rustgrad.from_numpy(np.ascontiguousarray(labels[idx]))
        return TensorDataset(X, y)

    return make(train_idx), make(test_idx), description


def load_data_digits(batch_size: int, test_fraction: float = 0.2, seed: int = 0):
    """``(train_iter, test_iter)`` DataLoaders over the embedded digits (train shuffled).

    Example:
        >>> train_iter, test_iter = rustgrad.data_utils.load_data_digits(64)
        >>> X, y = next(iter(test_iter))
        >>> X.shape, y.dtype
        (rustgrad.Size([64, 1, 8, 8]), rustgrad.int64)
    """
    train, test, _ = load_digits_datasets(test_fraction, seed)
    return (
        rustgrad.utils.data.DataLoader(train, batch_size, shuffle=True),
        rustgrad.utils.data.DataLoader(test, batch_size, shuffle=False),
    )
