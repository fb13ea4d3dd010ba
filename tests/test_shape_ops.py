"""Shape operations (reshape, view, permute, expand, squeeze, cat, split, ...) against NumPy,
their error messages, in-place ops through views, and the docstring examples."""

import doctest

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rustgrad as rg
from rustgrad import _shape

shapes = st.lists(st.integers(0, 4), min_size=0, max_size=4).map(tuple)


def factor_shape(data, numel):
    """A random shape with `numel` elements (maybe with one -1)."""
    if numel == 0:
        return data.draw(st.sampled_from([(0,), (0, 3), (2, 0, 1), (1, 0)]))
    k = data.draw(st.integers(0, 4))
    dims, rest = [], numel
    for _ in range(max(k - 1, 0)):
        divisors = [d for d in range(1, rest + 1) if rest % d == 0]
        d = data.draw(st.sampled_from(divisors))
        dims.append(d)
        rest //= d
    if k > 0 or rest != 1:
        dims.append(rest)
    if dims and data.draw(st.booleans()):
        dims[data.draw(st.integers(0, len(dims) - 1))] = -1
    return tuple(dims)


def has_overlap(t):
    return any(s == 0 and n > 1 for n, s in zip(t.shape, t.stride()))


def step(t, a, data):
    """Applies one random shape op to tensor `t` and its NumPy twin `a`; returns both results
    and whether torch guarantees a view."""
    nd = a.ndim
    ops = ["reshape", "view", "unsqueeze", "squeeze", "flatten", "expand", "T"]
    if nd:
        ops += ["permute", "transpose", "slice", "movedim"]
    if nd >= 2:
        ops.append("mT")
    op = data.draw(st.sampled_from(ops))
    if op in ("reshape", "view"):
        shape = factor_shape(data, a.size)
        expected = a.reshape(shape)
        if op == "reshape":
            return t.reshape(shape), expected, t.is_contiguous()
        try:
            return t.view(shape), expected, True
        except RuntimeError as e:
            assert not t.is_contiguous()
            assert "view size is not compatible" in str(e)
            return t.reshape(shape), expected, False
    if op == "permute":
        perm = data.draw(st.permutations(range(nd)))
        return t.permute(*perm), a.transpose(perm), True
    if op == "transpose":
        i, j = data.draw(st.integers(-nd, nd - 1)), data.draw(st.integers(-nd, nd - 1))
        return t.transpose(i, j), np.swapaxes(a, i, j), True
    if op == "movedim":
        src, dst = data.draw(st.integers(-nd, nd - 1)), data.draw(st.integers(-nd, nd - 1))
        return t.movedim(src, dst), np.moveaxis(a, src, dst), True
    if op == "T":
        return t.T, a.T, True
    if op == "mT":
        return t.mT, np.swapaxes(a, -1, -2), True
    if op == "unsqueeze":
        d = data.draw(st.integers(-nd - 1, nd))
        return t.unsqueeze(d), np.expand_dims(a, d), True
    if op == "squeeze":
        if nd == 0 or data.draw(st.booleans()):
            return t.squeeze(), np.squeeze(a), True
        d = data.draw(st.integers(-nd, nd - 1))
        return t.squeeze(d), (np.squeeze(a, d) if a.shape[d] == 1 else a), True
    if op == "flatten":
        if nd == 0:
            return t.flatten(), a.reshape(1), True
        s = data.draw(st.integers(0, nd - 1))
        e = data.draw(st.integers(s, nd - 1))
        shape = a.shape[:s] + (int(np.prod(a.shape[s : e + 1])),) + a.shape[e + 1 :]
        return t.flatten(s, e), a.reshape(shape), s == e or t.is_contiguous()
    if op == "expand":
        lead = data.draw(st.lists(st.integers(0, 3), max_size=2))
        sizes = [data.draw(st.integers(0, 3)) if n == 1 else -1 for n in a.shape]
        target = tuple(lead) + tuple(n if s == -1 else s for n, s in zip(a.shape, sizes))
        return t.expand(*lead, *sizes), np.broadcast_to(a, target), True
    # slice with a step along one dimension
    d = data.draw(st.integers(0, nd - 1))
    start, stride = data.draw(st.integers(0, 2)), data.draw(st.integers(1, 3))
    key = (slice(None),) * d + (slice(start, None, stride),)
    return t[key], a[key], True


@given(shapes, st.data())
def test_random_shape_chains_match_numpy(shape, data):
    a = np.arange(1, int(np.prod(shape)) + 1, dtype=np.int64).reshape(shape)
    base = rg.tensor(a)
    t = base
    for _ in range(data.draw(st.integers(1, 6))):
        t2, a2, must_view = step(t, a, data)
        assert t2.shape == a2.shape
        np.testing.assert_array_equal(t2.numpy(), a2)
        if must_view and t2.numel() > 0:
            assert t2._storage_ptr() == t._storage_ptr()
        t, a = t2, a2
    # Writing through a view reaches exactly the base elements it shows.
    if t.numel() > 0 and t._storage_ptr() == base._storage_ptr() and not has_overlap(t):
        shown = t.numpy().copy()
        t.neg_()
        np.testing.assert_array_equal(t.numpy(), -shown)
        base_np = np.arange(1, base.numel() + 1).reshape(base.shape)
        expected = np.where(np.isin(base_np, shown), -base_np, base_np)
        np.testing.assert_array_equal(base.numpy(), expected)


def test_reshape_views_and_copies():
    a = rg.arange(12)
    b = a.reshape((3, 4))
    assert b._storage_ptr() == a._storage_ptr() and b.stride() == (4, 1)
    assert a.reshape(2, -1).shape == (2, 6) and a.view(-1, 3).shape == (4, 3)
    c = b.T.reshape(12)  # not expressible as a view: a copy
    assert c._storage_ptr() != a._storage_ptr()
    assert c.tolist() == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]
    d = b.T.reshape(2, 2, 3)  # splitting one dimension of the transpose is a view
    assert d._storage_ptr() == a._storage_ptr() and d.stride() == (2, 1, 4)
    assert rg.zeros(2, 1, 3).unsqueeze(2).stride() == (3, 3, 3, 1)
    assert rg.zeros(3, 1).expand(2, 3, 4).stride() == (0, 1, 0)
    assert rg.reshape(a, (6, 2)).shape == (6, 2)
    assert b.view_as(rg.zeros(6, 2)).shape == (6, 2) and b.reshape_as(rg.zeros(12)).shape == (12,)


@pytest.mark.parametrize(
    ("expr", "exc", "message"),
    [
        (
            "rg.arange(12).reshape(5, 3)",
            RuntimeError,
            "shape '[5, 3]' is invalid for input of size 12",
        ),
        ("rg.arange(12).reshape(-1, -1)", RuntimeError, "only one dimension can be inferred"),
        ("rg.arange(12).view(-2, 6)", RuntimeError, "invalid shape dimension -2"),
        (
            "rg.arange(12).reshape(3, 4).T.view(12)",
            RuntimeError,
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
        ),
        (
            "rg.zeros(2, 3).flatten(1, 0)",
            RuntimeError,
            "flatten() has invalid args: start_dim cannot come after end_dim",
        ),
        (
            "rg.zeros(2, 3).unsqueeze(3)",
            IndexError,
            "Dimension out of range (expected to be in range of [-3, 2], but got 3)",
        ),
        (
            "rg.zeros(2, 3).transpose(0, 2)",
            IndexError,
            "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
        ),
        (
            "rg.zeros(2, 3).expand(2, 4)",
            RuntimeError,
            "The expanded size of the tensor (4) must match the existing size (3) at "
            "non-singleton dimension 1.  Target sizes: [2, 4].  Tensor sizes: [2, 3]",
        ),
        (
            "rg.zeros(2, 3).expand(3)",
            RuntimeError,
            "expand(rustgrad.FloatTensor{[2, 3]}, size=[3]): the number of sizes provided (1) "
            "must be greater or equal to the number of dimensions in the tensor (2)",
        ),
        (
            "rg.zeros(3).expand(-1, 3)",
            RuntimeError,
            "The expanded size of the tensor (-1) isn't allowed in a leading, non-existing "
            "dimension 0",
        ),
        (
            "rg.zeros(2, 3, 4).t()",
            RuntimeError,
            "t() expects a tensor with <= 2 dimensions, but self is 3D",
        ),
        (
            "rg.zeros(3).mT",
            RuntimeError,
            "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.",
        ),
        (
            "rg.zeros(2, 3).permute(0, 0)",
            RuntimeError,
            "permute(): duplicate dims are not allowed.",
        ),
        (
            "rg.zeros(2, 3).repeat(2)",
            RuntimeError,
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor",
        ),
        (
            "rg.zeros(4).narrow(0, 3, 2)",
            RuntimeError,
            "start (3) + length (2) exceeds dimension size (4).",
        ),
        (
            "rg.zeros(4).narrow(0, 5, 0)",
            IndexError,
            "start out of range (expected to be in range of [-4, 4], but got 5)",
        ),
        (
            "rg.zeros(5).split([2, 2])",
            RuntimeError,
            "split_with_sizes expects split_sizes to sum exactly to 5 (input tensor's size at "
            "dimension 0), but got split_sizes=[2, 2]",
        ),
        (
            "rg.zeros(5).chunk(0)",
            RuntimeError,
            "chunk expects `chunks` to be greater than 0, got: 0",
        ),
        (
            "rg.zeros(2).flip(0, 0)",
            RuntimeError,
            "dim 0 appears multiple times in the list of dims",
        ),
    ],
)
def test_shape_errors(expr, exc, message):
    with pytest.raises(exc) as info:
        eval(expr)
    assert str(info.value) == message


@given(
    st.lists(st.integers(0, 3), min_size=1, max_size=3),
    st.data(),
    st.sampled_from(["float32", "int64", "bool", "float64", "int32"]),
    st.sampled_from(["float32", "int64", "bool", "float64", "int32"]),
)
def test_cat_and_stack_match_numpy(shape, data, d1, d2):
    nd = len(shape)
    dim = data.draw(st.integers(-nd, nd - 1))
    other = list(shape)
    other[dim] = data.draw(st.integers(0, 3))
    a = (np.arange(int(np.prod(shape))).reshape(shape) % 3).astype(d1)
    b = (np.arange(int(np.prod(other))).reshape(other) % 3).astype(d2)
    got = rg.cat((rg.tensor(a), rg.tensor(b)), dim=dim)
    assert got.dtype == rg.result_type(rg.tensor(a), rg.tensor(b))
    np.testing.assert_array_equal(got.numpy(), np.concatenate([a, b], axis=dim))
    assert rg.concat([rg.tensor(a), rg.tensor(b)], dim).shape == got.shape
    assert rg.concatenate([rg.tensor(a), rg.tensor(b)], axis=dim).shape == got.shape
    sdim = data.draw(st.integers(-nd - 1, nd))
    s = rg.stack([rg.tensor(a), rg.tensor(a).T.T], dim=sdim)
    np.testing.assert_array_equal(s.numpy(), np.stack([a, a], axis=sdim))


def test_cat_errors_and_legacy_empty():
    x, y = rg.ones(2, 3), rg.ones(2, 4)
    with pytest.raises(RuntimeError) as info:
        rg.cat((x, y))
    assert str(info.value) == (
        "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 "
        "for tensor number 1 in the list."
    )
    with pytest.raises(RuntimeError, match="Sizes of tensors must match except in dimension 1"):
        rg.cat((x, rg.ones(3, 4)), dim=-1)
    with pytest.raises(
        RuntimeError, match="Tensors must have same number of dimensions: got 2 and 1"
    ):
        rg.cat((x, rg.ones(3)))
    with pytest.raises(RuntimeError, match="zero-dimensional tensor \\(at position 0\\)"):
        rg.cat((rg.tensor(1.0), rg.tensor(2.0)))
    with pytest.raises(RuntimeError, match="expected a non-empty list of Tensors"):
        rg.cat([])
    with pytest.raises(TypeError, match="expected Tensor as element 1 in argument 0, but got int"):
        rg.cat([x, 1])
    with pytest.raises(IndexError, match="Dimension out of range"):
        rg.cat((x, x), dim=2)
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        rg.stack((x, y))
    # 1-d empty tensors are skipped, so a running `cat` can start from rg.tensor([])
    assert rg.cat((rg.zeros(0), x)).shape == (2, 3)
    out = rg.cat((x[:, :1], y.long()), dim=1)
    assert out.dtype == rg.float32 and out.shape == (2, 5)


@given(st.integers(0, 9), st.integers(1, 4), st.integers(1, 4))
def test_split_chunk_unbind(n, size, chunks):
    x = rg.arange(n * 2).reshape(n, 2)
    a = np.arange(n * 2).reshape(n, 2)
    parts = x.split(size)
    expected = [a[i : i + size] for i in range(0, n, size)] or [a]
    assert [p.tolist() for p in parts] == [e.tolist() for e in expected]
    assert all(p._storage_ptr() == x._storage_ptr() for p in parts if p.numel())
    per = -(-n // chunks)
    got = x.chunk(chunks)
    if n == 0:
        assert len(got) == chunks
    else:
        assert [p.tolist() for p in got] == [a[i : i + per].tolist() for i in range(0, n, per)]
    assert [u.tolist() for u in x.unbind(1)] == [a[:, 0].tolist(), a[:, 1].tolist()]
    assert [u.tolist() for u in rg.unbind(x)] == a.tolist()
    sizes = [n // 2, n - n // 2]
    assert [p.shape[0] for p in rg.split(x, sizes)] == sizes


@given(shapes, st.data())
def test_flip_repeat_movedim_match_numpy(shape, data):
    a = np.arange(int(np.prod(shape))).reshape(shape).astype(np.float32)
    x = rg.tensor(a)
    nd = len(shape)
    if nd:
        dims = data.draw(st.lists(st.integers(-nd, nd - 1), unique_by=lambda d: d % nd))
        np.testing.assert_array_equal(x.flip(dims).numpy(), np.flip(a, dims) if dims else a)
        np.testing.assert_array_equal(x.T.flip(dims).numpy(), np.flip(a.T, dims) if dims else a.T)
        src = data.draw(st.permutations(range(nd)))
        dst = list(range(nd))
        np.testing.assert_array_equal(x.movedim(src, dst).numpy(), np.moveaxis(a, src, dst))
    reps = data.draw(st.lists(st.integers(0, 3), min_size=nd, max_size=nd + 2))
    np.testing.assert_array_equal(x.repeat(reps).numpy(), np.tile(a, reps))
    if nd:
        np.testing.assert_array_equal(x.T.repeat(reps).numpy(), np.tile(a.T, reps))


def test_narrow_select_t_and_module_functions():
    x = rg.arange(12).reshape(3, 4)
    assert x.narrow(1, -2, 2).tolist() == [[2, 3], [6, 7], [10, 11]]
    assert rg.narrow(x, 0, 1, 1).tolist() == [[4, 5, 6, 7]]
    assert x.select(1, -1).tolist() == [3, 7, 11]
    assert x.t().shape == (4, 3) and rg.t(rg.arange(3)).shape == (3,)
    assert rg.transpose(x, 0, 1).shape == (4, 3) and rg.swapaxes(x, 0, 1).shape == (4, 3)
    assert rg.permute(x, (1, 0)).tolist() == x.T.tolist()
    assert rg.squeeze(rg.zeros(1, 3, 1), (0, 2)).shape == (3,)
    assert rg.zeros(1, 3, 1).squeeze((0, 1)).shape == (3, 1)
    assert rg.unsqueeze(x, -1).shape == (3, 4, 1)
    assert rg.flatten(rg.zeros(2, 3, 4), 0, 1).shape == (6, 4)
    assert rg.zeros(5).flatten().shape == (5,) and rg.tensor(3.0).flatten().shape == (1,)
    assert rg.broadcast_to(rg.tensor([1, 2]), (3, 2)).stride() == (0, 1)
    assert rg.ones(3).expand_as(rg.zeros(2, 3)).shape == (2, 3)
    assert rg.flip(x, (0, 1))[0].tolist() == [11, 10, 9, 8]
    assert rg.movedim(rg.zeros(2, 3, 4), (0, 1), (2, 0)).shape == (3, 4, 2)
    assert rg.zeros(2, 6).unflatten(1, (3, -1)).shape == (2, 3, 2)


def test_inplace_ops_keep_identity_and_write_through_views():
    X = rg.arange(12, dtype=rg.float32).reshape((3, 4))
    Y = rg.ones(3, 4)
    before = id(X)
    X += Y
    X -= Y
    X *= 2
    X /= 2
    assert id(X) == before and X.tolist()[0] == [0.0, 1.0, 2.0, 3.0]
    col = X[:, 0]
    col *= 10
    assert X[:, 0].tolist() == [0.0, 40.0, 80.0]
    i = rg.arange(3)
    with pytest.raises(RuntimeError) as info:
        i *= 0.5
    assert str(info.value) == "result type Float can't be cast to the desired output type Long"
    before = id(Y)
    Y = Y + X
    assert id(Y) != before


def test_random_fills():
    rg.manual_seed(0)
    w = rg.zeros(200, 100)
    assert w.normal_(0, 0.01) is w
    v = w.numpy()
    assert abs(v.mean()) < 1e-3 and 0.009 < v.std() < 0.011
    u = rg.zeros(10000).uniform_(-2, 3)
    assert u.numpy().min() >= -2 and u.numpy().max() < 3 and abs(u.numpy().mean() - 0.5) < 0.1
    assert rg.zeros(100).uniform_().numpy().max() < 1
    part = rg.zeros(4, 4)
    part[1:3, 1:3].uniform_(5, 6)
    assert (part.numpy() >= 5).sum() == 4
    part[0].normal_(mean=100.0, std=0.0)
    assert part[0].tolist() == [100.0] * 4
    rg.manual_seed(7)
    a = rg.zeros(5).normal_()
    rg.manual_seed(7)
    assert rg.zeros(5).normal_().tolist() == a.tolist()
    with pytest.raises(RuntimeError, match="\"normal_kernel_cpu\" not implemented for 'Long'"):
        rg.zeros(2, dtype=rg.int64).normal_()
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0"):
        rg.zeros(2).normal_(0, -1)
    with pytest.raises(RuntimeError, match=r"uniform_ expects to return a \[from, to\) range"):
        rg.zeros(2).uniform_(1, 0)
    assert rg.zeros(2).uniform_(**{"from": 2, "to": 2}).tolist() == [2.0, 2.0]


def _docstring_owners():
    methods = [
        "index_select", "gather", "scatter_add", "scatter_add_",
        "masked_fill", "masked_fill_", "nonzero", "index_put_", "index_put", "reshape", "view",
        "view_as", "reshape_as", "flatten", "unflatten", "squeeze", "unsqueeze", "transpose",
        "swapaxes", "swapdims", "t", "movedim", "moveaxis", "expand", "expand_as",
        "broadcast_to", "repeat", "flip", "split", "chunk", "unbind", "narrow", "select",
        "normal_", "uniform_",
    ]  # fmt: skip
    owners = [(f"Tensor.{m}", getattr(rg.Tensor, m)) for m in methods]
    owners.append(("Tensor.mT", rg.Tensor.mT))
    owners += [(name, getattr(_shape, name)) for name in _shape.__all__]
    return owners


@pytest.mark.parametrize(("name", "obj"), _docstring_owners())
def test_docstring_examples_run(name, obj):
    doc = obj.__doc__
    assert doc and ">>>" in doc, f"{name} needs a docstring with an example"
    test = doctest.DocTestParser().get_doctest(doc, {"rustgrad": rg}, name, None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0


def test_huge_arguments_are_errors_or_clamped_not_panics():
    x = rg.arange(6)
    assert x[:: 2**70].tolist() == [0]  # Python clamps the step to sys.maxsize
    assert x[2**70 :].shape == (0,)
    assert [p.tolist() for p in x.split(2**62)] == [[0, 1, 2, 3, 4, 5]]
    assert len(x.chunk(2**62)) == 6
    with pytest.raises(RuntimeError):
        rg.zeros(1, 1).expand(2**40, 2**40)
    with pytest.raises(RuntimeError):
        x.repeat(2**40, 2**40)
    with pytest.raises(RuntimeError):
        x.reshape(2**62, 2**62)
    with pytest.raises(IndexError, match="an index can only have a single ellipsis"):
        x[..., ...]
    with pytest.raises(RuntimeError, match="Overflow when unpacking long"):
        x[2**70]


@given(
    st.permutations([0, 1, 2]),
    st.sampled_from([(70, 3, 45), (5, 64, 33), (40, 41, 2)]),
    st.sampled_from(["float32", "float64", "int64", "uint8"]),
)
def test_transposed_copies_match_numpy(perm, shape, dtype):
    """Copies of permuted views (tiled when the input runs along another dimension than the
    output), with and without a dtype conversion."""
    a = (np.arange(int(np.prod(shape))) % 251).astype(dtype).reshape(shape)
    view = rg.tensor(a).permute(*perm)
    ref = np.ascontiguousarray(a.transpose(perm))
    np.testing.assert_array_equal(view.contiguous().numpy(), ref)
    np.testing.assert_array_equal(view.to(rg.float64).numpy(), ref.astype(np.float64))
    out = rg.zeros(ref.shape, dtype=rg.float32)
    out.copy_(view)
    np.testing.assert_array_equal(out.numpy(), ref.astype(np.float32))
    np.testing.assert_array_equal(rg.tensor(a).T.contiguous().numpy(), np.ascontiguousarray(a.T))
