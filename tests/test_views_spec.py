"""Spec examples (sections 1.3, 2.1-2.3 and the indexing examples of 3.x) that exercise
indexing, views, shape operations and in-place semantics, with their exact printed output."""

import numpy as np
import pytest

import rustgrad as rg


def test_e4_reshape_to_3x4():
    x = rg.arange(12)
    X = x.reshape(3, 4)
    assert repr(X) == (
        "tensor([[ 0,  1,  2,  3],\n        [ 4,  5,  6,  7],\n        [ 8,  9, 10, 11]])"
    )
    assert X._storage_ptr() == x._storage_ptr()


@pytest.fixture
def XY():
    X = rg.arange(12, dtype=rg.float32).reshape((3, 4))
    Y = rg.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
    return X, Y


def test_e11_cat_along_dim_0_and_1(XY):
    X, Y = XY
    a, b = rg.cat((X, Y), dim=0), rg.cat((X, Y), dim=1)
    assert repr(a) == (
        "tensor([[ 0.,  1.,  2.,  3.],\n"
        "        [ 4.,  5.,  6.,  7.],\n"
        "        [ 8.,  9., 10., 11.],\n"
        "        [ 2.,  1.,  4.,  3.],\n"
        "        [ 1.,  2.,  3.,  4.],\n"
        "        [ 4.,  3.,  2.,  1.]])"
    )
    assert repr(b) == (
        "tensor([[ 0.,  1.,  2.,  3.,  2.,  1.,  4.,  3.],\n"
        "        [ 4.,  5.,  6.,  7.,  1.,  2.,  3.,  4.],\n"
        "        [ 8.,  9., 10., 11.,  4.,  3.,  2.,  1.]])"
    )
    assert a._storage_ptr() != X._storage_ptr()  # cat copies
    assert rg.cat([X, Y]).shape == (6, 4)  # list, default dim 0


def test_e14_broadcasting_operands():
    a = rg.arange(3).reshape((3, 1))
    b = rg.arange(2).reshape((1, 2))
    assert repr(a) == "tensor([[0],\n        [1],\n        [2]])"
    assert repr(b) == "tensor([[0, 1]])"
    assert repr(a + b) == "tensor([[0, 1],\n        [1, 2],\n        [2, 3]])"


def test_e18_to_e20_indexing_and_assignment(XY):
    X, _ = XY
    assert repr(X[-1]) == "tensor([ 8.,  9., 10., 11.])"
    assert repr(X[1:3]) == "tensor([[ 4.,  5.,  6.,  7.],\n        [ 8.,  9., 10., 11.]])"
    X[1, 2] = 9
    assert repr(X) == (
        "tensor([[ 0.,  1.,  2.,  3.],\n"
        "        [ 4.,  5.,  9.,  7.],\n"
        "        [ 8.,  9., 10., 11.]])"
    )
    X[0:2, :] = 12
    assert repr(X) == (
        "tensor([[12., 12., 12., 12.],\n"
        "        [12., 12., 12., 12.],\n"
        "        [ 8.,  9., 10., 11.]])"
    )


def test_e21_slices_with_start_stop_step():
    Z = rg.arange(16).reshape(4, 4)
    a, b = Z[1:3, 1:], Z[::3, ::2]
    assert repr(a) == "tensor([[ 5,  6,  7],\n        [ 9, 10, 11]])"
    assert repr(b) == "tensor([[ 0,  2],\n        [12, 14]])"
    assert a._storage_ptr() == Z._storage_ptr() and b._storage_ptr() == Z._storage_ptr()
    assert (a.stride(), a.storage_offset(), b.stride()) == ((4, 1), 5, (12, 2))


def test_e22_to_e25_identity(XY, capsys):
    X, Y = XY
    before = id(Y)
    Y = Y + X
    assert (id(Y) == before) is False
    x = rg.arange(12).reshape(3, 4)
    before = id(x)
    x = x + rg.ones((3, 4))
    assert (id(x) == before) is False
    Z = rg.zeros_like(Y)
    print("id(Z):", id(Z))
    ptr = Z._storage_ptr()
    Z[:] = X + Y
    print("id(Z):", id(Z))
    first, second = capsys.readouterr().out.splitlines()
    assert first == second and first.startswith("id(Z): ")
    assert Z._storage_ptr() == ptr
    np.testing.assert_array_equal(Z.numpy(), (X + Y).numpy())
    before = id(X)
    X += Y
    assert (id(X) == before) is True


def test_e27_numpy_shares_memory_tensor_copies():
    t = rg.arange(3)
    n = t.numpy()
    c = rg.tensor(n)
    t += 10
    assert (repr(n), repr(c)) == ("array([10, 11, 12])", "tensor([0, 1, 2])")


def test_e29_reshape_returns_a_view():
    a = rg.arange(12)
    b = a.reshape((3, 4))
    b[:] = 2
    assert repr(a) == "tensor([2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2])"


def test_e32_impossible_reshape():
    with pytest.raises(RuntimeError) as info:
        rg.arange(12).reshape(5, 3)
    assert f"{type(info.value).__name__}: {info.value}" == (
        "RuntimeError: shape '[5, 3]' is invalid for input of size 12"
    )


def test_e39_vector_element_access():
    x = rg.arange(4)
    assert (repr(x), repr(x[3]), len(x), repr(x.shape)) == (
        "tensor([0, 1, 2, 3])",
        "tensor(3)",
        4,
        "rustgrad.Size([4])",
    )


def test_e40_e41_transpose():
    A = rg.arange(20).reshape(5, 4)
    assert repr(A.T) == (
        "tensor([[ 0,  4,  8, 12, 16],\n"
        "        [ 1,  5,  9, 13, 17],\n"
        "        [ 2,  6, 10, 14, 18],\n"
        "        [ 3,  7, 11, 15, 19]])"
    )
    assert A.T._storage_ptr() == A._storage_ptr()
    B = rg.tensor([[1, 2, 3], [2, 0, 4], [3, 4, 5]])
    assert repr(B == B.T) == (
        "tensor([[True, True, True],\n        [True, True, True],\n        [True, True, True]])"
    )


def test_e42_clone_copies():
    A = rg.arange(20, dtype=rg.float32).reshape(5, 4)
    B = A.clone()
    assert repr(A) == (
        "tensor([[ 0.,  1.,  2.,  3.],\n"
        "        [ 4.,  5.,  6.,  7.],\n"
        "        [ 8.,  9., 10., 11.],\n"
        "        [12., 13., 14., 15.],\n"
        "        [16., 17., 18., 19.]])"
    )
    B[0] = 100
    assert A[0].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_e94_list_indexed_by_a_tensor_is_a_type_error():
    features = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    batch_indices = rg.tensor([1, 3, 5])
    with pytest.raises(TypeError) as info:
        features[batch_indices]
    assert (
        str(info.value) == "only integer tensors of a single element can be converted to an index"
    )
    assert features[rg.tensor(1)] == 1


def test_e95_index_tensor_gathers_rows():
    features = rg.tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    labels = rg.tensor([0, 1, 0, 1, 0, 1, 0, 1, 0, 1])
    batch_indices = rg.tensor([1, 3, 5])
    got = features[batch_indices], labels[batch_indices]
    assert (repr(got[0]), repr(got[1])) == ("tensor([1, 3, 5])", "tensor([1, 1, 1])")
    assert got[0]._storage_ptr() != features._storage_ptr()  # advanced indexing copies


def test_e98_reshape_minus_one():
    y = rg.arange(1000, dtype=rg.float32)
    assert y.reshape((-1, 1)).shape == (1000, 1)
    X = rg.ones(1000, 2)
    assert repr(X[0]) == "tensor([1., 1.])" and X[:, (1)].shape == (1000,)


def test_e104_e105_fancy_indexing():
    y = rg.tensor([0, 2])
    y_hat = rg.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    assert repr(y_hat[[0, 1], y]) == "tensor([0.1000, 0.5000])"

    def cross_entropy(y_hat, y):
        return -rg.log(y_hat[range(len(y_hat)), y])

    assert repr(cross_entropy(y_hat, y)) == "tensor([2.3026, 0.6931])"


def test_parameter_style_inplace_init_through_views():
    # net[0].weight.data.normal_(0, 0.01); net[0].bias.data.fill_(0)
    w, b = rg.zeros(1, 2), rg.ones(1)
    assert w.normal_(0, 0.01) is w and b.fill_(0) is b
    assert b.tolist() == [0.0] and 0 < np.abs(w.numpy()).max() < 0.1
    # param -= lr * grad keeps the object and storage
    ptr, obj = w._storage_ptr(), id(w)
    w -= 0.1 * rg.ones(1, 2)
    assert (w._storage_ptr(), id(w)) == (ptr, obj)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.int32, np.uint8, np.bool_])
def test_copies_of_strided_views_match_numpy(dtype):
    # the contiguous copy of a view whose last dimension is strided steps a pointer down it
    rng = np.random.default_rng(2)
    base = rng.integers(0, 100, (9, 301)).astype(dtype)
    t = rg.tensor(base)
    views = {
        "every other column": lambda a: a[:, ::2],
        "one column": lambda a: a[:, 3],
        "rows and columns stepped": lambda a: a[1::3, 2:-1:7],
        "transposed": lambda a: a.T,
    }
    for name, view in views.items():
        got = view(t).contiguous()
        assert got.is_contiguous()
        np.testing.assert_array_equal(got.numpy(), view(base), err_msg=name)
        np.testing.assert_array_equal(view(t).clone().numpy(), view(base), err_msg=name)
        cast = view(t).to(rg.float64).numpy()
        np.testing.assert_array_equal(cast, view(base).astype(np.float64), err_msg=name)
