"""Generated data sets: d2l's linear-regression data and a small image-classification set."""

from __future__ import annotations

import numpy as np

import rustgrad
from rustgrad._core import Tensor


def synthetic_data(w: Tensor, b: float, num_examples: int) -> tuple[Tensor, Tensor]:
    """``X ~ N(0, 1)`` of shape ``(num_examples, len(w))`` and ``y = Xw + b + N(0, 0.01²)``
    as a column, as in d2l 3.2 (drawn from the global generator).

    Example:
        >>> X, y = rustgrad.data_utils.synthetic_data(rustgrad.tensor([2, -3.4]), 4.2, 1000)
        >>> X.shape, y.shape
        (rustgrad.Size([1000, 2]), rustgrad.Size([1000, 1]))
    """
    X = rustgrad.normal(0, 1, (num_examples, len(w)))
    y = rustgrad.matmul(X, w) + b
    y += rustgrad.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


def synthetic_images(n: int = 1797, side: int = 8, classes: int = 10, seed: int = 0):
    """``(images (n, side, side) float32 in [0, 1], labels (n,) int64)``: each class is a
    random blocky black-and-white prototype plus noise and a one-pixel jitter. Deterministic in
    ``seed`` (NumPy's generator, independent of rustgrad's).

    Example:
        >>> images, labels = rustgrad.data_utils.synthetic_images(20)
        >>> images.shape, labels.shape, int(labels.max()) < 10
        ((20, 8, 8), (20,), True)
    """
    rng = np.random.default_rng(seed)
    coarse = (rng.random((classes, side // 2, side // 2)) > 0.5).astype(np.float64)
    prototypes = coarse.repeat(2, axis=1).repeat(2, axis=2)
    labels = rng.integers(0, classes, n)
    images = prototypes[labels] + rng.normal(0, 0.25, (n, side, side))
    shifts = rng.integers(-1, 2, (n, 2))
    for i, (dy, dx) in enumerate(shifts):
        images[i] = np.roll(images[i], (dy, dx), axis=(0, 1))
    return np.clip(images, 0, 1).astype(np.float32), labels.astype(np.int64)
