"""Tensor attributes and conversions (issue 2, item 4; spec 1.4 and 1.6)."""

import operator

import numpy as np
import pytest

import rustgrad as rg


def test_shape_size_and_counts():
    x = rg.zeros(3, 2)
    assert x.shape == (3, 2) and isinstance(x.shape, rg.Size) and isinstance(x.shape, tuple)
    assert x.size() == x.shape and isinstance(x.size(), rg.Size)
    assert (x.size(0), x.size(1), x.size(-1)) == (3, 2, 2)
    assert x.shape[0] == 3 and x.shape[-1] == 2 and x.shape[1:] == (2,)
    assert isinstance(x.shape[1:], rg.Size)
    assert x.numel() == 6 and x.nelement() == 6 and rg.numel(x) == 6
    assert x.dim() == 2 and x.ndim == 2 and x.ndimension() == 2
    assert len(x) == 3
    assert rg.zeros(()).shape == () and rg.zeros(()).dim() == 0
    with pytest.raises(
        IndexError,
        match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)",
    ):
        x.size(2)


def test_dtype_and_element_properties():
    x = rg.tensor([1.0])
    assert x.dtype == rg.float32 and x.dtype is rg.float32
    assert x.is_floating_point() and not rg.tensor([1]).is_floating_point()
    assert x.element_size() == 4 and rg.tensor([1]).element_size() == 8
    assert rg.float64.itemsize == 8 and rg.float32.is_floating_point
    assert not rg.int64.is_floating_point
    assert x.device == "cpu"
    assert type(x) is rg.Tensor and repr(type(x)) == "<class 'rustgrad.Tensor'>"
    assert rg.is_tensor(x) and not rg.is_tensor([1.0])


def test_strides_contiguity_and_transpose():
    x = rg.tensor([[1, 2, 3], [4, 5, 6]])
    assert x.stride() == (3, 1) and x.stride(0) == 3
    assert x.is_contiguous()
    t = x.T
    assert t.shape == (3, 2) and t.stride() == (1, 3) and not t.is_contiguous()
    assert t.tolist() == [[1, 4], [2, 5], [3, 6]]
    assert t.contiguous().is_contiguous() and t.contiguous().tolist() == t.tolist()
    assert x.contiguous() is x
    assert x.permute(1, 0).tolist() == t.tolist() and x.permute((1, 0)).tolist() == t.tolist()
    assert t.data_ptr() == x.data_ptr()
    with pytest.raises(RuntimeError, match="duplicate dims"):
        x.permute(0, 0)


def test_iteration_yields_rows_as_views():
    x = rg.tensor([[1, 2], [3, 4]])
    rows = list(x)
    assert [r.tolist() for r in rows] == [[1, 2], [3, 4]]
    assert repr(rows[1]) == "tensor([3, 4])"
    assert rows[1].data_ptr() == x.data_ptr() + 2 * 8
    rows[1] += 10
    assert x.tolist() == [[1, 2], [13, 14]]
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(rg.tensor(1.0))


def test_item_and_python_scalars():
    a = rg.tensor([3.5])
    assert (a.item(), float(a), int(a)) == (3.5, 3.5, 3)
    assert isinstance(a.item(), float)
    assert rg.tensor(7).item() == 7 and isinstance(rg.tensor(7).item(), int)
    assert rg.tensor(True).item() is True
    assert int(rg.tensor([-3.7])) == -3  # truncates toward zero
    assert float(rg.tensor(2)) == 2.0
    assert bool(rg.tensor([0.0])) is False and bool(rg.tensor([[2]])) is True
    assert rg.tensor([[1, 2]]).tolist() == [[1, 2]] and rg.tensor(2.5).tolist() == 2.5
    assert rg.tensor([0.1]).item() == float(np.float32(0.1))


def test_index_protocol():
    assert [10, 20, 30][rg.tensor(1)] == 20
    assert operator.index(rg.tensor(2)) == 2
    msg = "only integer tensors of a single element can be converted to an index"
    with pytest.raises(TypeError, match=msg):
        [10, 20, 30][rg.tensor([1, 2])]
    with pytest.raises(TypeError, match=msg):
        [10, 20][rg.tensor(1.0)]


@pytest.mark.parametrize(
    ("expr", "exc", "message"),
    [
        (
            lambda: rg.tensor([1.0, 2.0]).item(),
            RuntimeError,
            "a Tensor with 2 elements cannot be converted to Scalar",
        ),
        (
            lambda: float(rg.tensor([1.0, 2.0])),
            ValueError,
            "only one element tensors can be converted to Python scalars",
        ),
        (
            lambda: int(rg.tensor([])),
            ValueError,
            "only one element tensors can be converted to Python scalars",
        ),
        (
            lambda: bool(rg.tensor([1.0, 2.0])),
            RuntimeError,
            "Boolean value of Tensor with more than one value is ambiguous",
        ),
        (
            lambda: bool(rg.tensor([])),
            RuntimeError,
            "Boolean value of Tensor with no values is ambiguous",
        ),
        (lambda: len(rg.tensor(1.0)), TypeError, "len() of a 0-d tensor"),
    ],
)
def test_conversion_errors(expr, exc, message):
    with pytest.raises(exc) as e:
        expr()
    assert str(e.value) == message


def test_dtype_conversions():
    x = rg.tensor([1.9, -1.9, 0.0])
    assert x.long().tolist() == [1, -1, 0] and x.long().dtype == rg.int64
    assert x.int().dtype == rg.int32
    assert x.double().dtype == rg.float64
    assert x.bool().tolist() == [True, True, False]
    assert x.byte().dtype == rg.uint8
    assert rg.tensor([1, 2]).float().tolist() == [1.0, 2.0]
    assert x.to(rg.float64).dtype == rg.float64
    assert x.to(dtype=rg.int64).tolist() == [1, -1, 0]
    assert x.to("cpu") is x and x.to(rg.float32) is x and x.float() is x
    assert x.to(rg.float32, copy=True) is not x
    assert x.to(rg.tensor([1])).dtype == rg.int64
    assert x.type(rg.int64).tolist() == [1, -1, 0]
    assert x.type() == "rustgrad.FloatTensor" and rg.tensor([1]).type() == "rustgrad.LongTensor"
    assert x.cpu() is x
    c = x.clone()
    c += 1
    assert x.tolist() == [float(np.float32(1.9)), float(np.float32(-1.9)), 0.0]


def test_conversions_copy():
    x = rg.tensor([1, 2])
    y = x.float()
    y += 1
    assert x.tolist() == [1, 2]


def test_legacy_tensor_constructor():
    assert rg.Tensor([1, 2]).dtype == rg.float32
    assert rg.Tensor(2, 3).shape == (2, 3)


def test_fill_zero_and_copy_return_self():
    x = rg.ones(2, 2)
    assert x.fill_(3) is x and x.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    assert x.zero_() is x and x.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert x.copy_(rg.tensor([1, 2])) is x and x.tolist() == [[1.0, 2.0], [1.0, 2.0]]
    with pytest.raises(RuntimeError):
        x.copy_(rg.ones(3))
