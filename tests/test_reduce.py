"""Reductions, scans and softmax: NumPy cross-checks (hypothesis), spec examples with their
exact printed output, torch's dtype rules and error messages, and large-sum accuracy."""

import doctest
import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rustgrad as rg

# NumPy's references warn on empty means and log(0); rustgrad's results are still compared.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

DTYPES = [np.float32, np.float64, np.int32, np.int64, np.uint8, np.bool_]
FLOATS = [np.float32, np.float64]


def to_rg(arr, layout):
    """A rustgrad tensor with `arr`'s values: contiguous, or a non-contiguous view."""
    if layout == "T" and arr.ndim >= 2:
        return rg.tensor(np.ascontiguousarray(arr.T)).T
    if layout == "permute" and arr.ndim >= 2:
        order = list(range(1, arr.ndim)) + [0]
        inverse = list(np.argsort(order))
        return rg.tensor(np.ascontiguousarray(arr.transpose(order))).permute(*inverse)
    return rg.tensor(arr)


@st.composite
def arrays(draw, dtypes=DTYPES, min_dims=1, max_dims=4, elements=None):
    dtype = draw(st.sampled_from(dtypes))
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=0, max_side=5))
    if np.dtype(dtype).kind == "f":
        elems = elements or st.floats(-100, 100, width=np.dtype(dtype).itemsize * 8)
    elif dtype == np.bool_:
        elems = st.booleans()
    else:
        elems = st.integers(0, 9) if dtype == np.uint8 else st.integers(-50, 50)
    arr = draw(hnp.arrays(dtype, shape, elements=elems))
    layout = draw(st.sampled_from(["contig", "T", "permute"]))
    return arr, layout


@st.composite
def dims_for(draw, ndim):
    kind = draw(st.sampled_from(["none", "int", "tuple", "list"]))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    picked = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    signed = [d - ndim if draw(st.booleans()) else d for d in picked]
    return tuple(signed) if kind == "tuple" else signed


def np_axis(dims):
    if dims is None:
        return None
    return tuple(dims) if isinstance(dims, (tuple, list)) else dims


def n_reduced(shape, dims):
    if dims is None:
        return int(np.prod(shape))
    ds = dims if isinstance(dims, (tuple, list)) else [dims]
    return int(np.prod([shape[d] for d in ds]))


def check_close(got, ref, dtype, n):
    got = got.numpy() if isinstance(got, rg.Tensor) else got
    assert got.shape == np.shape(ref)
    if np.dtype(dtype).kind == "f":
        eps = np.finfo(dtype).eps
        tol = 4 * eps * (n + 4)
        np.testing.assert_allclose(got, ref, rtol=tol, atol=tol * 100)
    else:
        np.testing.assert_array_equal(got, ref)


@given(data=st.data())
def test_sum_mean_prod_match_numpy(data):
    arr, layout = data.draw(arrays())
    dims = data.draw(dims_for(arr.ndim))
    keep = data.draw(st.booleans())
    t = to_rg(arr, layout)
    n = n_reduced(arr.shape, dims)
    is_float = arr.dtype.kind == "f"
    ref_dtype = np.float64 if is_float else np.int64
    s = t.sum(dim=dims, keepdim=keep)
    assert s.dtype == (
        rg.float32 if arr.dtype == np.float32 else rg.float64 if is_float else rg.int64
    )
    ref = np.sum(arr.astype(ref_dtype), axis=np_axis(dims), keepdims=keep)
    check_close(s, ref, arr.dtype, n)
    # NumPy spellings give the same
    check_close(t.sum(axis=dims, keepdims=keep), ref, arr.dtype, n)
    if is_float:
        with np.errstate(invalid="ignore", divide="ignore"):
            ref_mean = np.mean(arr.astype(np.float64), axis=np_axis(dims), keepdims=keep)
        check_close(t.mean(dims, keep), ref_mean, arr.dtype, n)
    else:
        with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype"):
            t.mean(dims)
    dim = dims if not isinstance(dims, (tuple, list)) else None
    small = np.clip(arr, -2, 2) if is_float else arr
    ref_prod = np.prod(small.astype(ref_dtype), axis=dim, keepdims=keep and dim is not None)
    if is_float:
        with np.errstate(over="ignore"):  # 2.0 ** 128 overflows float32 to inf
            ref_prod = np.asarray(ref_prod).astype(arr.dtype)
    got = to_rg(small, layout).prod(dim, keep and dim is not None)
    check_close(got, ref_prod, arr.dtype, n)


@given(data=st.data())
def test_extremes_and_arg_extremes_match_numpy(data):
    arr, layout = data.draw(arrays())
    t = to_rg(arr, layout)
    dims = data.draw(dims_for(arr.ndim))
    keep = data.draw(st.booleans())
    cmp = arr.astype(np.int64) if arr.dtype == np.bool_ else arr
    if n_reduced(arr.shape, dims) == 0:
        with pytest.raises((RuntimeError, IndexError), match="amax\\(\\): Expected reduction dim"):
            t.amax(dims, keep)
        return
    for method, fn in [("amax", np.max), ("amin", np.min)]:
        got = getattr(t, method)(dim=dims, keepdim=keep)
        np.testing.assert_array_equal(
            got.numpy().astype(cmp.dtype), fn(cmp, np_axis(dims), keepdims=keep)
        )
    dim = data.draw(st.integers(-arr.ndim, arr.ndim - 1))
    assume(arr.shape[dim] > 0)
    for method, fn, argfn in [("max", np.max, np.argmax), ("min", np.min, np.argmin)]:
        values, indices = getattr(t, method)(dim, keep)
        np.testing.assert_array_equal(
            values.numpy().astype(cmp.dtype), fn(cmp, axis=dim, keepdims=keep)
        )
        np.testing.assert_array_equal(indices.numpy(), argfn(cmp, axis=dim, keepdims=keep))
        assert indices.dtype == rg.int64
        arg = getattr(t, "arg" + method)(dim=dim, keepdim=keep)
        np.testing.assert_array_equal(arg.numpy(), argfn(cmp, axis=dim, keepdims=keep))
    if arr.size:
        assert t.argmax().item() == int(np.argmax(cmp))
        assert t.max().item() == cmp.max()


@given(data=st.data())
def test_logic_and_counting_match_numpy(data):
    arr, layout = data.draw(arrays())
    t = to_rg(arr, layout)
    dims = data.draw(dims_for(arr.ndim))
    keep = data.draw(st.booleans())
    for method, fn in [("all", np.all), ("any", np.any)]:
        got = getattr(t, method)(dims, keep)
        assert got.dtype == (rg.uint8 if arr.dtype == np.uint8 else rg.bool)
        np.testing.assert_array_equal(
            got.numpy().astype(bool), fn(arr, np_axis(dims), keepdims=keep)
        )
    got = t.count_nonzero(dims)
    assert got.dtype == rg.int64
    np.testing.assert_array_equal(got.numpy(), np.count_nonzero(arr, axis=np_axis(dims)))


@given(data=st.data())
def test_var_std_logsumexp_norm_match_numpy(data):
    arr, layout = data.draw(arrays(dtypes=FLOATS))
    t = to_rg(arr, layout)
    dims = data.draw(dims_for(arr.ndim))
    keep = data.draw(st.booleans())
    x = arr.astype(np.float64)
    n = n_reduced(arr.shape, dims)
    ax = np_axis(dims)
    correction = data.draw(st.sampled_from([0, 1, 2]))
    with np.errstate(invalid="ignore", divide="ignore"):
        ref_var = np.var(x, axis=ax, keepdims=keep, ddof=correction) if n > correction else None
    if ref_var is not None:
        check_close(t.var(dims, correction=correction, keepdim=keep), ref_var, arr.dtype, n * 100)
        check_close(
            t.std(dims, correction=correction, keepdim=keep), np.sqrt(ref_var), arr.dtype, n * 100
        )
    if n > 0:
        m = np.max(x, axis=ax, keepdims=True)
        ref = np.log(np.sum(np.exp(x - m), axis=ax, keepdims=True)) + m
        ref = ref if keep else np.squeeze(ref, axis=ax if ax is not None else None)
        check_close(t.logsumexp(dims, keep), ref, arr.dtype, n)
    p = data.draw(st.sampled_from([1, 2, 3, 0.5, float("inf"), "fro"]))
    if p == float("inf") and n == 0:
        with pytest.raises(RuntimeError, match="linalg.vector_norm cannot compute the inf norm"):
            t.norm(p, dims, keep)
        return
    pv = 2 if p == "fro" else p
    a = np.abs(x)
    ref = (
        np.max(a, axis=ax, keepdims=keep)
        if pv == float("inf")
        else np.sum(a**pv, axis=ax, keepdims=keep) ** (1 / pv)
    )
    check_close(rg.norm(t, p=p, dim=dims, keepdim=keep), ref, arr.dtype, n * 10)


@given(data=st.data())
def test_cumsum_cumprod_match_numpy(data):
    arr, layout = data.draw(arrays())
    t = to_rg(arr, layout)
    dim = data.draw(st.integers(-arr.ndim, arr.ndim - 1))
    is_float = arr.dtype.kind == "f"
    ref_dtype = np.float64 if is_float else np.int64
    got = t.cumsum(dim=dim)
    assert got.dtype == (t.dtype if is_float else rg.int64)
    check_close(got, np.cumsum(arr.astype(ref_dtype), axis=dim), arr.dtype, arr.shape[dim] + 1)
    small = np.clip(arr, -2, 2) if is_float else np.clip(arr, -3, 3)
    check_close(
        to_rg(small, layout).cumprod(dim),
        np.cumprod(small.astype(ref_dtype), axis=dim),
        arr.dtype,
        arr.shape[dim] + 1,
    )


@pytest.mark.parametrize("rows", [9000, 1, 6, 103])
@pytest.mark.parametrize("width", [1, 2, 3, 5, 10, 15, 16])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.bool_])
def test_column_reductions_of_narrow_matrices_match_numpy(rows, width, dtype):
    # rows narrower than a vector are folded several at a time; 9000 rows cross the blocks,
    # the other counts end in a partial vector
    rng = np.random.default_rng(width)
    arr = (rng.standard_normal((rows, width)) * 3).astype(dtype)
    if dtype == np.float32:
        arr[17 % rows, width - 1] = np.nan
    t = rg.tensor(arr)
    cmp = arr.astype(np.int64) if dtype == np.bool_ else arr
    ref = np.float64 if arr.dtype.kind == "f" else np.int64
    check_close(t.sum(0), np.sum(arr.astype(ref), axis=0), arr.dtype, rows)
    if arr.dtype.kind == "f":
        near_one = rng.uniform(0.99, 1.01, (rows, width)).astype(dtype)
        check_close(rg.tensor(near_one).prod(0), np.prod(near_one.astype(ref), 0), dtype, rows)
    np.testing.assert_array_equal(t.amax(0).numpy().astype(cmp.dtype), np.max(cmp, axis=0))
    np.testing.assert_array_equal(t.amin(0).numpy().astype(cmp.dtype), np.min(cmp, axis=0))
    np.testing.assert_array_equal(t.count_nonzero(0).numpy(), np.count_nonzero(arr, axis=0))
    np.testing.assert_array_equal(t.max(0).indices.numpy(), np.argmax(cmp, axis=0))
    if dtype == np.bool_:
        np.testing.assert_array_equal(t.any(0).numpy(), arr.any(0))
        np.testing.assert_array_equal(t.all(0).numpy(), arr.all(0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_row_reductions_of_every_length_match_numpy(dtype):
    # each row's last values are one masked load in the AVX-512 loops: every length up to two
    # blocks' worth of vectors, and lengths around the 1024-value float32 block
    rng = np.random.default_rng(11)
    for width in [*range(1, 140), 255, 256, 257, 511, 512, 513, 1023, 1024, 1025, 2100]:
        arr = (rng.standard_normal((7, width)) * 5).astype(dtype)
        arr[3, -1] = np.nan  # in the last (masked) lanes
        arr[5, 0] = np.inf
        arr[6, width // 2] = -np.inf
        t = rg.tensor(arr)
        exact = np.sum(arr.astype(np.float64), axis=1)
        check_close(t.sum(1), exact, arr.dtype, width)
        check_close(t.mean(1), exact / width, arr.dtype, width)
        np.testing.assert_array_equal(t.amax(1).numpy(), np.max(arr, axis=1))
        np.testing.assert_array_equal(t.amin(1).numpy(), np.min(arr, axis=1))
        np.testing.assert_array_equal(t.max(1).indices.numpy(), np.argmax(arr, axis=1))
        # and the rows as non-contiguous columns of the transpose
        tt = rg.tensor(np.ascontiguousarray(arr.T)).t()
        np.testing.assert_array_equal(tt.amax(1).numpy(), np.max(arr, axis=1))
        check_close(tt.sum(1), exact, arr.dtype, width)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_row_products_and_tied_extremes_of_every_length_match_numpy(dtype):
    # the AVX2 and AVX-512 loops: products in chains of lanes with a masked tail of ones, and
    # positions of the first extreme found in a second pass (ties, NaN, infinities)
    rng = np.random.default_rng(12)
    for width in [*range(1, 140), 255, 256, 257, 1025]:
        near_one = (1 + rng.standard_normal((5, width)) * 1e-2).astype(dtype)
        exact = np.prod(near_one.astype(np.float64), axis=1)
        np.testing.assert_allclose(rg.tensor(near_one).prod(1).numpy(), exact, rtol=1e-5)
        ties = rng.integers(-2, 3, (9, width)).astype(dtype)
        ties[1, rng.integers(width)] = np.nan
        ties[2, -1] = np.nan
        ties[3, rng.integers(width)] = np.inf
        ties[4, rng.integers(width)] = -np.inf
        ties[5, :] = 0.0
        ties[5, width // 2] = -0.0
        t = rg.tensor(ties)
        for largest, np_arg, np_ext in [(True, np.argmax, np.max), (False, np.argmin, np.min)]:
            values, indices = t.max(1) if largest else t.min(1)
            np.testing.assert_array_equal(indices.numpy(), np_arg(ties, axis=1))
            np.testing.assert_array_equal(values.numpy(), np_ext(ties, axis=1))
            # the value is the element at the index (0.0 and -0.0 tie: its sign too)
            at_index = np.take_along_axis(ties, indices.numpy()[:, None], 1)[:, 0]
            np.testing.assert_array_equal(np.signbit(values.numpy()), np.signbit(at_index))
            np.testing.assert_array_equal(
                (t.argmax(1) if largest else t.argmin(1)).numpy(), np_arg(ties, axis=1)
            )


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64])
@pytest.mark.parametrize("shape", [(19, 37), (8, 5), (3, 1000), (1000, 3)])
def test_cumsum_and_cumprod_of_many_lines_match_numpy(dtype, shape):
    # last-dimension scans advance several lines at once; full and partial groups of lines
    rng = np.random.default_rng(3)
    arr = (rng.standard_normal(shape) * 4).astype(dtype)
    ref = np.float64 if arr.dtype.kind == "f" else np.int64
    for dim in (1, 0):
        check_close(
            rg.tensor(arr).cumsum(dim), np.cumsum(arr.astype(ref), axis=dim), arr.dtype, 1001
        )
    small = np.clip(arr, -1.1, 1.1).astype(dtype)
    check_close(rg.tensor(small).cumprod(1), np.cumprod(small.astype(ref), axis=1), arr.dtype, 1001)


@given(data=st.data())
def test_softmax_and_log_softmax_match_numpy(data):
    arr, layout = data.draw(arrays(dtypes=FLOATS))
    t = to_rg(arr, layout)
    dim = data.draw(st.integers(-arr.ndim, arr.ndim - 1))
    x = arr.astype(np.float64)
    z = x - np.max(x, axis=dim, keepdims=True) if arr.size else x
    e = np.exp(z)
    ref = e / np.sum(e, axis=dim, keepdims=True)
    check_close(rg.softmax(t, dim), ref, arr.dtype, 20)
    check_close(t.log_softmax(dim), z - np.log(np.sum(e, axis=dim, keepdims=True)), arr.dtype, 200)


def test_zero_dim_reductions():
    s = rg.tensor(3.0)
    assert repr(s.sum()) == "tensor(3.)"
    assert repr(s.sum(0)) == "tensor(3.)"
    assert repr(s.max()) == "tensor(3.)"
    assert repr(s.argmax()) == "tensor(0)"
    assert repr(s.cumsum(0)) == "tensor(3.)"
    assert repr(s.softmax(-1)) == "tensor(1.)"
    with pytest.raises(IndexError, match="Dimension out of range"):
        s.sum(1)


@st.composite
def long_rows(draw):
    """(rows, n) arrays whose rows cross the vector loops' block sizes, with many ties and, for
    floats, NaN, infinities of both signs and signed zeros."""
    dtype = draw(st.sampled_from(DTYPES))
    shape = (draw(st.integers(1, 40)), draw(st.integers(1, 300)))
    if np.dtype(dtype).kind == "f":
        elems = st.sampled_from([0.0, -0.0, 1.5, -2.0, 7.0, np.inf, -np.inf, np.nan])
        # mostly ordinary values, so that a NaN is not always in the first block
        elems = st.one_of(st.integers(-9, 9).map(float), elems)
    elif dtype == np.bool_:
        elems = st.booleans()
    else:
        info = np.iinfo(dtype)
        elems = st.one_of(st.integers(0, 9), st.sampled_from([int(info.min), int(info.max)]))
    return draw(hnp.arrays(dtype, shape, elements=elems))


@given(arr=long_rows())
def test_extremes_of_long_rows_with_special_values_match_numpy(arr):
    t = rg.tensor(arr)
    cmp = arr.astype(np.int64) if arr.dtype == np.bool_ else arr
    for method, fn, argfn in [("max", np.max, np.argmax), ("min", np.min, np.argmin)]:
        for dim in (1, 0):  # rows, and columns (the vertical two-pass path)
            values, indices = getattr(t, method)(dim)
            np.testing.assert_array_equal(values.numpy().astype(cmp.dtype), fn(cmp, axis=dim))
            np.testing.assert_array_equal(indices.numpy(), argfn(cmp, axis=dim))
            np.testing.assert_array_equal(
                getattr(t, "a" + method)(dim).numpy().astype(cmp.dtype), fn(cmp, axis=dim)
            )
        assert getattr(t, "arg" + method)().item() == int(argfn(cmp))
        whole = getattr(t, method)().item()
        assert (math.isnan(whole) and np.isnan(fn(cmp))) or whole == fn(cmp)


def test_float32_products_accumulate_in_float64():
    # partial products beyond float32's range come back into it; a 0 among many 2s stays 0
    # (float32 lanes, as torch 2.x multiplies, meet it with an overflowed lane as 0 * inf = nan)
    big = rg.tensor([2.0**100, 2.0**100, 2.0**-100], dtype=rg.float32)
    assert big.prod().item() == 2.0**100
    zero = np.full(625, 2.0, np.float32)
    zero[311] = 0.0
    assert rg.tensor(zero).prod().item() == 0.0
    assert rg.tensor(zero.reshape(25, 25)).T.prod().item() == 0.0
    assert rg.tensor(np.full(200, 2.0, np.float32)).prod().item() == math.inf
    assert rg.tensor(zero).prod().dtype == rg.float32


def test_nan_propagates_through_max_and_argmax():
    t = rg.tensor([1.0, float("nan"), 3.0])
    assert math.isnan(t.max().item())
    assert t.argmax().item() == 1
    assert t.argmin().item() == 1
    assert math.isnan(t.sum().item())


# Spec section 2.3 (E44-E62) and 2.6 (E91): exact printed output.


def matrix_a():
    """A = rg.arange(20, dtype=rg.float32).reshape(5, 4) (reshape comes from the views work)."""
    a = rg.arange(20, dtype=rg.float32)
    if hasattr(a, "reshape"):
        return a.reshape(5, 4)
    return rg.tensor(np.arange(20, dtype=np.float32).reshape(5, 4))


def test_e44_sum_along_axes():
    A = matrix_a()
    assert repr((A.sum(axis=0), A.sum(axis=1))) == (
        "(tensor([40., 45., 50., 55.]), tensor([ 6., 22., 38., 54., 70.]))"
    )


def test_e45_e46_means():
    A = matrix_a()
    assert repr((A.mean(), A.sum() / A.numel())) == "(tensor(9.5000), tensor(9.5000))"
    assert repr((A.mean(axis=0), A.sum(axis=0) / A.shape[0])) == (
        "(tensor([ 8.,  9., 10., 11.]), tensor([ 8.,  9., 10., 11.]))"
    )


def test_e47_e48_e49_keepdims_and_broadcast_division():
    A = matrix_a()
    sum_A = A.sum(axis=1, keepdims=True)
    assert repr(sum_A) == (
        "tensor([[ 6.],\n        [22.],\n        [38.],\n        [54.],\n        [70.]])"
    )
    assert repr(A.sum(axis=1, keepdims=False)) == "tensor([ 6., 22., 38., 54., 70.])"
    assert repr(A / sum_A) == (
        "tensor([[0.0000, 0.1667, 0.3333, 0.5000],\n"
        "        [0.1818, 0.2273, 0.2727, 0.3182],\n"
        "        [0.2105, 0.2368, 0.2632, 0.2895],\n"
        "        [0.2222, 0.2407, 0.2593, 0.2778],\n"
        "        [0.2286, 0.2429, 0.2571, 0.2714]])"
    )


def test_e50_e51_cumsum():
    A = matrix_a()
    assert repr(A.cumsum(axis=0)) == (
        "tensor([[ 0.,  1.,  2.,  3.],\n"
        "        [ 4.,  6.,  8., 10.],\n"
        "        [12., 15., 18., 21.],\n"
        "        [24., 28., 32., 36.],\n"
        "        [40., 45., 50., 55.]])"
    )
    assert repr(A.cumsum(dim=1)) == (
        "tensor([[ 0.,  1.,  3.,  6.],\n"
        "        [ 4.,  9., 15., 22.],\n"
        "        [ 8., 17., 27., 38.],\n"
        "        [12., 25., 39., 54.],\n"
        "        [16., 33., 51., 70.]])"
    )


def test_e53_e58_e59_e60_e61_sums_and_norms():
    x = rg.arange(4, dtype=rg.float32)
    y = rg.ones(4, dtype=rg.float32)
    assert repr(rg.sum(x * y)) == "tensor(6.)"
    u = rg.tensor([3.0, -4.0])
    assert repr(rg.norm(u)) == "tensor(5.)"
    assert repr(rg.abs(u).sum()) == "tensor(7.)"
    u = rg.tensor([3, 0, -4.0])
    assert repr((rg.norm(u, p=2), rg.abs(u).sum(), rg.norm(u, p=1))) == (
        "(tensor(5.), tensor(7.), tensor(7.))"
    )
    assert repr(rg.norm(rg.ones((4, 9)))) == "tensor(6.)"
    assert repr(rg.ones((4, 9)).norm()) == "tensor(6.)"


def test_e62_every_spelling_of_dims():
    A = matrix_a()
    assert repr((A.sum(axis=[0, 1]), A.sum(dim=0, keepdim=True), A.sum(0, keepdims=True))) == (
        "(tensor(190.), tensor([[40., 45., 50., 55.]]), tensor([[40., 45., 50., 55.]]))"
    )


def test_e91_running_estimates_shapes_and_rows():
    fair = rg.ones([6]) / 6
    assert repr(fair) == "tensor([0.1667, 0.1667, 0.1667, 0.1667, 0.1667, 0.1667])"
    rng = np.random.default_rng(0)
    counts = rg.tensor(rng.multinomial(10, [1 / 6] * 6, size=500).astype(np.float32))
    cum_counts = counts.cumsum(dim=0)
    estimates = cum_counts / cum_counts.sum(dim=1, keepdims=True)
    assert (counts.shape, estimates.shape) == (rg.Size([500, 6]), rg.Size([500, 6]))
    np.testing.assert_allclose(estimates.sum(dim=1).numpy(), np.ones(500), rtol=1e-6)
    np.testing.assert_allclose(estimates.numpy()[-1], np.full(6, 1 / 6), atol=0.03)


# dtype rules and error messages


def test_sum_dtype_rules():
    assert rg.tensor([True, True, False]).sum().dtype == rg.int64
    assert repr(rg.tensor([True, True, False]).sum()) == "tensor(2)"
    assert rg.tensor([1, 2], dtype=rg.int32).cumsum(0).dtype == rg.int64
    assert repr(rg.arange(4).sum(dtype=rg.float64)) == "tensor(6., dtype=rustgrad.float64)"
    assert repr(rg.arange(4).mean(dtype=rg.float32)) == "tensor(1.5000)"
    assert rg.arange(4).argmax().dtype == rg.int64


@pytest.mark.parametrize(
    ("dtype", "name"),
    [(rg.int64, "Long"), (rg.int32, "Int"), (rg.bool, "Bool"), (rg.uint8, "Byte")],
)
def test_mean_of_integers_is_an_error(dtype, name):
    with pytest.raises(RuntimeError) as e:
        rg.zeros(3, dtype=dtype).mean()
    assert str(e.value) == (
        "mean(): could not infer output dtype. Input dtype must be either a floating point or "
        f"complex dtype. Got: {name}"
    )


def test_empty_extremes_raise_like_torch():
    with pytest.raises(RuntimeError) as e:
        rg.tensor([]).max()
    assert str(e.value) == (
        "max(): Expected reduction dim to be specified for input.numel() == 0. "
        "Specify the reduction dim with the 'dim' argument."
    )
    with pytest.raises(
        IndexError, match="^max\\(\\): Expected reduction dim 0 to have non-zero size.$"
    ):
        rg.zeros(0, 3).max(dim=0)
    assert rg.zeros(0, 3).max(dim=1).values.shape == rg.Size([0])
    with pytest.raises(RuntimeError, match="^argmax\\(\\): Expected reduction dim to be specified"):
        rg.tensor([]).argmax()
    assert repr(rg.zeros(0, 3).sum(0)) == "tensor([0., 0., 0.])"


def test_other_errors():
    x = rg.ones(2, 3)
    with pytest.raises(
        IndexError,
        match="Dimension out of range \\(expected to be in range of \\[-2, 1\\], but got 2\\)",
    ):
        x.sum(2)
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times in the list of dims"):
        x.sum((0, -2))
    with pytest.raises(RuntimeError, match="std and var only support floating point"):
        rg.arange(3).var()
    with pytest.raises(
        RuntimeError,
        match="linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long",
    ):
        rg.arange(3).norm()
    with pytest.raises(
        RuntimeError, match="\"softmax_lastdim_kernel_impl\" not implemented for 'Long'"
    ):
        rg.arange(3).softmax(0)
    with pytest.raises(TypeError, match="cumsum\\(\\) missing 1 required positional arguments"):
        x.cumsum()


def test_max_forms_and_return_type():
    x = rg.tensor([[1, 5], [7, 2]])
    r = x.max(dim=1)
    assert repr(r) == (
        "rustgrad.return_types.max(\nvalues=tensor([5, 7]),\nindices=tensor([1, 0]))"
    )
    values, indices = r
    assert values is r.values and indices is r.indices
    assert isinstance(r, tuple) and len(r) == 2
    assert repr(rg.min(x, 0, keepdim=True).indices) == "tensor([[0, 1]])"
    assert repr(rg.max(x)) == "tensor(7)"
    assert repr(rg.max(x, rg.tensor([3, 3]))) == "tensor([[3, 5],\n        [7, 3]])"
    assert repr(rg.max(rg.tensor([1.0, 2.0]), rg.tensor(1.5))) == "tensor([1.5000, 2.0000])"


def test_var_spellings():
    x = rg.tensor([1.0, 2.0, 3.0, 4.0])
    assert repr(x.var()) == "tensor(1.6667)"
    assert repr(x.var(unbiased=False)) == "tensor(1.2500)"
    assert repr(x.var(False)) == "tensor(1.2500)"
    assert repr(x.var(0, correction=0)) == "tensor(1.2500)"
    assert repr(x.std(dim=0, keepdim=True)) == "tensor([1.2910])"
    assert repr(rg.tensor([1.0]).var()) == "tensor(nan)"


def test_logsumexp_and_softmax_are_stable():
    big = rg.tensor([[1000.0, 1000.0], [-1000.0, -1000.0]])
    assert repr(big.logsumexp(1)) == "tensor([1000.6932, -999.3068])"
    assert repr(rg.softmax(big, dim=1)) == "tensor([[0.5000, 0.5000],\n        [0.5000, 0.5000]])"
    inf = rg.tensor([float("-inf"), float("-inf")])
    assert repr(inf.logsumexp(0)) == "tensor(-inf)"


@pytest.mark.parametrize("dtype", [rg.float32, rg.float64])
@pytest.mark.parametrize("width", [2, 3, 4, 5, 16, 17, 40])
def test_logsumexp_of_lines_with_infinities_follows_torch(dtype, width):
    # torch takes an infinite maximum as zero: -inf lines give -inf, inf gives inf, NaN NaN
    inf, nan = float("inf"), float("nan")
    rows = [[-inf] * width, [inf] + [1.0] * (width - 1), [inf, -inf] + [0.0] * (width - 2)]
    rows += [[nan] + [-inf] * (width - 1), [nan, inf] + [0.0] * (width - 2)]
    rows += [[-inf] * (width - 1) + [2.0], [0.0] * width]
    want = [-inf, inf, inf, nan, nan, 2.0, math.log(width)]
    # three times over: 21 lines, of which short ones go 16 or 4 at a time, the rest singly
    got = rg.tensor(rows * 3, dtype=dtype).logsumexp(1).tolist()
    np.testing.assert_allclose(got, want * 3, rtol=1e-6)
    x = rg.tensor(rows, dtype=dtype)
    assert math.isnan(x.logsumexp((0, 1)).item())
    np.testing.assert_allclose(x[5:].logsumexp((0, 1)).item(), np.logaddexp(2.0, math.log(width)))


# accuracy of long float32 sums


@pytest.mark.parametrize("kind", ["uniform", "normal", "tenth", "ramp", "mixed"])
def test_float32_sum_of_ten_million_is_at_least_as_accurate_as_numpy(kind):
    rng = np.random.default_rng(42)
    n = 10_000_000
    x = {
        "uniform": lambda: rng.random(n, dtype=np.float32),
        "normal": lambda: rng.standard_normal(n, dtype=np.float32) + 1,
        "tenth": lambda: np.full(n, 0.1, np.float32),
        "ramp": lambda: np.arange(n, dtype=np.float32) / n,
        "mixed": lambda: (rng.random(n) * 10.0 ** rng.integers(-3, 4, n)).astype(np.float32),
    }[kind]()
    exact = (
        math.fsum(x.astype(np.float64).tolist())
        if kind == "mixed"
        else float(np.sum(x.astype(np.float64)))
    )
    ours = rg.from_numpy(x).sum().item()
    theirs = float(np.sum(x))
    assert abs(ours - exact) <= abs(theirs - exact)
    # and within a few units in the last place of the result
    assert abs(ours - exact) <= 4 * np.spacing(np.float32(exact))


def test_float32_column_sums_are_at_least_as_accurate_as_numpy():
    # vertical reduction (sum over rows, blocked): 2**22 rows per column
    rng = np.random.default_rng(7)
    for x in (np.full((1 << 22, 2), 0.1, np.float32), rng.random((1 << 22, 3), dtype=np.float32)):
        exact = np.sum(x.astype(np.float64), axis=0)
        ours = rg.from_numpy(x).sum(0).numpy().astype(np.float64)
        theirs = np.sum(x, axis=0).astype(np.float64)
        assert np.all(
            np.abs(ours - exact) <= np.abs(theirs - exact) + np.spacing(exact.astype(np.float32))
        )


def test_module_docstring_examples_run():
    import rustgrad._reductions as mod
    import rustgrad.return_types as rt

    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    objects = [getattr(mod, name) for name in mod.__all__] + [rt, rt.max, rt.min]
    for obj in objects:
        for test in finder.find(obj, obj.__name__, module=False, globs={"rustgrad": rg}):
            runner.run(test)
    assert runner.failures == 0 and runner.tries >= len(objects)


def test_softmax_nan_and_infinite_lines_follow_torch():
    """A NaN makes its whole line NaN; -inf entries get probability 0; wide lines (more than
    the kernel's 16 lanes) and columns take the vectorised paths."""
    x = rg.tensor([[1.0, float("nan"), 2.0], [0.0, float("-inf"), 0.0]])
    s = rg.softmax(x, 1).tolist()
    assert all(v != v for v in s[0])
    assert s[1] == [0.5, 0.0, 0.5]
    assert rg.log_softmax(x, 1).tolist()[1][1] == float("-inf")
    arr = np.random.default_rng(0).standard_normal((37, 1000)).astype(np.float32)
    ref = np.exp(arr - arr.max(1, keepdims=True))
    ref /= ref.sum(1, keepdims=True)
    np.testing.assert_allclose(rg.softmax(rg.tensor(arr), 1).numpy(), ref, rtol=2e-6, atol=0)
    np.testing.assert_allclose(rg.softmax(rg.tensor(arr.T.copy()), 0).numpy(), ref.T, rtol=2e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_and_cross_entropy_of_every_width_match_numpy(dtype):
    """Lines of up to 32 elements are taken four at a time (padded to one or two vectors each),
    33-63 ending in a partial vector two at a time, longer ones eight at a time, the partial
    ones ending with their last vector (overlapping the one before): every width to 70 and
    some beyond, and a number of lines that leaves a partial group, with -inf, NaN and large
    values."""
    rng = np.random.default_rng(5)
    for n in [*range(1, 71), 95, 96, 97, 127, 128, 129, 1001]:
        for lines in (1, 3, 4, 9):
            x = (rng.standard_normal((lines, n)) * 4).astype(dtype)
            if lines > 3 and n > 1:
                x[0, 0] = -np.inf
                x[1, n - 1] = np.nan
                x[2, :] = 1e4
                x[3, :] = -np.inf
            with np.errstate(invalid="ignore"):
                m = x.max(1, keepdims=True).astype(np.float64)
                e = np.exp(x - m)
                ref = e / e.sum(1, keepdims=True)
                logref = x - m - np.log(e.sum(1, keepdims=True))
            tol = 8 * np.finfo(dtype).eps
            t = rg.tensor(x)
            np.testing.assert_allclose(t.softmax(1).numpy(), ref, rtol=tol, atol=tol)
            np.testing.assert_allclose(t.log_softmax(1).numpy(), logref, rtol=tol, atol=tol)
            y = rng.integers(0, n, lines)
            losses = rg.nn.functional.cross_entropy(t, rg.tensor(y), reduction="none").numpy()
            np.testing.assert_allclose(
                losses, -logref[np.arange(lines), y], rtol=tol, atol=tol * 10
            )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_column_extremes_of_every_width_match_numpy(dtype):
    """Rows up to 4 KiB apart are folded down by tiles of columns (the last tile masked): widths
    around the tiles' vectors, NaN and infinities in the masked lanes, a transposed view."""
    rng = np.random.default_rng(13)
    for width in [*range(17, 70), 95, 96, 97, 127, 128, 129, 500, 1024]:
        arr = (rng.standard_normal((45, width)) * 5).astype(dtype)
        arr[7, width - 1] = np.nan
        arr[9, width - 2] = np.inf
        arr[11, 0] = -np.inf
        t = rg.tensor(arr)
        for got, want in [
            (t.amax(0), np.max(arr, axis=0)),
            (t.amin(0), np.min(arr, axis=0)),
            (t.max(0).values, np.max(arr, axis=0)),
            (t[5:30].amax(0), np.max(arr[5:30], axis=0)),
            (rg.tensor(np.ascontiguousarray(arr.T)).t().amin(0), np.min(arr, axis=0)),
        ]:
            np.testing.assert_array_equal(got.numpy(), want)
        np.testing.assert_array_equal(t.max(0).indices.numpy(), np.argmax(arr, axis=0))
        np.testing.assert_array_equal(t.argmin(0).numpy(), np.argmin(arr, axis=0))


@pytest.mark.parametrize("shape", [(50, 4000), (130, 1100), (1100, 2000)])
def test_parallel_column_reductions_match_one_thread_and_numpy(shape):
    """Above the parallel threshold, reductions down the columns split the rows between the
    threads (one part each for these sizes, four each for the largest) and merge the parts'
    rows in order: NaN in a late part wins, ties go to the first row across parts, integer
    sums stay exact."""
    rng = np.random.default_rng(5)
    x = rng.integers(-3, 4, shape).astype(np.float32)  # many ties
    x[-1, 3] = np.nan
    x[shape[0] // 2, 5] = np.inf
    threads = rg.get_num_threads()
    try:
        results = {}
        for n in (1, 2):
            rg.set_num_threads(n)
            for dtype in (np.float32, np.float64, np.int64):
                arr = x if dtype != np.int64 else np.nan_to_num(x, posinf=9).astype(np.int64)
                arr = arr.astype(dtype)
                t = rg.tensor(arr)
                got = {
                    "sum": t.sum(0).numpy(),
                    "amax": t.amax(0).numpy(),
                    "max_indices": t.max(0).indices.numpy(),
                    "argmin": t.argmin(0).numpy(),
                }
                np.testing.assert_array_equal(got["sum"], arr.sum(0, dtype=arr.dtype))
                np.testing.assert_array_equal(got["amax"], np.max(arr, axis=0))
                np.testing.assert_array_equal(got["max_indices"], np.argmax(arr, axis=0))
                np.testing.assert_array_equal(got["argmin"], np.argmin(arr, axis=0))
                results[n, dtype] = got
        for dtype in (np.float32, np.float64, np.int64):
            for key, value in results[1, dtype].items():
                np.testing.assert_array_equal(results[2, dtype][key], value, err_msg=key)
    finally:
        rg.set_num_threads(threads)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.uint8])
def test_column_positions_of_every_width_match_numpy(dtype):
    """`max(0)` / `argmax(0)` / `argmin(0)` find each column's first row holding its extreme:
    contiguous rows narrower than a vector several to a vector, wider ones by tiles of 16 or 64
    columns (the last overlapping), sliced rows one by one; many ties, NaN in some columns."""
    rng = np.random.default_rng(21)
    for width in [*range(1, 70), 100, 127, 128, 129, 200]:
        for rows in (1, 7, 300):
            arr = rng.integers(0, 6, (rows, width + 2)).astype(dtype)
            if np.dtype(dtype).kind == "f" and rows > 1:
                arr[rows // 2, width // 2] = np.nan
                arr[rows - 1, width - 1] = np.nan
            views = [
                (np.ascontiguousarray(arr[:, :width]), rg.tensor(arr[:, :width].copy())),
                (arr[:, 1 : width + 1], rg.tensor(arr)[:, 1 : width + 1]),
            ]
            for a, t in views:
                want_max = np.argmax(a, axis=0)
                np.testing.assert_array_equal(t.max(0).indices.numpy(), want_max)
                np.testing.assert_array_equal(t.argmax(0).numpy(), want_max)
                np.testing.assert_array_equal(t.argmin(0).numpy(), np.argmin(a, axis=0))
                np.testing.assert_array_equal(t.max(0).values.numpy(), np.max(a, axis=0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_column_sums_of_every_width_match_numpy(dtype):
    """Rows up to 4 KiB apart are summed down by tiles of columns (the last tile masked), in
    blocks of rows: widths around the tiles' vectors, rows across a block, NaN and infinities,
    sliced and transposed views, `mean(0)` too."""
    rng = np.random.default_rng(17)
    for width in [*range(1, 70), 95, 96, 97, 127, 128, 129, 500, 1024]:
        for rows in (1, 45, 300):
            arr = rng.standard_normal((rows, width)).astype(dtype)
            if rows > 1:
                arr[rows // 2, width - 1] = np.nan
                arr[rows - 1, 0] = np.inf
            ref = arr.astype(np.float64)
            tol = dict(rtol=4 * rows * np.finfo(dtype).eps, atol=rows * np.finfo(dtype).eps)
            t = rg.tensor(arr)
            for got, want in [
                (t.sum(0), ref.sum(0)),
                (t.mean(0), ref.mean(0)),
                (t[1:].sum(0), ref[1:].sum(0)),
                (rg.tensor(np.ascontiguousarray(arr.T)).t().sum(0), ref.sum(0)),
            ]:
                np.testing.assert_allclose(got.numpy(), want, **tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_column_reductions_of_wide_rows_match_numpy(dtype):
    """Rows more than 4 KiB apart are folded row by row, four at a time within a block of 128:
    row counts around the groups and the blocks, ties and NaN for the positions, products."""
    rng = np.random.default_rng(23)
    for rows in (1, 3, 4, 5, 127, 128, 131, 260):
        arr = rng.integers(-3, 4, (rows, 1030)).astype(dtype)
        arr[rows // 2, 7] = np.nan
        ref = arr.astype(np.float64)
        small = (1 + rng.random((rows, 1030)) / 100).astype(dtype)
        for t, a, s in [
            (rg.tensor(arr), arr, small),
            (rg.tensor(arr)[:, 3:], arr[:, 3:], small[:, 3:]),
        ]:
            tol = dict(rtol=4 * rows * np.finfo(dtype).eps, atol=rows * np.finfo(dtype).eps)
            np.testing.assert_allclose(t.sum(0).numpy(), ref[:, -a.shape[1] :].sum(0), **tol)
            np.testing.assert_array_equal(t.amax(0).numpy(), np.max(a, axis=0))
            np.testing.assert_array_equal(t.argmax(0).numpy(), np.argmax(a, axis=0))
            np.testing.assert_array_equal(t.argmin(0).numpy(), np.argmin(a, axis=0))
            ts = rg.tensor(np.ascontiguousarray(s))
            np.testing.assert_allclose(
                ts.prod(0).numpy(),
                np.prod(s.astype(np.float64), axis=0),
                rtol=4 * rows * np.finfo(dtype).eps,
            )


@pytest.mark.parametrize(
    ("shape", "dims"),
    [
        ((64, 100, 50), (0, 2)),  # short inner runs: folded in two stages
        ((3, 1000, 10), (0, 2)),  # several tiles of runs
        ((5, 7, 300), (0, 2)),  # long inner runs, all in one tile: two stages
        ((4, 50, 200), (0, 2)),  # long inner runs: folded in memory order
        ((16, 40, 300), (0, 2)),  # the same, one share of outputs per thread
        ((2, 3, 4, 5), (0, 3)),
        ((2, 3, 4, 5), (0, 2, 3)),
        ((6, 3, 70, 2), (1, 3)),
        ((64, 600, 20), (0, 2)),  # parallel over the outputs
        ((512, 2, 300), (0, 2)),  # parallel over the reduced runs
    ],
)
def test_reductions_over_dims_around_kept_ones_match_numpy(shape, dims):
    rng = np.random.default_rng(len(shape) + shape[-1])
    x = rng.integers(-3, 4, shape)
    threads = rg.get_num_threads()
    try:
        for n in (1, 2):
            rg.set_num_threads(n)
            for dtype in (np.float32, np.float64, np.int64):
                arr = x.astype(dtype)
                t = rg.tensor(arr)
                # small integers: every sum is exact, in any order
                np.testing.assert_array_equal(t.sum(dims).numpy(), arr.sum(dims, dtype=arr.dtype))
                np.testing.assert_array_equal(t.amax(dims).numpy(), arr.max(dims))
                np.testing.assert_array_equal(t.amin(dims).numpy(), arr.min(dims))
                np.testing.assert_array_equal(
                    t.count_nonzero(dims).numpy(), np.count_nonzero(arr, axis=dims)
                )
                np.testing.assert_array_equal((t > 0).any(dims).numpy(), (arr > 0).any(dims))
                if dtype != np.int64:
                    check_close(t.mean(dims), arr.astype(np.float64).mean(dims), dtype, arr.size)
                    norm = np.sqrt((arr.astype(np.float64) ** 2).sum(dims))
                    check_close(t.norm(dim=dims), norm, dtype, arr.size)
                # a sliced input: the runs are shorter than the rows
                sliced = arr[..., 1:]
                np.testing.assert_array_equal(
                    t[..., 1:].sum(dims).numpy(), sliced.sum(dims, dtype=arr.dtype)
                )
    finally:
        rg.set_num_threads(threads)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_reductions_of_strided_and_transposed_inputs_match_numpy(dtype):
    # strided rows (eight at a time, then the rest one by one), strided runs across rows (sums
    # in chains of steps, extremes copied together: more than one batch of 256), and reduced
    # dims taken in memory order
    rng = np.random.default_rng(3)
    base = rng.integers(-5, 6, (1003, 300)).astype(dtype)
    views = {
        "every other column": lambda a: a[:, ::2],
        "one column": lambda a: a[:, 7],
        "every third, some rows": lambda a: a[:11, ::3],
        "transposed": lambda a: a.T,
    }
    t = rg.tensor(base)
    for name, view in views.items():
        ref, v = view(base), view(t)
        for dims in [None, 0, -1, (0, -1)] if ref.ndim == 2 else [None, 0]:
            got = v.sum() if dims is None else v.sum(dims)
            want = ref.sum(dims, dtype=ref.dtype)
            np.testing.assert_array_equal(got.numpy(), want, err_msg=f"{name} sum {dims}")
            got = v.amax() if dims is None else v.amax(dims)
            np.testing.assert_array_equal(got.numpy(), ref.max(dims), err_msg=f"{name} {dims}")
        if ref.ndim == 2:
            np.testing.assert_array_equal(v.argmax(1).numpy(), ref.argmax(1), err_msg=name)
            np.testing.assert_array_equal(v.argmin(0).numpy(), ref.argmin(0), err_msg=name)
        np.testing.assert_array_equal(v.argmax().numpy(), ref.argmax(), err_msg=name)


def test_column_reductions_of_strided_views_on_two_threads_match_numpy():
    # outputs two or three elements apart: every column of their span folded, theirs kept;
    # large enough to go parallel (one stripe of columns per thread)
    rng = np.random.default_rng(8)
    base = rng.integers(-50, 50, (600, 900)).astype(np.float32)
    t = rg.tensor(base)
    threads = rg.get_num_threads()
    try:
        for n in (1, 2):
            rg.set_num_threads(n)
            for step in (2, 3, 5):
                view, ref = t[:, 1::step], base[:, 1::step]
                np.testing.assert_array_equal(view.sum(0).numpy(), ref.sum(0))
                np.testing.assert_array_equal(view.amax(0).numpy(), ref.max(0))
                np.testing.assert_array_equal(view.argmax(0).numpy(), ref.argmax(0))
    finally:
        rg.set_num_threads(threads)


@pytest.mark.parametrize("step", [2, 3, 4])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_reductions_of_runs_a_few_elements_apart_match_numpy(step, dtype):
    # values 2-4 elements apart are folded a vector of 16 at a time, the last vector ending at
    # a run's last value; runs of 16 or fewer one value at a time. Run lengths around the
    # vector's, rows that do not coalesce into one run (width + 1), one run long enough to be
    # merged in blocks, and on two threads runs split between the threads.
    rng = np.random.default_rng(11)
    threads = rg.get_num_threads()
    try:
        for n in (1, 2):
            rg.set_num_threads(n)
            for run in (5, 16, 17, 31, 32, 33, 50, 70_000):
                rows = 3 if run > 1000 else 2_000
                for extra in (0, 1):
                    width = run * step + extra
                    base = rng.integers(-4, 5, (rows, width)).astype(dtype)
                    ref, view = base[:, ::step][:, :run], rg.tensor(base)[:, ::step][:, :run]
                    what = f"step {step}, run {run}, width {width}, {n} threads"
                    for dims in [None, 1]:
                        np.testing.assert_array_equal(
                            view.sum(dims).numpy(), ref.sum(dims, dtype=dtype), err_msg=what
                        )
                        np.testing.assert_array_equal(
                            view.count_nonzero(dims).numpy(),
                            np.count_nonzero(ref, axis=dims),
                            err_msg=what,
                        )
                        np.testing.assert_array_equal(
                            (view > 0).any(dims).numpy(), (ref > 0).any(dims), err_msg=what
                        )
                        np.testing.assert_array_equal(
                            (view > -4).all(dims).numpy(), (ref > -4).all(dims), err_msg=what
                        )
                    signs = np.where(base > 0, 1, -1).astype(dtype)
                    signs[:, ::7] *= 2
                    if run > 1000:
                        signs = np.where(base > 0, 1, -1).astype(dtype)
                    t_signs = rg.tensor(signs)[:, ::step][:, :run]
                    np.testing.assert_array_equal(
                        t_signs.prod(1).numpy(), signs[:, ::step][:, :run].prod(1), err_msg=what
                    )
                    if dtype != np.int64:
                        norm = np.sqrt((ref.astype(np.float64) ** 2).sum(1))
                        np.testing.assert_allclose(
                            view.norm(dim=1).numpy(), norm, rtol=1e-6, err_msg=what
                        )
    finally:
        rg.set_num_threads(threads)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_column_positions_of_strided_views_match_numpy(dtype):
    # columns 2-4 elements apart: the extremes and first positions of every column of their
    # span, theirs kept; ties (small integers) go to the first row, a NaN wins, and a NaN in a
    # column between them changes nothing
    rng = np.random.default_rng(12)
    base = rng.integers(-3, 4, (300, 61)).astype(dtype)
    if dtype != np.int64:
        base[7, 0] = np.nan
        base[5, 1] = np.nan
    t = rg.tensor(base)
    for step in (2, 3, 4):
        ref, v = base[:, ::step], t[:, ::step]
        values, index = v.max(0)
        np.testing.assert_array_equal(values.numpy(), ref.max(0))
        np.testing.assert_array_equal(index.numpy(), ref.argmax(0))
        np.testing.assert_array_equal(v.argmin(0).numpy(), ref.argmin(0))
        np.testing.assert_array_equal(v.argmax(0, keepdim=True).numpy(), ref.argmax(0)[None])
