"""Creation functions: every signature variant, torch's dtype inference and the seeded generator.
Expected texts are torch's (with `torch.` written `rustgrad.`)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rustgrad as rg

# --- tensor(): dtype inference and copying -----------------------------------------------------


@pytest.mark.parametrize(
    ("data", "dtype"),
    [
        ([1, 2], rg.int64),
        ([1.0], rg.float32),
        ([1, 2.0], rg.float32),
        ([True], rg.bool),
        ([True, 1], rg.int64),
        ([True, 1.5], rg.float32),
        (3, rg.int64),
        (3.5, rg.float32),
        (True, rg.bool),
        ((1, 2), rg.int64),
        (range(3), rg.int64),
        ([], rg.float32),
        ([[]], rg.float32),
        (np.ones(2), rg.float64),
        (np.arange(3), rg.int64),
        (np.arange(3, dtype=np.int32), rg.int32),
        (np.arange(3, dtype=np.uint8), rg.uint8),
        (np.ones(2, dtype=np.float32), rg.float32),
        (np.array([True, False]), rg.bool),
        (np.float64(2.0), rg.float64),
        (np.int32(3), rg.int32),
        (np.bool_(True), rg.bool),
        ([np.float64(1.0), 2], rg.float64),
        ([rg.tensor(1), rg.tensor(2)], rg.int64),
    ],
)
def test_tensor_infers_torch_dtypes(data, dtype):
    assert rg.tensor(data).dtype == dtype


def test_tensor_values_and_shapes():
    assert rg.tensor([[1, 2, 3, 4], [5, 6, 7, 8]]).tolist() == [[1, 2, 3, 4], [5, 6, 7, 8]]
    assert rg.tensor(3.5).shape == () and rg.tensor(3.5).item() == 3.5
    assert rg.tensor([[]]).shape == (1, 0)
    assert rg.tensor([[1.5, 2], [3, 4]], dtype=rg.int32).tolist() == [[1, 2], [3, 4]]
    assert rg.tensor([1.7, -1.7], dtype=rg.int64).tolist() == [1, -1]
    assert rg.tensor([0, 2], dtype=rg.bool).tolist() == [False, True]
    assert rg.tensor([1, 2], dtype=rg.float64).dtype == rg.float64
    assert repr(rg.tensor(np.ones((2, 3))[:, ::2])) == (
        "tensor([[1., 1.],\n        [1., 1.]], dtype=rustgrad.float64)"
    )


def test_tensor_accepts_dtype_spellings():
    assert rg.tensor([1], dtype=float).dtype == rg.float64
    assert rg.tensor([1.5], dtype=int).dtype == rg.int64
    assert rg.tensor([1], dtype=bool).dtype == rg.bool
    assert rg.tensor([1], dtype="float32").dtype == rg.float32
    assert rg.tensor([1], dtype=rg.float).dtype == rg.float32
    assert rg.tensor([1], dtype=rg.double).dtype == rg.float64
    assert rg.tensor([1], dtype=rg.long).dtype == rg.int64
    assert rg.tensor([1], dtype=rg.int).dtype == rg.int32
    with pytest.raises(TypeError):
        rg.tensor([1], dtype="complex")
    with pytest.raises(TypeError):
        rg.tensor([1], dtype=str)


def test_tensor_always_copies():
    a = np.arange(3)
    t = rg.tensor(a)
    a[0] = 100
    assert t.tolist() == [0, 1, 2]
    src = rg.tensor([1.0, 2.0])
    copy = rg.tensor(src)
    src += 1
    assert copy.tolist() == [1.0, 2.0]


@given(hnp.arrays(hnp.scalar_dtypes().filter(lambda d: d.kind in "biuf"), hnp.array_shapes()))
def test_tensor_from_any_supported_array_keeps_dtype_and_values(a):
    names = {"bool", "uint8", "int32", "int64", "float32", "float64"}
    if a.dtype.name not in names:
        with pytest.raises(TypeError, match="can't convert np.ndarray of type"):
            rg.tensor(a)
        return
    # (arrays of the other byte order are converted)
    t = rg.tensor(a)
    assert str(t.dtype) == "rustgrad." + a.dtype.name
    np.testing.assert_array_equal(t.numpy(), a)


@pytest.mark.parametrize(
    ("data", "exc", "message"),
    [
        ([[1, 2], [3]], ValueError, "expected sequence of length 2 at dim 1 (got 1)"),
        ([[1, 2], 3], TypeError, "not a sequence"),
        ("a", TypeError, "new(): invalid data type 'str'"),
        ([1, "a"], TypeError, "new(): invalid data type 'str'"),
        (None, RuntimeError, "Could not infer dtype of NoneType"),
        ([2**63], ValueError, "Overflow when unpacking long long"),
    ],
)
def test_tensor_rejects_bad_data(data, exc, message):
    with pytest.raises(exc) as e:
        rg.tensor(data)
    assert str(e.value) == message


def test_object_arrays_are_rejected():
    with pytest.raises(TypeError, match=r"^can't convert np.ndarray of type numpy.object_\."):
        rg.tensor(np.array([1, None], dtype=object))


def test_huge_ints_are_fine_in_float_data():
    assert rg.tensor([1.5, 2**63]).tolist() == [1.5, float(2**63)]


def test_as_tensor_shares_numpy_memory_and_tensors():
    a = np.arange(3.0)
    t = rg.as_tensor(a)
    a[0] = 7
    assert t.tolist() == [7.0, 1.0, 2.0] and t.dtype == rg.float64
    converted = rg.as_tensor(a, dtype=rg.float32)
    a[1] = 9
    assert converted.tolist() == [7.0, 1.0, 2.0]
    x = rg.ones(2)
    assert rg.as_tensor(x) is x
    assert rg.as_tensor([1, 2]).dtype == rg.int64


# --- factories with sizes ----------------------------------------------------------------------

SIZE_FORMS = [((2, 3), {}), (((2, 3),), {}), (([2, 3],), {}), ((), {"size": (2, 3)})]


@pytest.mark.parametrize("fn", [rg.zeros, rg.ones, rg.empty, rg.rand, rg.randn])
@pytest.mark.parametrize(("args", "kwargs"), SIZE_FORMS)
def test_sizes_as_varargs_tuple_list_or_keyword(fn, args, kwargs):
    t = fn(*args, **kwargs)
    assert t.shape == (2, 3) and isinstance(t.shape, rg.Size)
    assert t.dtype == rg.float32


@pytest.mark.parametrize("fn", [rg.zeros, rg.ones, rg.empty, rg.rand, rg.randn])
def test_zero_dim_and_empty_sizes(fn):
    assert fn(()).shape == ()
    assert fn([]).shape == ()
    assert fn(size=()).shape == ()
    assert fn(0).shape == (0,)
    assert fn(2, 0, 3).shape == (2, 0, 3)


def test_zeros_ones_empty_values_and_dtypes():
    assert rg.zeros(2, 3).tolist() == [[0.0] * 3] * 2
    assert rg.ones([6]).tolist() == [1.0] * 6
    assert rg.empty(2).tolist() == [0.0, 0.0]
    assert rg.zeros((2, 3), dtype=rg.int32).dtype == rg.int32
    assert rg.ones(2, 3, dtype=rg.bool).tolist() == [[True] * 3] * 2
    assert rg.ones((2,), dtype=rg.uint8).tolist() == [1, 1]
    assert rg.ones(4, dtype=rg.float32).dtype == rg.float32
    assert repr(rg.zeros(())) == "tensor(0.)"
    assert repr(rg.empty(0)) == "tensor([])"


@pytest.mark.parametrize("fn", [rg.zeros, rg.ones, rg.empty, rg.rand, rg.randn])
def test_negative_sizes_are_runtime_errors(fn):
    with pytest.raises(RuntimeError, match="negative dimension -1"):
        fn(2, -1)


@pytest.mark.parametrize("bad", [2.5, "a", [1, 2.0]])
def test_sizes_must_be_integers(bad):
    with pytest.raises(TypeError):
        rg.zeros(bad)


def test_full_infers_the_fill_dtype():
    assert repr(rg.full((2,), 7)) == "tensor([7, 7])"
    assert repr(rg.full((2,), 1.5)) == "tensor([1.5000, 1.5000])"
    assert repr(rg.full((2,), True)) == "tensor([True, True])"
    assert repr(rg.full([2, 1], 7, dtype=rg.float64)) == (
        "tensor([[7.],\n        [7.]], dtype=rustgrad.float64)"
    )


def test_like_factories_keep_shape_and_dtype():
    x = rg.ones(2, 3, dtype=rg.int32)
    assert rg.zeros_like(x).dtype == rg.int32 and rg.zeros_like(x).shape == (2, 3)
    assert rg.zeros_like(x).tolist() == [[0] * 3] * 2
    assert rg.ones_like(x).tolist() == [[1] * 3] * 2
    assert rg.ones_like(rg.ones(2), dtype=rg.int64).dtype == rg.int64
    assert rg.full_like(rg.ones(2), 7).tolist() == [7.0, 7.0]
    assert rg.full_like(rg.arange(2), 2.7).tolist() == [2, 2]
    assert rg.empty_like(x).shape == (2, 3) and rg.empty_like(x).dtype == rg.int32
    assert rg.zeros_like(rg.tensor([True])).dtype == rg.bool
    view = rg.ones(2, 3).T
    assert rg.zeros_like(view).shape == (3, 2)


# --- ranges ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "text"),
    [
        ((5,), {}, "tensor([0, 1, 2, 3, 4])"),
        ((1, 5), {}, "tensor([1, 2, 3, 4])"),
        ((1, 10, 3), {}, "tensor([1, 4, 7])"),
        ((10, 0, -2), {}, "tensor([10,  8,  6,  4,  2])"),
        ((), {"end": 5}, "tensor([0, 1, 2, 3, 4])"),
        ((), {"start": 1, "end": 4}, "tensor([1, 2, 3])"),
        ((1, 4), {"step": 2}, "tensor([1, 3])"),
        ((0, 1, 0.25), {}, "tensor([0.0000, 0.2500, 0.5000, 0.7500])"),
        ((5.0,), {}, "tensor([0., 1., 2., 3., 4.])"),
        ((0.5, 2), {}, "tensor([0.5000, 1.5000])"),
        ((1, 2.5, 0.5), {}, "tensor([1.0000, 1.5000, 2.0000])"),
        ((0, 10, 3.0), {}, "tensor([0., 3., 6., 9.])"),
        ((3,), {"dtype": rg.float64}, "tensor([0., 1., 2.], dtype=rustgrad.float64)"),
        ((4,), {"dtype": rg.int32}, "tensor([0, 1, 2, 3], dtype=rustgrad.int32)"),
        ((12,), {"dtype": rg.float32}, None),
        ((0,), {}, "tensor([], dtype=rustgrad.int64)"),
    ],
)
def test_arange_variants(args, kwargs, text):
    t = rg.arange(*args, **kwargs)
    if text is not None:
        assert repr(t) == text
    else:
        assert t.tolist() == [float(i) for i in range(12)]


def test_arange_dtypes_and_lengths():
    assert rg.arange(12).dtype == rg.int64
    assert rg.arange(4.0).dtype == rg.float32
    assert rg.arange(-8.0, 8.0, 0.1).shape == (160,)
    np.testing.assert_allclose(rg.arange(0, 1, 0.1).numpy(), np.arange(0, 1, 0.1), rtol=1e-6)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 5, 0), "step must be nonzero"),
        ((5, 0), "upper bound and lower bound inconsistent with step sign"),
        ((0, 5, -1), "upper bound and lower bound inconsistent with step sign"),
    ],
)
def test_arange_errors(args, message):
    with pytest.raises(RuntimeError) as e:
        rg.arange(*args)
    assert str(e.value) == message


@pytest.mark.parametrize(
    ("args", "kwargs", "text"),
    [
        ((0, 1, 5), {}, "tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])"),
        (
            (-1, 1, 7),
            {},
            "tensor([-1.0000e+00, -6.6667e-01, -3.3333e-01, -2.9802e-08,  3.3333e-01,\n"
            "         6.6667e-01,  1.0000e+00])",
        ),
        ((0, 10, 4), {}, "tensor([ 0.0000,  3.3333,  6.6667, 10.0000])"),
        ((3, 3, 1), {}, "tensor([3.])"),
        ((0, 1, 0), {}, "tensor([])"),
        (
            (0, 1),
            {"steps": 3, "dtype": rg.float64},
            "tensor([0.0000, 0.5000, 1.0000], dtype=rustgrad.float64)",
        ),
        ((0.1, 0.9, 5), {}, "tensor([0.1000, 0.3000, 0.5000, 0.7000, 0.9000])"),
        ((0, 1, 3), {"dtype": rg.int64}, "tensor([0, 0, 1])"),
        ((0, 10, 3), {"dtype": rg.int64}, "tensor([ 0,  5, 10])"),
    ],
)
def test_linspace_matches_torch_text(args, kwargs, text):
    assert repr(rg.linspace(*args, **kwargs)) == text


@given(
    st.floats(-1e3, 1e3),
    st.floats(-1e3, 1e3),
    st.integers(2, 300),
)
def test_linspace_ends_exactly_and_is_close_to_numpy(start, end, steps):
    t = rg.linspace(start, end, steps, dtype=rg.float64)
    values = t.numpy()
    assert values[0] == start and values[-1] == end
    np.testing.assert_allclose(values, np.linspace(start, end, steps), rtol=1e-12, atol=1e-9)


def test_linspace_negative_steps():
    with pytest.raises(RuntimeError, match="number of steps must be non-negative"):
        rg.linspace(0, 1, -1)


# --- eye ---------------------------------------------------------------------------------------


def test_eye_variants():
    assert repr(rg.eye(2)) == "tensor([[1., 0.],\n        [0., 1.]])"
    assert repr(rg.eye(2, 3)) == "tensor([[1., 0., 0.],\n        [0., 1., 0.]])"
    assert (
        repr(rg.eye(3, 2, dtype=rg.int64)) == "tensor([[1, 0],\n        [0, 1],\n        [0, 0]])"
    )
    assert repr(rg.eye(0)) == "tensor([], size=(0, 0))"
    assert rg.eye(3, dtype=rg.bool).tolist() == np.eye(3, dtype=bool).tolist()
    with pytest.raises(RuntimeError, match="n must be greater or equal to 0, got -1"):
        rg.eye(-1)


# --- random ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "draw",
    [
        lambda: rg.randn(3, 4),
        lambda: rg.rand(5),
        lambda: rg.randint(0, 10, (6,)),
        lambda: rg.normal(0, 1, (2, 2)),
        lambda: rg.randn(size=()),
    ],
)
def test_manual_seed_makes_draws_reproducible(draw):
    rg.manual_seed(42)
    first = draw().tolist()
    more = draw().tolist()
    rg.manual_seed(42)
    assert draw().tolist() == first
    assert draw().tolist() == more
    rg.manual_seed(43)
    assert draw().tolist() != first


def test_seeds_are_remembered():
    rg.manual_seed(1234)
    assert rg.initial_seed() == 1234


def test_randn_is_standard_normal():
    rg.manual_seed(0)
    x = rg.randn(200_000).numpy()
    assert x.dtype == np.float32
    assert abs(x.mean()) < 0.01 and abs(x.std() - 1) < 0.01
    assert rg.randn(3, 4).shape == (3, 4) and rg.randn(3, 4).dtype == rg.float32
    assert rg.randn(2, dtype=rg.float64).dtype == rg.float64
    z = rg.randn(size=())
    assert z.shape == () and z.dim() == 0


def test_rand_is_uniform_in_the_unit_interval():
    rg.manual_seed(0)
    x = rg.rand(100_000).numpy()
    assert x.min() >= 0 and x.max() < 1
    assert abs(x.mean() - 0.5) < 0.01


def test_randint_signatures_and_range():
    rg.manual_seed(0)
    t = rg.randint(-2, 3, (1000,))
    assert t.dtype == rg.int64 and set(t.tolist()) == {-2, -1, 0, 1, 2}
    assert rg.randint(5, (3,)).shape == (3,)
    assert rg.randint(5, size=(2, 2)).shape == (2, 2)
    assert rg.randint(0, 5, (2,), dtype=rg.int32).dtype == rg.int32
    with pytest.raises(RuntimeError, match="random_ expects 'from' to be less than 'to'"):
        rg.randint(5, 5, (2,))


def test_normal_signatures_and_moments():
    rg.manual_seed(0)
    x = rg.normal(3.0, 2.0, (100_000,)).numpy()
    assert abs(x.mean() - 3) < 0.05 and abs(x.std() - 2) < 0.05
    assert rg.normal(0, 1, (2,)).dtype == rg.float32
    assert rg.normal(0.0, 1.0, size=(2, 3)).shape == (2, 3)
    assert rg.normal(rg.zeros(3), 1.0).shape == (3,)
    assert rg.normal(rg.zeros(2, 1), rg.ones(3)).shape == (2, 3)
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0"):
        rg.normal(0, -1, (2,))


@pytest.mark.parametrize("fn", [rg.randn, rg.rand])
def test_random_floats_need_a_float_dtype(fn):
    with pytest.raises(RuntimeError, match="not implemented for 'Long'"):
        fn(2, dtype=rg.int64)


# --- default dtype -----------------------------------------------------------------------------


def test_set_default_dtype_changes_float_factories():
    assert rg.get_default_dtype() == rg.float32
    try:
        rg.set_default_dtype(rg.float64)
        assert rg.get_default_dtype() == rg.float64
        assert rg.ones(2).dtype == rg.float64
        assert rg.tensor([1.5]).dtype == rg.float64
        assert (rg.arange(2) / 2).dtype == rg.float64
        assert repr(rg.tensor([1.5])) == "tensor([1.5000])"
        assert (
            repr(rg.tensor([1.5], dtype=rg.float32)) == "tensor([1.5000], dtype=rustgrad.float32)"
        )
    finally:
        rg.set_default_dtype(rg.float32)
    assert rg.ones(2).dtype == rg.float32
    with pytest.raises(TypeError):
        rg.set_default_dtype(rg.int64)


def test_threads_setting_round_trips():
    n = rg.get_num_threads()
    assert n >= 1
    rg.set_num_threads(1)
    assert rg.get_num_threads() == 1
    assert (rg.ones(100_000) + 1).tolist()[-1] == 2.0
    rg.set_num_threads(n)
    with pytest.raises(RuntimeError):
        rg.set_num_threads(0)


def test_float_ranges_reach_printing():
    # a float range mixing whole and fractional values prints with 4 decimals
    assert repr(rg.arange(0.0, 1.5, 0.5)) == "tensor([0.0000, 0.5000, 1.0000])"
    assert not math.isnan(rg.linspace(-1, 1, 7).tolist()[3])
