"""rustgrad.utils.data and rustgrad.data_utils: datasets, DataLoader batching, shuffling,
drop_last, len, collation, random_split, seeded reproducibility; IDX files (spec 3.1-3.3:
E95-E97)."""

import gzip

import numpy as np
import pytest

import rustgrad as rg
from rustgrad.data_utils import idx
from rustgrad.utils import data


def load_array(data_arrays, batch_size, is_train=True):
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


def small():
    features = rg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    labels = rg.tensor([1.0, 2.0, 3.0])
    return features, labels


def test_load_array_e96():
    batches = list(load_array(small(), 2, is_train=False))
    assert [len(b) for b in batches] == [2, 2]
    assert all(isinstance(b, list) for b in batches)
    assert repr(batches[0][0]) == "tensor([[1., 2.],\n        [3., 4.]])"
    assert repr(batches[0][1]) == "tensor([1., 2.])"
    assert repr(batches[1][0]) == "tensor([[5., 6.]])"
    assert repr(batches[1][1]) == "tensor([3.])"


def test_dataset_indexing_and_lengths_e97():
    features, labels = small()
    dataset = data.TensorDataset(features, labels)
    item = dataset[0]
    assert isinstance(item, tuple) and repr(item) == "(tensor([1., 2.]), tensor(1.))"
    assert len(dataset) == 3 and len(data.DataLoader(dataset, 2)) == 2


def test_tensor_dataset_size_mismatch():
    with pytest.raises(AssertionError, match="Size mismatch"):
        data.TensorDataset(rg.zeros(3, 2), rg.zeros(4))


def test_index_tensor_batches_e95():
    features = rg.tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    labels = rg.tensor([0, 1, 0, 1, 0, 1, 0, 1, 0, 1])
    batch_indices = rg.tensor([1, 3, 5])
    assert repr((features[batch_indices], labels[batch_indices])) == (
        "(tensor([1, 3, 5]), tensor([1, 1, 1]))"
    )


@pytest.mark.parametrize("n", [0, 1, 7, 10])
@pytest.mark.parametrize("batch_size", [1, 3, 10])
@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("shuffle", [False, True])
def test_batching_covers_every_sample_once(n, batch_size, drop_last, shuffle):
    X = rg.arange(n * 2, dtype=rg.float32).reshape(n, 2)
    y = rg.arange(n)
    loader = data.DataLoader(
        data.TensorDataset(X, y), batch_size, shuffle=shuffle, drop_last=drop_last
    )
    batches = list(loader)
    expected_len = n // batch_size if drop_last else -(-n // batch_size)
    assert len(loader) == expected_len == len(batches)
    sizes = [len(b[1]) for b in batches]
    assert all(s == batch_size for s in sizes[:-1])
    if drop_last and batches:
        assert sizes[-1] == batch_size
    seen = [int(v) for _, yb in batches for v in yb]
    assert len(seen) == len(set(seen)) == sum(sizes)
    if not drop_last:
        assert sorted(seen) == list(range(n))
    if not shuffle:
        assert seen == list(range(len(seen)))
    for xb, yb in batches:  # rows stay paired with their labels
        assert xb.numpy()[:, 0].tolist() == [2.0 * v for v in yb.tolist()]


def test_shuffle_reshuffles_every_pass_and_is_seeded():
    ds = data.TensorDataset(rg.arange(50))
    loader = data.DataLoader(ds, 50, shuffle=True)
    rg.manual_seed(7)
    first, second = next(iter(loader))[0].tolist(), next(iter(loader))[0].tolist()
    assert first != second and sorted(first) == list(range(50))
    rg.manual_seed(7)
    assert next(iter(loader))[0].tolist() == first


def test_batches_are_copies():
    X = rg.zeros(4, 2)
    for (xb,) in data.DataLoader(data.TensorDataset(X), 2):
        xb += 1
    assert X.sum().item() == 0.0


class PairDataset(data.Dataset):
    """A map-style dataset returning (float32 image, int label) pairs, like torchvision's."""

    def __len__(self):
        return 5

    def __getitem__(self, i):
        return rg.full((1, 2, 2), float(i)), i


def test_map_style_dataset_default_collate():
    loader = data.DataLoader(PairDataset(), batch_size=2, shuffle=False, num_workers=4)
    X, y = next(iter(loader))
    assert X.shape == rg.Size([2, 1, 2, 2]) and X.dtype == rg.float32
    assert y.dtype == rg.int64 and y.tolist() == [0, 1]
    assert len(loader) == 3


def test_default_collate_rules():
    c = data.default_collate
    assert c([1, 2]).dtype == rg.int64
    assert c([1.5, 2.0]).dtype == rg.float64
    assert c(["a", "b"]) == ["a", "b"]
    out = c([{"x": 1, "y": rg.ones(2)}, {"x": 2, "y": rg.zeros(2)}])
    assert out["x"].tolist() == [1, 2] and out["y"].shape == rg.Size([2, 2])
    pairs = c([(np.ones(2, dtype=np.float32), 0), (np.zeros(2, dtype=np.float32), 1)])
    assert isinstance(pairs, list) and pairs[0].shape == rg.Size([2, 2])


def test_custom_collate_and_sampler():
    loader = data.DataLoader(
        PairDataset(),
        batch_size=2,
        sampler=[4, 3, 2],
        collate_fn=lambda batch: [label for _, label in batch],
    )
    assert list(loader) == [[4, 3], [2]]


def test_random_split_and_subset_loader():
    rg.manual_seed(0)
    ds = data.TensorDataset(rg.arange(10), rg.arange(10) * 10)
    train, test = data.random_split(ds, [7, 3])
    assert len(train) == 7 and len(test) == 3
    assert sorted(train.indices + test.indices) == list(range(10))
    xs = [int(v) for xb, yb in data.DataLoader(train, 3) for v in xb]
    assert xs == train.indices
    ys = [int(v) for _, yb in data.DataLoader(train, 3, shuffle=True) for v in yb]
    assert sorted(ys) == sorted(10 * i for i in train.indices)
    fractions = data.random_split(ds, [0.5, 0.3, 0.2])
    assert [len(s) for s in fractions] == [5, 3, 2]
    with pytest.raises(ValueError):
        data.random_split(ds, [4, 4])


def test_concat_dataset():
    a = data.TensorDataset(rg.arange(3))
    b = data.TensorDataset(rg.arange(3, 5))
    both = a + b
    assert len(both) == 5 and both[3][0].item() == 3 and both[-1][0].item() == 4


# ------------------------------------------------------------------- IDX files
@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
def test_idx_round_trip(tmp_path, compress, dtype):
    array = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
    path = str(tmp_path / ("a.idx" + (".gz" if compress else "")))
    idx.write_idx(path, array)
    back = idx.read_idx(path)
    assert back.dtype == np.dtype(dtype) and back.shape == (2, 3, 4)
    np.testing.assert_array_equal(back, array)


def test_idx_header_layout_and_errors(tmp_path):
    path = tmp_path / "labels"
    idx.write_idx(str(path), np.array([7, 2], dtype=np.uint8))
    assert path.read_bytes() == bytes([0, 0, 8, 1, 0, 0, 0, 2, 7, 2])
    (tmp_path / "bad").write_bytes(b"\x01\x02\x03\x04")
    with pytest.raises(ValueError, match="magic"):
        idx.read_idx(str(tmp_path / "bad"))
    (tmp_path / "short").write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 5, 1]))
    with pytest.raises(ValueError, match="truncated"):
        idx.read_idx(str(tmp_path / "short"))


def write_fashion(root, n_train=10, n_test=6, gz=True, layout=""):
    folder = root / layout if layout else root
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    suffix = ".gz" if gz else ""
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        idx.write_idx(str(folder / f"{prefix}-images-idx3-ubyte{suffix}"), images)
        idx.write_idx(
            str(folder / f"{prefix}-labels-idx1-ubyte{suffix}"),
            (np.arange(n) % 10).astype(np.uint8),
        )
    return folder


@pytest.mark.parametrize(("gz", "layout"), [(True, ""), (False, "FashionMNIST/raw")])
def test_load_data_fashion_mnist(tmp_path, gz, layout):
    folder = write_fashion(tmp_path, gz=gz, layout=layout)
    train_iter, test_iter = rg.data_utils.load_data_fashion_mnist(4, root=str(tmp_path))
    assert len(train_iter.dataset) == 10 and len(test_iter) == 2
    X, y = next(iter(test_iter))
    assert X.shape == rg.Size([4, 1, 28, 28]) and X.dtype == rg.float32
    assert y.dtype == rg.int64 and y.tolist() == [0, 1, 2, 3]
    raw = idx.read_idx(str(next(folder.glob("t10k-images*"))))
    np.testing.assert_allclose(X.numpy()[0, 0], raw[0] / 255.0, rtol=1e-6)
    image, label = test_iter.dataset[1]
    assert isinstance(label, int) and label == 1 and image.shape == rg.Size([1, 28, 28])
    assert rg.data_utils.get_fashion_mnist_labels(y) == ["t-shirt", "trouser", "pullover", "dress"]
    seen = sorted(int(v) for _, yb in train_iter for v in yb)
    assert seen == sorted(i % 10 for i in range(10))


def test_load_data_fashion_mnist_resize_and_missing(tmp_path):
    write_fashion(tmp_path, gz=False)
    train_iter, _ = rg.data_utils.load_data_fashion_mnist(2, resize=14, root=str(tmp_path))
    X, _ = next(iter(train_iter))
    assert X.shape == rg.Size([2, 1, 14, 14])
    assert 0.0 <= X.min().item() and X.max().item() <= 1.0
    with pytest.raises(FileNotFoundError, match="does not download"):
        rg.data_utils.load_data_fashion_mnist(2, root=str(tmp_path / "nowhere"))


def test_resize_images_constant_and_identity():
    img = np.full((1, 4, 4), 0.25, dtype=np.float32)
    np.testing.assert_allclose(rg.data_utils.mnist.resize_images(img, 9), 0.25)
    ramp = np.arange(16, dtype=np.float32).reshape(1, 4, 4)
    np.testing.assert_allclose(rg.data_utils.mnist.resize_images(ramp, 4), ramp)


def test_gzip_detected_from_content_not_name(tmp_path):
    payload = bytes([0, 0, 8, 1, 0, 0, 0, 1, 42])
    with gzip.open(tmp_path / "labels", "wb") as f:
        f.write(payload)
    assert idx.read_idx(str(tmp_path / "labels")).tolist() == [42]


def test_embedded_digits_datasets():
    train, test, description = rg.data_utils.load_digits_datasets()
    assert len(train) + len(test) == 1797
    X, y = train.tensors
    assert X.shape[1:] == rg.Size([1, 8, 8]) and X.dtype == rg.float32 and y.dtype == rg.int64
    assert 0.0 <= X.min().item() and X.max().item() <= 1.0
    assert sorted(set(y.tolist())) == list(range(10))
    assert "digits" in description or "synthetic" in description


def test_synthetic_images_fallback_is_deterministic():
    a_images, a_labels = rg.data_utils.synthetic_images(100, seed=3)
    b_images, b_labels = rg.data_utils.synthetic_images(100, seed=3)
    np.testing.assert_array_equal(a_images, b_images)
    np.testing.assert_array_equal(a_labels, b_labels)
    assert a_images.shape == (100, 8, 8) and a_images.min() >= 0 and a_images.max() <= 1
