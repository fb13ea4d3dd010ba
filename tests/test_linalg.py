"""Products and matrix helpers: NumPy cross-checks (hypothesis), spec examples (2.3) with exact
output, torch's error messages."""

import doctest

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rustgrad as rg

DTYPES = [np.float32, np.float64, np.int32, np.int64]


def values(draw, dtype, shape):
    if np.dtype(dtype).kind == "f":
        elems = st.floats(-10, 10, width=np.dtype(dtype).itemsize * 8)
    else:
        elems = st.integers(-20, 20)
    return draw(hnp.arrays(dtype, shape, elements=elems))


def as_rg(arr, transposed):
    """`arr` as a rustgrad tensor, through a transposed (non-contiguous) view if asked."""
    if transposed and arr.ndim >= 2:
        swapped = np.ascontiguousarray(np.swapaxes(arr, -1, -2))
        t = rg.tensor(swapped)
        order = list(range(arr.ndim - 2)) + [arr.ndim - 1, arr.ndim - 2]
        return t.permute(*order)
    return rg.tensor(arr)


def check(got, ref, dtype, k):
    got = got.numpy()
    assert got.shape == np.shape(ref)
    if np.dtype(dtype).kind == "f":
        tol = 8 * np.finfo(dtype).eps * (k + 2)
        np.testing.assert_allclose(got, ref, rtol=tol, atol=tol * 100)
    else:
        np.testing.assert_array_equal(got, ref)


sizes = st.integers(0, 6)


@given(data=st.data(), m=sizes, k=sizes, n=sizes)
def test_mm_matches_numpy(data, m, k, n):
    dtype = data.draw(st.sampled_from(DTYPES))
    a, b = values(data.draw, dtype, (m, k)), values(data.draw, dtype, (k, n))
    ta, tb = as_rg(a, data.draw(st.booleans())), as_rg(b, data.draw(st.booleans()))
    ref = a.astype(np.float64) @ b.astype(np.float64)
    for got in (rg.mm(ta, tb), ta @ tb, rg.matmul(ta, tb), ta.mm(tb)):
        assert got.dtype == ta.dtype
        check(got, ref, dtype, k)


@given(data=st.data(), m=sizes, k=sizes)
def test_dot_mv_outer_inner_match_numpy(data, m, k):
    dtype = data.draw(st.sampled_from(DTYPES))
    a, x, y = (
        values(data.draw, dtype, (m, k)),
        values(data.draw, dtype, (k,)),
        values(data.draw, dtype, (k,)),
    )
    ta = as_rg(a, data.draw(st.booleans()))
    tx, ty = rg.tensor(x), rg.tensor(y)
    f = np.float64
    check(rg.dot(tx, ty), np.dot(x.astype(f), y.astype(f)), dtype, k)
    check(tx @ ty, np.dot(x.astype(f), y.astype(f)), dtype, k)
    check(rg.mv(ta, tx), a.astype(f) @ x.astype(f), dtype, k)
    check(ta @ tx, a.astype(f) @ x.astype(f), dtype, k)
    z = values(data.draw, dtype, (m,))
    check(rg.tensor(z) @ ta, z.astype(f) @ a.astype(f), dtype, m)
    check(rg.outer(tx, ty), np.outer(x.astype(f), y.astype(f)), dtype, 1)
    check(rg.inner(ta, ta), np.inner(a.astype(f), a.astype(f)), dtype, k)


batch = hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3)


@given(data=st.data(), ba=batch, bb=batch, m=sizes, k=sizes, n=sizes)
def test_batched_matmul_broadcasts_like_numpy(data, ba, bb, m, k, n):
    # make the batch shapes broadcastable: where both have a dimension, one of them may be 1
    bb = tuple(1 if data.draw(st.booleans()) else d for d in bb)
    la, lb = len(ba), len(bb)
    common = min(la, lb)
    ba = list(ba)
    for i in range(1, common + 1):
        if ba[-i] != bb[-i] and bb[-i] != 1:
            ba[-i] = data.draw(st.sampled_from([1, bb[-i]]))
    dtype = data.draw(st.sampled_from(DTYPES))
    a_shape = (*ba, m, k) if data.draw(st.booleans()) or not ba else (k,)
    b_shape = (*bb, k, n) if bb or len(a_shape) > 1 else (k, n)
    a, b = values(data.draw, dtype, a_shape), values(data.draw, dtype, b_shape)
    ta, tb = as_rg(a, data.draw(st.booleans())), as_rg(b, data.draw(st.booleans()))
    ref = np.matmul(a.astype(np.float64), b.astype(np.float64))
    check(ta @ tb, ref, dtype, k)


@given(data=st.data(), bs=st.integers(0, 4), m=sizes, k=sizes, n=sizes)
def test_bmm_and_einsum_match_numpy(data, bs, m, k, n):
    dtype = data.draw(st.sampled_from([np.float32, np.float64, np.int64]))
    a, b = values(data.draw, dtype, (bs, m, k)), values(data.draw, dtype, (bs, k, n))
    ta, tb = as_rg(a, data.draw(st.booleans())), as_rg(b, data.draw(st.booleans()))
    f = np.float64
    check(rg.bmm(ta, tb), a.astype(f) @ b.astype(f), dtype, k)
    check(rg.einsum("bij,bjk->bik", ta, tb), a.astype(f) @ b.astype(f), dtype, k)
    check(rg.einsum("bij->bji", ta), np.swapaxes(a, 1, 2).astype(f), dtype, 1)
    check(rg.einsum("bij->j", [ta]), np.einsum("bij->j", a.astype(f)), dtype, bs * m)
    mat = values(data.draw, dtype, (m, m))
    check(rg.einsum("ii->i", rg.tensor(mat)), np.einsum("ii->i", mat.astype(f)), dtype, 1)
    check(rg.einsum("ii", rg.tensor(mat)), np.einsum("ii", mat.astype(f)), dtype, m)
    check(
        rg.einsum("ij,kj", rg.tensor(mat), rg.tensor(mat)), np.einsum("ij,kj", mat, mat), dtype, m
    )
    v = values(data.draw, dtype, (k,))
    check(rg.einsum("i,j->ij", rg.tensor(v), rg.tensor(v)), np.outer(v, v).astype(f), dtype, 1)
    check(
        rg.einsum("i,i->", rg.tensor(v), rg.tensor(v)), np.dot(v.astype(f), v.astype(f)), dtype, k
    )


@given(data=st.data())
def test_trace_diag_tril_triu_match_numpy(data):
    dtype = data.draw(st.sampled_from(DTYPES + [np.bool_]))
    shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=4, min_side=0, max_side=5))
    if dtype == np.bool_:
        a = data.draw(hnp.arrays(dtype, shape))
    else:
        a = values(data.draw, dtype, shape)
    t = as_rg(a, data.draw(st.booleans()))
    d = data.draw(st.integers(-6, 6))
    np.testing.assert_array_equal(t.tril(d).numpy(), np.tril(a, d))
    np.testing.assert_array_equal(rg.triu(t, diagonal=d).numpy(), np.triu(a, d))
    if a.ndim == 2 and dtype != np.bool_:
        np.testing.assert_array_equal(rg.diag(t, d).numpy(), np.diag(a, d))
        ref = np.trace(a.astype(np.float64 if a.dtype.kind == "f" else np.int64))
        check(rg.trace(t), ref, dtype, a.shape[0] + 1)
        v = a[0] if a.shape[0] else a.reshape(-1)
        np.testing.assert_array_equal(rg.diag(rg.tensor(v), d).numpy(), np.diag(v, d))


# Spec section 2.3: E52, E54-E57 (exact output)


def matrix_a():
    a = rg.arange(20, dtype=rg.float32)
    if hasattr(a, "reshape"):
        return a.reshape(5, 4)
    return rg.tensor(np.arange(20, dtype=np.float32).reshape(5, 4))


def test_e52_dot():
    x = rg.arange(4, dtype=rg.float32)
    y = rg.ones(4, dtype=rg.float32)
    assert repr((x, y, rg.dot(x, y))) == (
        "(tensor([0., 1., 2., 3.]), tensor([1., 1., 1., 1.]), tensor(6.))"
    )


def test_e54_e55_mv():
    A, x = matrix_a(), rg.arange(4, dtype=rg.float32)
    assert repr((A.shape, x.shape, rg.mv(A, x))) == (
        "(rustgrad.Size([5, 4]), rustgrad.Size([4]), tensor([ 14.,  38.,  62.,  86., 110.]))"
    )
    assert repr(A) == (
        "tensor([[ 0.,  1.,  2.,  3.],\n"
        "        [ 4.,  5.,  6.,  7.],\n"
        "        [ 8.,  9., 10., 11.],\n"
        "        [12., 13., 14., 15.],\n"
        "        [16., 17., 18., 19.]])"
    )


def test_e56_mm():
    B = rg.ones(4, 3)
    assert repr(rg.mm(matrix_a(), B)) == (
        "tensor([[ 6.,  6.,  6.],\n"
        "        [22., 22., 22.],\n"
        "        [38., 38., 38.],\n"
        "        [54., 54., 54.],\n"
        "        [70., 70., 70.]])"
    )


def test_e57_matmul_dispatch():
    A, x = matrix_a(), rg.arange(4, dtype=rg.float32)
    assert repr((rg.matmul(A, x), (A @ rg.ones(4, 3)).shape)) == (
        "(tensor([ 14.,  38.,  62.,  86., 110.]), rustgrad.Size([5, 3]))"
    )


def test_transposed_operands_need_no_copy_and_match():
    A = matrix_a()
    assert repr(A.T @ A) == repr(
        rg.tensor(np.arange(20.0).reshape(5, 4).T @ np.arange(20.0).reshape(5, 4)).float()
    )
    assert repr(rg.tensor([[1, 2], [3, 4]]) @ rg.tensor([[1, 2], [3, 4]]).T) == (
        "tensor([[ 5, 11],\n        [11, 25]])"
    )


def test_numpy_operands():
    a = rg.tensor([[1.0, 2.0], [3.0, 4.0]])
    n = np.array([[1.0], [1.0]], dtype=np.float32)
    assert repr(a @ n) == "tensor([[3.],\n        [7.]])"
    assert repr(n.T @ a) == "tensor([[4., 6.]])"


# errors


def test_shape_errors():
    with pytest.raises(RuntimeError) as e:
        rg.mm(rg.ones(5, 4), rg.ones(3, 4))
    assert str(e.value) == "mat1 and mat2 shapes cannot be multiplied (5x4 and 3x4)"
    with pytest.raises(RuntimeError) as e:
        rg.ones(5, 4) @ rg.ones(3, 4)
    assert str(e.value) == "mat1 and mat2 shapes cannot be multiplied (5x4 and 3x4)"
    with pytest.raises(RuntimeError) as e:
        rg.dot(rg.ones(3), rg.ones(4))
    assert str(e.value) == (
        "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of "
        "elements, but got 3 and 4 elements respectively"
    )
    with pytest.raises(RuntimeError) as e:
        rg.ones(3) @ rg.ones(4)
    assert "expected tensor [3] and src [4]" in str(e.value)
    with pytest.raises(
        RuntimeError, match=r"^size mismatch, got input \(2\), mat \(2x3\), vec \(4\)$"
    ):
        rg.mv(rg.ones(2, 3), rg.ones(4))
    with pytest.raises(
        RuntimeError, match=r"^mat1 and mat2 shapes cannot be multiplied \(6x4 and 3x2\)$"
    ):
        rg.ones(2, 3, 4) @ rg.ones(3, 2)
    with pytest.raises(
        RuntimeError, match=r"Expected size for first two dimensions of batch2 tensor"
    ):
        rg.bmm(rg.ones(2, 3, 4), rg.ones(2, 3, 4))
    with pytest.raises(
        RuntimeError, match="The size of tensor a \\(2\\) must match the size of tensor b \\(3\\)"
    ):
        rg.ones(2, 1, 2) @ rg.ones(3, 2, 1)
    with pytest.raises(
        RuntimeError,
        match="both arguments to matmul need to be at least 1D, but they are 0D and 1D",
    ):
        rg.tensor(1.0) @ rg.ones(2)
    with pytest.raises(RuntimeError, match="1D tensors expected, but got 2D and 1D tensors"):
        rg.dot(rg.ones(2, 2), rg.ones(2))
    with pytest.raises(RuntimeError, match="self must be a matrix"):
        rg.mm(rg.ones(2), rg.ones(2, 2))
    with pytest.raises(RuntimeError, match="trace: expected a matrix, but got tensor with dim 1"):
        rg.trace(rg.ones(2))
    with pytest.raises(
        RuntimeError, match="einsum\\(\\): the number of subscripts in the equation \\(2\\)"
    ):
        rg.einsum("ij->i", rg.ones(2))


def test_dtype_errors():
    f, d, i = rg.ones(2, 2), rg.ones(2, 2, dtype=rg.float64), rg.ones(2, 2, dtype=rg.int64)
    with pytest.raises(RuntimeError) as e:
        rg.mm(f, d)
    assert str(e.value) == "expected m1 and m2 to have the same dtype, but got: float != double"
    with pytest.raises(
        RuntimeError,
        match="^expected m1 and m2 to have the same dtype, but got: long int != float$",
    ):
        i @ f
    with pytest.raises(RuntimeError) as e:
        rg.dot(rg.ones(2), rg.ones(2, dtype=rg.int64))
    assert (
        str(e.value) == "dot : expected both vectors to have same dtype, but found Float and Long"
    )
    with pytest.raises(RuntimeError, match="\"addmm_impl_cpu_\" not implemented for 'Bool'"):
        rg.ones(2, 2, dtype=rg.bool) @ rg.ones(2, 2, dtype=rg.bool)
    with pytest.raises(TypeError, match="must be Tensor, not list"):
        rg.mm(f, [[1, 2], [3, 4]])


def test_integer_and_large_products():
    a = rg.tensor([[1, 2, 3], [4, 5, 6]])
    assert repr(a @ a.T) == "tensor([[14, 32],\n        [32, 77]])"
    rng = np.random.default_rng(1)
    # above the parallel threshold on two threads: the output is split in bands of rows (tall)
    # or columns (wide); one operand read transposed
    threads = rg.get_num_threads()
    rg.set_num_threads(2)
    try:
        for dtype, tol in [(np.float32, 1e-3), (np.float64, 1e-10)]:
            for (m, k, n), transpose in [((300, 200, 260), False), ((90, 400, 301), True)]:
                x = rng.standard_normal((m, k)).astype(dtype)
                y = rng.standard_normal((k, n)).astype(dtype)
                ry = rg.tensor(y.T.copy()).T if transpose else rg.tensor(y)
                got = (rg.tensor(x) @ ry).numpy()
                np.testing.assert_allclose(
                    got, x.astype(np.float64) @ y.astype(np.float64), rtol=tol, atol=tol
                )
    finally:
        rg.set_num_threads(threads)
    big = rng.integers(-5, 5, (120, 130))
    np.testing.assert_array_equal((rg.tensor(big) @ rg.tensor(big.T)).numpy(), big @ big.T)


def test_addmm():
    out = rg.addmm(rg.tensor([1.0, 2.0]), rg.ones(2, 3), rg.ones(3, 2), beta=2, alpha=0.5)
    assert repr(out) == "tensor([[3.5000, 5.5000],\n        [3.5000, 5.5000]])"


def test_module_docstring_examples_run():
    import rustgrad._linalg as mod

    objects = [getattr(mod, name) for name in mod.__all__]
    assert run_docstrings(objects) >= len(objects)  # einsum (from the core) included


def run_docstrings(objects):
    """Runs the `>>>` examples of `objects`; returns how many examples ran."""
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for obj in objects:
        for test in finder.find(obj, obj.__name__, module=False, globs={"rustgrad": rg}):
            runner.run(test)
    assert runner.failures == 0
    return runner.tries
