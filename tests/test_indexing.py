"""Indexing (`t[key]`, `t[key] = v`) and index-based methods, checked against NumPy.

PyTorch's indexing is NumPy's with one difference: an integer next to index tensors is applied
first (as a `select`), so `x[0, :, [1, 2]]` puts the index dimension where the remaining
dimensions say. `torch_reference` reproduces that order with two NumPy steps.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rustgrad as rg

DTYPES = ["float32", "float64", "int64", "int32", "uint8", "bool"]
LAYOUTS = st.sampled_from(["contiguous", "transposed", "strided"])


def make(shape, dtype, layout="contiguous"):
    """A tensor whose elements are all different (except for bool) and its NumPy twin; the
    tensor is a transposed or strided view for the non-contiguous layouts."""
    base = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    arr = np.asarray(base % 2 == 1) if dtype == "bool" else base.astype(dtype)
    if layout == "transposed":
        x = rg.tensor(np.array(arr.T, order="C")).T
    elif layout == "strided" and arr.ndim:
        wide = np.repeat(arr, 2, axis=-1)
        x = rg.tensor(wide)[..., ::2]
    else:
        x = rg.tensor(arr)
    return x, arr


def is_advanced(item):
    return isinstance(item, (list, np.ndarray, rg.Tensor, range))


def to_numpy_item(item):
    if isinstance(item, rg.Tensor):
        return item.numpy()
    if isinstance(item, (list, range)):
        arr = np.array(list(item))
        return arr if arr.dtype == np.bool_ else arr.astype(np.int64)
    return item


def consumed(item):
    if is_advanced(item):
        arr = to_numpy_item(item)
        return arr.ndim if arr.dtype == np.bool_ else 1
    return 0 if item is None or item is Ellipsis else 1


def torch_reference(arr, key):
    """NumPy result of `arr[key]` under PyTorch's rules (see the module docstring)."""
    specified = sum(consumed(k) for k in key)
    basic = tuple(slice(None) if is_advanced(k) else k for k in key)
    if not any(k is Ellipsis for k in basic):
        basic += (Ellipsis,)  # NumPy then returns a 0-d view instead of a scalar
    view = arr[basic]
    second = [slice(None)] * view.ndim
    dim = 0
    placed = []
    for k in key:
        if is_advanced(k):
            placed.append((dim, to_numpy_item(k)))
            dim += consumed(k)
        elif k is Ellipsis:
            dim += arr.ndim - specified
        elif isinstance(k, slice) or k is None:
            dim += 1
    if not placed:
        return view, view
    for d, a in reversed(placed):
        second[d : d + (a.ndim if a.dtype == np.bool_ else 1)] = [a]
    return view, tuple(second)


@st.composite
def index_keys(draw, allow_advanced=True):
    """A shape and a key mixing ints, slices (with steps), None, Ellipsis, int lists/arrays/
    tensors and 1-d bool masks."""
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=0, max_size=4)))
    key = []
    n_adv_len = draw(st.integers(0, 3))
    mask_used = False
    adv_count = 0
    covered = draw(st.integers(0, len(shape)))
    ellipsis = draw(st.sampled_from(["none", "front", "back"]))
    # With a leading Ellipsis the items index the last `covered` dimensions.
    dims = range(len(shape) - covered, len(shape)) if ellipsis == "front" else range(covered)
    for d in dims:
        n = shape[d]
        if draw(st.booleans()) and draw(st.booleans()):
            key.append(None)
        kinds = ["slice", "full"]
        if n > 0:
            kinds.append("int")
        if allow_advanced and not mask_used and n > 0:
            kinds.append("array")
            if adv_count == 0:
                kinds.append("mask")
        kind = draw(st.sampled_from(kinds))
        if kind == "int":
            key.append(draw(st.integers(-n, n - 1)))
        elif kind == "full":
            key.append(slice(None))
        elif kind == "slice":
            start = draw(st.none() | st.integers(-6, 6))
            stop = draw(st.none() | st.integers(-6, 6))
            step = draw(st.none() | st.integers(1, 3))
            key.append(slice(start, stop, step))
        elif kind == "array":
            values = draw(st.lists(st.integers(-n, n - 1), min_size=n_adv_len, max_size=n_adv_len))
            form = draw(st.sampled_from(["list", "numpy", "tensor"]))
            if form == "list":
                key.append(values)
            elif form == "numpy":
                key.append(np.array(values, dtype=np.int64))
            else:
                key.append(rg.tensor(values, dtype=rg.int64))
            adv_count += 1
        else:
            mask = draw(st.lists(st.booleans(), min_size=n, max_size=n))
            key.append(rg.tensor(mask, dtype=rg.bool))
            mask_used = True
    if mask_used and adv_count:
        key = [slice(None) if is_advanced(k) and not isinstance(k, rg.Tensor) else k for k in key]
    if draw(st.booleans()):
        key.append(None)
    if ellipsis == "front":
        key.insert(0, Ellipsis)
    elif ellipsis == "back":
        key.append(Ellipsis)
    return shape, tuple(key)


@given(index_keys(), st.sampled_from(DTYPES), LAYOUTS)
def test_getitem_matches_numpy(case, dtype, layout):
    shape, key = case
    x, arr = make(shape, dtype, layout)
    view, second = torch_reference(arr, key)
    expected = view if second is view else view[second]
    got = x[key]
    assert got.shape == expected.shape
    assert got.dtype == x.dtype
    np.testing.assert_array_equal(got.numpy(), expected)


@given(index_keys(), st.sampled_from(["float32", "int64"]), LAYOUTS)
def test_basic_indexing_aliases_and_advanced_copies(case, dtype, layout):
    shape, key = case
    x, arr = make(shape, dtype, layout)
    got = x[key]
    advanced = any(is_advanced(k) for k in key)
    if got.numel() > 0:  # empty storages all share one dangling address
        assert (got._storage_ptr() == x._storage_ptr()) == (not advanced)
    got.fill_(-1)
    if advanced:
        np.testing.assert_array_equal(x.numpy(), arr)
    else:
        expected = arr.copy()
        expected[key] = -1
        np.testing.assert_array_equal(x.numpy(), expected)


@given(index_keys(), st.sampled_from(["float32", "int64", "bool"]), LAYOUTS, st.data())
def test_setitem_matches_numpy(case, dtype, layout, data):
    shape, key = case
    x, arr = make(shape, dtype, layout)
    expected = arr.copy()
    view, second = torch_reference(expected, key)
    target_shape = (view if second is view else view[second]).shape
    kind = data.draw(st.sampled_from(["scalar", "full", "row"]))
    if kind == "scalar":
        value = data.draw(st.integers(-5, 5))
        np_value = value
    else:
        vshape = target_shape if kind == "full" else target_shape[-1:]
        vshape = data.draw(st.sampled_from([vshape, (1, *vshape)]))
        np_value = (np.arange(int(np.prod(vshape))).reshape(vshape) * 7 % 5).astype(arr.dtype)
        value = rg.tensor(np_value)
    if isinstance(np_value, np.ndarray):  # torch drops leading size-1 dims of the value
        while np_value.ndim and np_value.shape[0] == 1:
            np_value = np_value[0]
    if second is view:
        view[...] = np_value
    else:
        view[second] = np_value
    before = id(x)
    x[key] = value
    assert id(x) == before
    np.testing.assert_array_equal(x.numpy(), expected)


def test_spec_style_examples():
    X = rg.arange(12, dtype=rg.float32).reshape((3, 4))
    assert repr(X[-1]) == "tensor([ 8.,  9., 10., 11.])"
    assert repr(X[1:3]) == "tensor([[ 4.,  5.,  6.,  7.],\n        [ 8.,  9., 10., 11.]])"
    assert repr(X[1, 2]) == "tensor(6.)"
    assert repr(X[:, (1)]) == "tensor([1., 5., 9.])"
    assert X[..., None].shape == (3, 4, 1)
    assert X[None, ..., 0].shape == (1, 3)


def test_lists_ranges_and_tensors_as_indices():
    y = rg.tensor([0, 2])
    y_hat = rg.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    assert repr(y_hat[[0, 1], y]) == "tensor([0.1000, 0.5000])"
    assert repr(y_hat[range(len(y_hat)), y]) == "tensor([0.1000, 0.5000])"
    assert repr(y_hat[np.array([1, 0])]) == (
        "tensor([[0.3000, 0.2000, 0.5000],\n        [0.1000, 0.3000, 0.6000]])"
    )
    x = rg.tensor([3.0, -1.0, 2.0, -5.0])
    assert repr(x[x > 0]) == "tensor([3., 2.])"
    assert repr(x[rg.tensor(2)]) == "tensor(2.)"  # a 0-d integer tensor selects (a view)
    assert x[rg.tensor(2)]._storage_ptr() == x._storage_ptr()
    assert x[[]].shape == (0,)


def test_torch_treats_short_lists_with_sequences_as_tuples():
    x = rg.arange(12).reshape(3, 4)
    # [[0, 2], [1, 3]] is x[[0, 2], [1, 3]] (torch's NumPy-legacy heuristic)
    assert x[[[0, 2], [1, 3]]].tolist() == [1, 11]
    assert x[[0, slice(1, 3)]].tolist() == [1, 2]
    assert x[[True, False, True]].tolist() == [[0, 1, 2, 3], [8, 9, 10, 11]]


def test_int_beside_index_tensor_follows_torch_not_numpy():
    x = rg.arange(24).reshape(2, 3, 4)
    r = x[0, :, [1, 2]]
    assert r.shape == (3, 2)  # NumPy gives (2, 3)
    assert r.tolist() == [[1, 2], [5, 6], [9, 10]]
    # separated index tensors: the index dimension goes first, as in NumPy
    r = x[[0, 1], :, [0, 3]]
    assert r.shape == (2, 3)
    np.testing.assert_array_equal(r.numpy(), np.arange(24).reshape(2, 3, 4)[[0, 1], :, [0, 3]])
    # a 2-d mask over the last two dimensions
    m = rg.tensor([[True, False, False, True]] * 3)
    assert x[:, m].shape == (2, 6)


def test_bool_scalars_as_indices():
    x = rg.arange(3)
    assert x[True].shape == (1, 3)
    assert x[False].shape == (0, 3)
    assert x[None].shape == (1, 3)
    assert x[...]._storage_ptr() == x._storage_ptr()
    x[False] = 7
    assert x.tolist() == [0, 1, 2]
    x[True] = 7
    assert x.tolist() == [7, 7, 7]


@pytest.mark.parametrize(
    ("expr", "exc", "message"),
    [
        ("rg.arange(3)[5]", IndexError, "index 5 is out of bounds for dimension 0 with size 3"),
        ("rg.arange(3)[-4]", IndexError, "index -4 is out of bounds for dimension 0 with size 3"),
        (
            "rg.zeros(2, 3)[0, 3]",
            IndexError,
            "index 3 is out of bounds for dimension 1 with size 3",
        ),
        ("rg.zeros(2, 3)[0, 0, 0]", IndexError, "too many indices for tensor of dimension 2"),
        ("rg.zeros(3)[::-1]", ValueError, "step must be greater than zero"),
        ("rg.zeros(3)[::0]", ValueError, "slice step cannot be zero"),
        (
            "rg.tensor(1.0)[0]",
            IndexError,
            "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
            "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number",
        ),
        ("rg.zeros(3)[[0, 3]]", IndexError, "index 3 is out of bounds for dimension 0 with size 3"),
        (
            "rg.zeros(3)[rg.tensor([1.0])]",
            IndexError,
            "tensors used as indices must be long, int, byte or bool tensors",
        ),
        (
            "rg.zeros(3)[1.5]",
            IndexError,
            "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
            "are valid indices (got float)",
        ),
        (
            "rg.zeros(2, 3)[[0, 1], [0, 1, 2]]",
            IndexError,
            "shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]",
        ),
        (
            "rg.zeros(3)[rg.tensor([True, False])]",
            IndexError,
            "The shape of the mask [2] at index 0 does not match the shape of the indexed "
            "tensor [3] at index 0",
        ),
    ],
)
def test_bad_indices(expr, exc, message):
    with pytest.raises(exc) as info:
        eval(expr)
    assert str(info.value) == message


def test_bad_assignments():
    x = rg.zeros(2, 3)
    with pytest.raises(RuntimeError, match=r"The expanded size of the tensor \(3\) must match"):
        x[0] = rg.ones(2)
    with pytest.raises(TypeError, match="can't assign a list to a rustgrad.FloatTensor"):
        x[0] = [1, 2, 3]
    with pytest.raises(RuntimeError, match="Index put requires the source and destination dtypes"):
        x[[0, 1]] = rg.ones(3, dtype=rg.float64)
    with pytest.raises(RuntimeError, match="shape mismatch: value tensor of shape"):
        x[[0, 1]] = rg.ones(2)
    with pytest.raises(TypeError, match="does not support deleting"):
        del x[0]
    e = rg.zeros(3).expand(2, 3)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        e[:] = 1.0


def test_setitem_converts_and_keeps_storage():
    x = rg.zeros(2, 3, dtype=rg.int64)
    ptr, version_obj = x._storage_ptr(), id(x)
    x[0] = 2.7  # converted to the destination dtype (truncates)
    x[1, 1:] = rg.tensor([1.5, 9.9])
    x[x > 5] = 0.5  # one-element value through a mask: converted too
    assert x.tolist() == [[2, 2, 2], [0, 1, 0]]
    assert (x._storage_ptr(), id(x)) == (ptr, version_obj)
    y = rg.zeros(3)
    y[0:2] = rg.tensor([[4.0, 5.0]])  # leading size-1 dimensions are dropped
    assert y.tolist() == [4.0, 5.0, 0.0]


def test_overlapping_assignment_reads_the_source_first():
    # x[1:] = x[:-1] gives NumPy's `x[1:] = x[:-1].copy()` (torch raises for this overlap).
    x = rg.arange(6)
    x[1:] = x[:-1]
    n = np.arange(6)
    n[1:] = n[:-1].copy()
    np.testing.assert_array_equal(x.numpy(), n)
    # x += x.T reads the original values: the result is symmetric.
    m = rg.arange(16, dtype=rg.float32).reshape(4, 4)
    m += m.T
    a = np.arange(16, dtype=np.float32).reshape(4, 4)
    np.testing.assert_array_equal(m.numpy(), a + a.T)
    # advanced assignment from a view of itself
    v = rg.arange(5)
    v[[0, 1, 2]] = v[2:]
    assert v.tolist() == [2, 3, 4, 3, 4]


@given(
    st.lists(st.integers(1, 4), min_size=1, max_size=3),
    st.integers(0, 2),
    st.lists(st.integers(0, 3), min_size=0, max_size=5),
    st.sampled_from(DTYPES),
)
def test_index_select_matches_numpy(shape, dim, picks, dtype):
    dim = dim % len(shape)
    x, arr = make(tuple(shape), dtype)
    idx = [p % shape[dim] for p in picks]
    got = x.index_select(dim, rg.tensor(idx, dtype=rg.int64))
    np.testing.assert_array_equal(got.numpy(), np.take(arr, idx, axis=dim))
    assert rg.index_select(x, dim, rg.tensor(idx, dtype=rg.int64)).shape == got.shape


@given(
    st.lists(st.integers(1, 4), min_size=1, max_size=3),
    st.integers(0, 2),
    st.data(),
    st.sampled_from(["float32", "int64"]),
)
def test_gather_and_scatter_add_match_numpy(shape, dim, data, dtype):
    dim = dim % len(shape)
    x, arr = make(tuple(shape), dtype)
    # index: any size along `dim`, at most the input's size elsewhere
    ishape = tuple(
        data.draw(st.integers(1, 4)) if d == dim else data.draw(st.integers(0, n))
        for d, n in enumerate(shape)
    )
    count = int(np.prod(ishape))
    picks = data.draw(st.lists(st.integers(0, shape[dim] - 1), min_size=count, max_size=count))
    idx = np.array(picks, dtype=np.int64).reshape(ishape)
    got = x.gather(dim, rg.tensor(idx))
    window = tuple(slice(None) if d == dim else slice(0, n) for d, n in enumerate(ishape))
    np.testing.assert_array_equal(got.numpy(), np.take_along_axis(arr[window], idx, axis=dim))
    src_np = np.ones(ishape, dtype=arr.dtype)
    out = x.scatter_add(dim, rg.tensor(idx), rg.tensor(src_np))
    expected = arr.copy()
    for pos in np.ndindex(*ishape):
        target = list(pos)
        target[dim] = idx[pos]
        expected[tuple(target)] += src_np[pos]
    np.testing.assert_array_equal(out.numpy(), expected)


def test_gather_for_cross_entropy():
    y_hat = rg.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    y = rg.tensor([0, 2])
    assert repr(y_hat.gather(1, y.unsqueeze(1))) == "tensor([[0.1000],\n        [0.5000]])"
    with pytest.raises(RuntimeError, match="gather\\(\\): Expected dtype int64 for index"):
        y_hat.gather(1, rg.tensor([[0.0]]))
    with pytest.raises(RuntimeError, match="index 3 is out of bounds for dimension 1 with size 3"):
        y_hat.gather(1, rg.tensor([[3], [0]]))
    with pytest.raises(IndexError, match="index out of range in self"):
        y_hat.index_select(0, rg.tensor([2]))


def test_masked_fill_nonzero_and_index_put():
    x = rg.tensor([[1.0, -2.0], [-3.0, 4.0]])
    assert repr(x.masked_fill(x < 0, 0)) == "tensor([[1., 0.],\n        [0., 4.]])"
    col = rg.tensor([[True], [False]])
    assert x.masked_fill(col, rg.tensor(9)).tolist() == [[9.0, 9.0], [-3.0, 4.0]]
    assert rg.masked_fill(x, x > 0, -1.5).tolist() == [[-1.5, -2.0], [-3.0, -1.5]]
    v = x[:, 0]
    v.masked_fill_(v < 0, 100)  # through a view
    assert x.tolist() == [[1.0, -2.0], [100.0, 4.0]]
    with pytest.raises(RuntimeError, match="only supports boolean masks"):
        x.masked_fill(rg.tensor([1, 0]), 1.0)
    with pytest.raises(RuntimeError, match="only supports a 0-dimensional value tensor"):
        x.masked_fill(x > 0, rg.tensor([1.0]))
    assert x.nonzero().tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    rows, cols = (x > 2).nonzero(as_tuple=True)
    assert (rows.tolist(), cols.tolist()) == ([1, 1], [0, 1])
    z = rg.zeros(3)
    assert z.index_put_((rg.tensor([0, 0, 2]),), rg.tensor(1.0), accumulate=True) is z
    assert z.tolist() == [2.0, 0.0, 1.0]
    assert rg.zeros(2).index_put((rg.tensor([1]),), rg.tensor([3.0])).tolist() == [0.0, 3.0]


def test_writes_through_views_and_numpy():
    a = rg.arange(12)
    b = a.reshape((3, 4))
    b[:] = 2
    assert repr(a) == "tensor([2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2])"
    n = a.numpy()
    a[1:3] = 7
    assert n.tolist()[:4] == [2, 7, 7, 2]
    col = b[:, 1]
    col.zero_()
    col.fill_(5)
    assert b.tolist()[0] == [2, 5, 7, 2] and a.tolist()[5] == 5
    col.copy_(rg.tensor([1, 2, 3]))
    assert a.tolist()[1::4] == [1, 2, 3]
    col.clamp_(min=2)
    assert a.tolist()[1::4] == [2, 2, 3]
    col += 10
    assert a.tolist()[1::4] == [12, 12, 13]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("rest", [(), (3,), (2, 5)])
def test_leading_masks_pack_rows_in_order(dtype, rest):
    """`x[mask]` with a mask over the leading dimensions, sized to cross the kernel's 16K-byte
    blocks and the parallel threshold; bool and uint8 masks, contiguous and strided tensors."""
    rng = np.random.default_rng(len(rest))
    lead = (70_001,) if not rest else (2, 9_001)
    arr = rng.integers(-50, 50, lead + rest).astype(dtype)
    m = rng.random(lead) < 0.3
    for layout in ["contiguous", "strided"]:
        x = rg.tensor(arr)
        if layout == "strided":
            x = rg.tensor(np.repeat(arr, 2, axis=-1))[..., ::2]
        for mask in [rg.tensor(m), rg.tensor(m.astype(np.uint8))]:
            got = x[mask]
            assert got.shape == (int(m.sum()),) + rest
            np.testing.assert_array_equal(got.numpy(), arr[m])
    # all false, all true, a last element that is false
    x = rg.tensor(arr)
    assert x[rg.zeros(lead, dtype=rg.bool)].shape == (0,) + rest
    np.testing.assert_array_equal(x[rg.ones(lead, dtype=rg.bool)].numpy(), arr.reshape(-1, *rest))
    small = rg.tensor([1.5, -2.0, 3.0, -4.0])
    assert small[small > 0].tolist() == [1.5, 3.0]
