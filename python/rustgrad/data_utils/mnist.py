"""MNIST and Fashion-MNIST from IDX files in a local folder, as d2l's loaders return them.

Nothing is downloaded: point ``root`` at a folder holding the four standard files
(``train-images-idx3-ubyte[.gz]``, ``train-labels-idx1-ubyte[.gz]``,
``t10k-images-idx3-ubyte[.gz]``, ``t10k-labels-idx1-ubyte[.gz]``), directly or in
torchvision's layout (``<root>/FashionMNIST/raw/``).
"""

from __future__ import annotations

import os

import numpy as np

import rustgrad
from rustgrad.data_utils.idx import read_idx
from rustgrad.utils.data import DataLoader, TensorDataset

FASHION_LABELS = [
    "t-shirt",
    "trouser",
    "pullover",
    "dress",
    "coat",
    "sandal",
    "shirt",
    "sneaker",
    "bag",
    "ankle boot",
]


def find_idx_file(root: str, stem: str, subdirs=("FashionMNIST", "MNIST")) -> str:
    """The path of ``stem`` (or ``stem.gz``) under ``root`` or ``root/<subdir>[/raw]``."""
    folders = [root] + [os.path.join(root, d, s) for d in subdirs for s in ("raw", "")]
    for folder in folders:
        for name in (stem, stem + ".gz"):
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                return path
    raise FileNotFoundError(
        f"no {stem}[.gz] under {root!r} (looked in {', '.join(folders)}); rustgrad does not "
        "download data sets: copy the IDX files there"
    )


def resize_images(images: np.ndarray, size: int | tuple[int, int]) -> np.ndarray:
    """Bilinear resize of ``(N, H, W)`` float images to ``size`` (half-pixel centres)."""
    out_h, out_w = (size, size) if isinstance(size, int) else size
    n, h, w = images.shape

    def axis(out: int, src: int):
        pos = np.clip((np.arange(out) + 0.5) * src / out - 0.5, 0, src - 1)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, src - 1)
        return lo, hi, (pos - lo).astype(np.float32)

    y0, y1, wy = axis(out_h, h)
    x0, x1, wx = axis(out_w, w)
    top = images[:, y0][:, :, x0] * (1 - wx) + images[:, y0][:, :, x1] * wx
    bottom = images[:, y1][:, :, x0] * (1 - wx) + images[:, y1][:, :, x1] * wx
    return (top * (1 - wy)[:, None] + bottom * wy[:, None]).astype(np.float32)


class IDXImageDataset(TensorDataset):
    """Images and labels from IDX files: ``ds[i]`` is ``(float32 image (1, H, W) in [0, 1],
    int label)``, as torchvision's ``FashionMNIST`` with ``transforms.ToTensor()`` gives.

    ``data`` holds the raw uint8 images ``(N, H, W)`` as a tensor and ``targets`` the int64
    labels. Batches from a ``DataLoader`` are ``[X (B, 1, H, W) float32, y (B,) int64]``.

    Example:
        >>> import numpy as np, tempfile
        >>> from rustgrad.data_utils.idx import write_idx
        >>> root = tempfile.mkdtemp()
        >>> write_idx(f"{root}/train-images-idx3-ubyte", np.zeros((3, 28, 28), np.uint8))
        >>> write_idx(f"{root}/train-labels-idx1-ubyte", np.array([9, 0, 1], np.uint8))
        >>> ds = rustgrad.data_utils.FashionMNIST(root, train=True)
        >>> len(ds), ds[0][0].shape, ds[0][1]
        (3, rustgrad.Size([1, 28, 28]), 9)
    """

    classes: list[str] = [str(i) for i in range(10)]

    def __init__(self, root: str, train: bool = True, resize=None) -> None:
        prefix = "train" if train else "t10k"
        images = read_idx(find_idx_file(root, f"{prefix}-images-idx3-ubyte"))
        labels = read_idx(find_idx_file(root, f"{prefix}-labels-idx1-ubyte"))
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(
                f"IDX files under {root!r} do not hold N images and N labels "
                f"(got shapes {images.shape} and {labels.shape})"
            )
        self.root, self.train = root, train
        self.data = rustgrad.from_numpy(np.ascontiguousarray(images))
        self.targets = rustgrad.from_numpy(labels.astype(np.int64))
        pixels = images.astype(np.float32) / 255.0
        if resize is not None:
            pixels = resize_images(pixels, resize)
        x = rustgrad.from_numpy(np.ascontiguousarray(pixels[:, None]))
        super().__init__(x, self.targets)

    def __getitem__(self, index):
        image, label = super().__getitem__(index)
        return image, int(label)


class FashionMNIST(IDXImageDataset):
    """Fashion-MNIST (Zalando's 28x28 clothing images, 10 classes) from local IDX files."""

    classes = FASHION_LABELS


class MNIST(IDXImageDataset):
    """MNIST (28x28 handwritten digits, 10 classes) from local IDX files."""


def default_root() -> str:
    """``$RUSTGRAD_DATA`` if set, else ``../data`` (d2l's folder)."""
    return os.environ.get("RUSTGRAD_DATA", os.path.join("..", "data"))


def load_data_fashion_mnist(
    batch_size: int, resize=None, root: str | None = None, num_workers: int = 0
):
    """``(train_iter, test_iter)`` DataLoaders over Fashion-MNIST, as d2l's function.

    The training loader shuffles; the test loader does not.

    Example:
        >>> import numpy as np, tempfile
        >>> from rustgrad.data_utils.idx import write_idx
        >>> root = tempfile.mkdtemp()
        >>> for p in ("train", "t10k"):
        ...     write_idx(f"{root}/{p}-images-idx3-ubyte.gz", np.zeros((5, 28, 28), np.uint8))
        ...     write_idx(f"{root}/{p}-labels-idx1-ubyte.gz", np.arange(5, dtype=np.uint8))
        >>> train_iter, test_iter = rustgrad.data_utils.load_data_fashion_mnist(4, root=root)
        >>> X, y = next(iter(test_iter))
        >>> X.shape, X.dtype, y
        (rustgrad.Size([4, 1, 28, 28]), rustgrad.float32, tensor([0, 1, 2, 3]))
    """
    root = default_root() if root is None else root
    train = FashionMNIST(root, train=True, resize=resize)
    test = FashionMNIST(root, train=False, resize=resize)
    return (
        DataLoader(train, batch_size, shuffle=True, num_workers=num_workers),
        DataLoader(test, batch_size, shuffle=False, num_workers=num_workers),
    )


def get_fashion_mnist_labels(labels) -> list[str]:
    """Text labels of Fashion-MNIST class indices.

    Example:
        >>> rustgrad.data_utils.get_fashion_mnist_labels(rustgrad.tensor([0, 9]))
        ['t-shirt', 'ankle boot']
    """
    return [FASHION_LABELS[int(i)] for i in labels]
