"""NumPy interop (spec 1.4): `t.numpy()`, `np.asarray(t)` and `from_numpy` share memory both ways
and keep it alive; `tensor()` copies."""

import gc
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rustgrad as rg

DTYPES = ["bool", "uint8", "int32", "int64", "float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
def test_numpy_shares_memory_both_ways(dtype):
    t = rg.zeros(3, dtype=getattr(rg, dtype))
    n = t.numpy()
    assert isinstance(n, np.ndarray) and n.dtype == np.dtype(dtype) and n.shape == (3,)
    assert n.flags.writeable
    n[1] = 1
    assert t.tolist()[1] == 1
    t.fill_(1)
    assert n.tolist() == [1, 1, 1]


def test_e27_numpy_shares_and_tensor_copies():
    t = rg.arange(3)
    n = t.numpy()
    c = rg.tensor(n)
    t += 10
    assert repr(n) == "array([10, 11, 12])"
    assert repr(c) == "tensor([0, 1, 2])"


def test_asarray_and_array_protocol():
    t = rg.arange(4.0)
    a = np.asarray(t)
    a[0] = 9
    assert t.tolist()[0] == 9.0
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    copied = np.array(t)
    copied[1] = -1
    assert t.tolist()[1] == 1.0
    assert np.exp(rg.zeros(2)).tolist() == [1.0, 1.0]
    assert t.__array__(copy=True) is not None and not np.shares_memory(t.__array__(copy=True), a)


def test_numpy_of_views_shares_with_the_base():
    x = rg.tensor([[1, 2, 3], [4, 5, 6]])
    t = x.T.numpy()
    assert t.shape == (3, 2) and t.strides == (8, 24)
    t[0, 1] = 40
    assert x.tolist() == [[1, 2, 3], [40, 5, 6]]
    row = list(x)[1].numpy()
    assert row.tolist() == [40, 5, 6]
    row[2] = 60
    assert x.tolist()[1] == [40, 5, 60]


def test_numpy_keeps_the_memory_alive():
    n = rg.arange(5.0).numpy()
    gc.collect()
    junk = [rg.ones(5) for _ in range(100)]
    assert n.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    del junk
    t = rg.ones(3)
    n = t.numpy()
    del t
    gc.collect()
    n += 1
    assert n.tolist() == [2.0, 2.0, 2.0]


@pytest.mark.parametrize("dtype", DTYPES)
def test_from_numpy_shares_memory_both_ways(dtype):
    a = np.zeros(4, dtype=dtype)
    t = rg.from_numpy(a)
    assert t.dtype == getattr(rg, dtype)
    a[2] = 1
    assert t.tolist()[2] == 1
    t.fill_(1)
    assert a.tolist() == [1, 1, 1, 1]
    assert t.data_ptr() == a.ctypes.data


def test_from_numpy_keeps_the_array_alive():
    t = rg.from_numpy(np.arange(1000, dtype=np.int64))
    gc.collect()
    junk = [np.full(1000, 7) for _ in range(50)]
    assert t.tolist() == list(range(1000))
    del junk
    t += 1
    assert t.tolist()[:3] == [1, 2, 3]


def test_from_numpy_array_outlives_its_name_and_base():
    base = np.arange(12.0).reshape(3, 4)
    t = rg.from_numpy(base[:, 1:3])
    del base
    gc.collect()
    assert t.tolist() == [[1.0, 2.0], [5.0, 6.0], [9.0, 10.0]]


def test_from_numpy_non_contiguous_views_share():
    a = np.arange(12.0).reshape(3, 4)
    s = rg.from_numpy(a[:, ::2])
    assert s.shape == (3, 2) and s.stride() == (4, 2) and not s.is_contiguous()
    s += 100
    assert a[:, 0].tolist() == [100.0, 104.0, 108.0] and a[:, 1].tolist() == [1.0, 5.0, 9.0]
    tr = rg.from_numpy(a.T)
    assert tr.stride() == (1, 4) and tr.tolist() == a.T.tolist()


def test_from_numpy_zero_dim_and_empty():
    t = rg.from_numpy(np.array(3.0))
    assert t.shape == () and repr(t) == "tensor(3., dtype=rustgrad.float64)"
    e = rg.from_numpy(np.zeros((0, 3), dtype=np.float32))
    assert e.shape == (0, 3) and repr(e) == "tensor([], size=(0, 3))"


def test_from_numpy_negative_strides_are_a_value_error():
    with pytest.raises(
        ValueError, match="At least one stride in the given numpy array is negative"
    ):
        rg.from_numpy(np.arange(4.0)[::-1])
    # tensor() copies, so negative strides are fine there
    assert rg.tensor(np.arange(4.0)[::-1]).tolist() == [3.0, 2.0, 1.0, 0.0]


def test_from_numpy_read_only_arrays_are_copied_with_a_warning():
    a = np.arange(3.0)
    ro = np.broadcast_to(a, (2, 3))
    with pytest.warns(UserWarning, match="cannot share its memory"):
        t = rg.from_numpy(ro)
    assert t.tolist() == [[0.0, 1.0, 2.0], [0.0, 1.0, 2.0]]
    t += 1  # writing is safe: it is a copy
    assert a.tolist() == [0.0, 1.0, 2.0]
    frozen = np.arange(3)
    frozen.flags.writeable = False
    with pytest.warns(UserWarning):
        assert rg.from_numpy(frozen).tolist() == [0, 1, 2]


def test_from_numpy_rejects_other_objects_and_types():
    with pytest.raises(TypeError, match=r"expected np.ndarray \(got list\)"):
        rg.from_numpy([1, 2])
    with pytest.raises(TypeError, match="can't convert np.ndarray of type numpy.float16"):
        rg.from_numpy(np.ones(2, np.float16))
    with pytest.raises(ValueError, match="byte order different from the native byte order"):
        rg.from_numpy(np.ones(2, ">f8"))
    # tensor() converts the byte order
    assert rg.tensor(np.arange(3, dtype=">i8")).tolist() == [0, 1, 2]


def test_bool_arrays_share_and_non_boolean_bytes_are_normalised():
    b = np.array([True, False, True])
    t = rg.from_numpy(b)
    assert t.dtype == rg.bool and t.tolist() == [True, False, True]
    b[1] = True
    assert t.tolist() == [True, True, True]
    odd = np.array([0, 2, 1], dtype=np.uint8).view(np.bool_)
    assert rg.tensor(odd).tolist() == [False, True, True]
    assert rg.tensor(odd).numpy().view(np.uint8).tolist() == [0, 1, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert rg.from_numpy(odd).numpy().view(np.uint8).tolist() == [0, 1, 1]


def test_as_tensor_shares_only_when_it_can():
    a = np.arange(3.0)
    assert np.shares_memory(rg.as_tensor(a).numpy(), a)
    assert not np.shares_memory(rg.as_tensor(a, dtype=rg.float32).numpy(), a)


def test_arrays_as_operands():
    t = rg.ones(3)
    assert (t + np.arange(3.0)).dtype == rg.float64
    assert (t + np.arange(3.0)).tolist() == [1.0, 2.0, 3.0]
    assert (t * np.float32(2)).tolist() == [2.0, 2.0, 2.0]
    assert (t * np.float64(2)).dtype == rg.float32  # a NumPy scalar counts as a Python number


@given(
    hnp.arrays(
        st.sampled_from(DTYPES),
        hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4),
    ),
    st.sampled_from(["plain", "transposed", "strided"]),
)
def test_round_trips_keep_values_dtype_and_layout(a, layout):
    if layout == "transposed":
        a = a.T
    elif layout == "strided" and a.ndim:
        a = np.repeat(a, 2, axis=-1)[..., ::2]
    t = rg.from_numpy(a)
    assert t.shape == a.shape and str(t.dtype) == "rustgrad." + a.dtype.name
    np.testing.assert_array_equal(t.numpy(), a)
    assert np.shares_memory(t.numpy(), a) or a.size == 0
    c = rg.tensor(a)
    assert c.is_contiguous() and not (a.size and np.shares_memory(c.numpy(), a))
    np.testing.assert_array_equal(c.numpy(), a)
    np.testing.assert_equal(t.tolist(), a.tolist())  # (NaN equals NaN here)
