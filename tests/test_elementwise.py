"""Elementwise math cross-checked against NumPy, with the result dtype checked against torch's
promotion rules (spec 1.1), written here from the rules rather than read from rustgrad.

Every operand kind is covered: tensors with dimensions, 0-d tensors and Python scalars on either
side, broadcasting shapes (including 0- and 1-sized dimensions), every dtype pair, and
non-contiguous inputs (permuted and strided views).
"""

from __future__ import annotations

import math
import operator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rustgrad as rg

DTYPES = ["bool", "uint8", "int32", "int64", "float32", "float64"]
CATEGORY = {"bool": 0, "uint8": 1, "int32": 1, "int64": 1, "float32": 2, "float64": 2}
RANKS = ("dim", "zero", "scalar")


# --- the dtype oracle (spec 1.1) ---------------------------------------------------------------


def scalar_dtype(value) -> str:
    """The dtype a Python scalar contributes when its category decides the result."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    return "float32"  # the default float dtype


def kind_of(x) -> tuple[str, str]:
    """(rank, dtype) of an operand: a tensor with dimensions, a 0-d tensor or a Python scalar."""
    if isinstance(x, rg.Tensor):
        return ("dim" if x.dim() > 0 else "zero", str(x.dtype).split(".")[1])
    return ("scalar", scalar_dtype(x))


def promote(*operands) -> str:
    """torch.result_type: the largest category wins; within it, the widest dtype among the
    highest-ranked operands (dimensioned tensor > 0-d tensor > Python scalar) of that category."""
    kinds = [kind_of(x) for x in operands]
    top = max(CATEGORY[d] for _, d in kinds)
    for rank in RANKS:
        candidates = [d for r, d in kinds if r == rank and CATEGORY[d] == top]
        if candidates:
            return max(candidates, key=DTYPES.index)
    raise AssertionError("no operands")


# --- operations and their NumPy references -----------------------------------------------------

BINARY = {
    # name: (python operator, numpy function)
    "add": (operator.add, np.add),
    "sub": (operator.sub, np.subtract),
    "mul": (operator.mul, np.multiply),
    "truediv": (operator.truediv, np.true_divide),
    "floordiv": (operator.floordiv, np.floor_divide),
    "mod": (operator.mod, np.remainder),
    "pow": (operator.pow, np.power),
    "and": (operator.and_, np.bitwise_and),
    "or": (operator.or_, np.bitwise_or),
    "xor": (operator.xor, np.bitwise_xor),
    "eq": (operator.eq, np.equal),
    "ne": (operator.ne, np.not_equal),
    "lt": (operator.lt, np.less),
    "le": (operator.le, np.less_equal),
    "gt": (operator.gt, np.greater),
    "ge": (operator.ge, np.greater_equal),
    "maximum": (rg.maximum, np.maximum),
    "minimum": (rg.minimum, np.minimum),
}
COMPARISONS = {"eq", "ne", "lt", "le", "gt", "ge"}
BITWISE = {"and", "or", "xor"}


def expected_error(name: str, x, y, common: str) -> str | None:
    """The error torch raises for these operands, or None (spec 1.6 and torch's kernels)."""
    is_bool = [kind_of(v)[1] == "bool" for v in (x, y)]
    if name == "sub" and any(is_bool):
        return "Subtraction, the `-` operator, with " + (
            "two bool tensors" if all(is_bool) else "a bool tensor"
        )
    if name in ("floordiv", "mod") and common == "bool":
        return "not implemented for 'Bool'"
    if name == "pow" and common == "bool" and isinstance(y, rg.Tensor):
        return "\"pow\" not implemented for 'Bool'"  # a Python bool exponent is allowed
    if name in BITWISE and CATEGORY[common] == 2:
        return "not implemented for"
    negative_int = isinstance(y, int) and not isinstance(y, bool) and y < 0
    if name == "pow" and CATEGORY[common] == 1 and negative_int:
        return "Integers to negative integer powers are not allowed"
    return None


def result_dtypes(name: str, common: str) -> tuple[str, str]:
    """(dtype the op computes in, dtype of its result)."""
    if name == "truediv" and CATEGORY[common] < 2:
        return "float32", "float32"
    if name in COMPARISONS:
        return common, "bool"
    return common, common


def as_numpy(x, dtype: str) -> np.ndarray:
    if isinstance(x, rg.Tensor):
        x = x.numpy()
    return np.asarray(x).astype(dtype)


def check_binary(name: str, x, y):
    """Runs `x op y` in rustgrad and compares with NumPy computing in the oracle's dtype."""
    op, npf = BINARY[name]
    common = promote(x, y)
    err = expected_error(name, x, y, common)
    if err is not None:
        with pytest.raises(RuntimeError, match=err.replace("(", r"\(")):
            op(x, y)
        return
    compute, result = result_dtypes(name, common)
    a, b = as_numpy(x, compute), as_numpy(y, compute)
    nonempty = np.broadcast(a, b).size > 0
    if name in ("floordiv", "mod") and CATEGORY[compute] < 2 and (b == 0).any() and nonempty:
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            op(x, y)
        return
    with np.errstate(all="ignore"):
        want = np.asarray(npf(a, b)).astype(result)
    got = op(x, y)
    assert isinstance(got, rg.Tensor)
    assert got.dtype == getattr(rg, result), (name, kind_of(x), kind_of(y))
    assert got.shape == want.shape
    assert_same(got, want, rtol=2e-6 if name == "pow" else 0)


def assert_same(got: rg.Tensor, want: np.ndarray, rtol: float = 0.0):
    values = got.numpy()
    assert values.dtype == want.dtype
    if want.dtype.kind == "f" and rtol:
        np.testing.assert_allclose(values, want, rtol=rtol, atol=0, equal_nan=True)
    else:
        np.testing.assert_array_equal(values, want)


# --- strategies --------------------------------------------------------------------------------


def elements(dtype: str, exponent: bool = False):
    """Values that keep every op inside the range where torch and NumPy agree bit for bit
    (small integers, so that products and powers do not overflow)."""
    if dtype == "bool":
        return st.booleans()
    if CATEGORY[dtype] == 1:
        lo = 0 if dtype == "uint8" else -50
        if exponent:
            return st.integers(0, 3)
        return st.integers(lo, 50)
    width = 32 if dtype == "float32" else 64
    finite = st.floats(-100, 100, width=width, allow_subnormal=False)
    special = st.sampled_from([0.0, -0.0, math.inf, -math.inf, math.nan, 0.5, -2.0])
    return st.one_of(finite, finite, special)


def layouts():
    return st.sampled_from(["contiguous", "permuted", "strided"])


def make_tensor(values: np.ndarray, layout: str) -> rg.Tensor:
    """A tensor equal to `values`, contiguous or a non-contiguous view."""
    if layout == "permuted" and values.ndim >= 2:
        perm = list(range(values.ndim))[::-1]
        base = np.ascontiguousarray(values.transpose(perm))
        t = rg.tensor(base).T if values.ndim == 2 else rg.tensor(base).permute(*perm)
        assert not t.is_contiguous() or 1 in values.shape or 0 in values.shape
        return t
    if layout == "strided" and values.ndim >= 1:
        big = np.zeros(values.shape[:-1] + (values.shape[-1] * 2,), dtype=values.dtype)
        big[..., ::2] = values
        t = rg.from_numpy(big[..., ::2])
        return t
    return rg.tensor(values)


@st.composite
def operand_pair(draw, name: str):
    """Two operands of random dtypes: tensors of mutually broadcastable shapes (sometimes 0-d),
    or a tensor and a Python scalar on either side. Exponents of `pow` are small and
    non-negative (negative ones are tested separately)."""
    da, db = draw(st.sampled_from(DTYPES)), draw(st.sampled_from(DTYPES))
    shapes = draw(
        hnp.mutually_broadcastable_shapes(
            num_shapes=2, min_dims=0, max_dims=3, min_side=0, max_side=4
        )
    ).input_shapes
    is_pow = name == "pow"
    kinds = ["tensor"] if name in ("maximum", "minimum") else ["tensor", "right", "left"]
    kind = draw(st.sampled_from(kinds))
    a = draw(hnp.arrays(da, shapes[0], elements=elements(da)))
    b = draw(hnp.arrays(db, shapes[1], elements=elements(db, exponent=is_pow)))
    if kind == "tensor":
        return make_tensor(a, draw(layouts())), make_tensor(b, draw(layouts()))
    scalar_type = draw(st.sampled_from(["bool", "int64", "float64"]))
    to_python = {"bool": bool, "int64": int, "float64": float}[scalar_type]
    if kind == "right":
        s = to_python(draw(elements(scalar_type, exponent=is_pow)))
        return make_tensor(a, draw(layouts())), s
    s = to_python(draw(elements(scalar_type)))
    return s, make_tensor(b, draw(layouts()))


# --- binary ops --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_matches_numpy_with_torch_dtypes(name, data):
    x, y = data.draw(operand_pair(name))
    check_binary(name, x, y)


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("da", DTYPES)
@pytest.mark.parametrize("db", DTYPES)
def test_every_dtype_pair(name, da, db):
    """Each pair of dtypes, as dimensioned tensors and as a tensor with a 0-d tensor."""
    a = np.array([[1, 0, 3], [2, 1, 0]]).astype(da)
    b = np.array([2, 1, 1]).astype(db)
    check_binary(name, rg.tensor(a), rg.tensor(b))
    check_binary(name, rg.tensor(a), rg.tensor(b[0]))
    check_binary(name, rg.tensor(a[0, 0]), rg.tensor(b))


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scalar", [True, 2, 2.5, -1])
def test_tensor_scalar_both_sides(name, dtype, scalar):
    t = rg.tensor(np.array([1, 0, 3, 2]).astype(dtype))
    if name in ("maximum", "minimum"):
        scalar = rg.tensor(scalar)  # torch.maximum takes tensors only
    check_binary(name, t, scalar)
    check_binary(name, scalar, t)


def test_promotion_examples_from_the_spec():
    # int64 tensor * 2.5 -> float32; float32 tensor * Python float -> float32;
    # int32 tensor + Python int -> int32; float32 + float64 -> float64; int / int -> float32
    assert (rg.arange(3) * 2.5).dtype == rg.float32
    assert (rg.ones(2) * 3.0).dtype == rg.float32
    assert (rg.ones(2, dtype=rg.int32) + 7).dtype == rg.int32
    assert (rg.ones(2) + rg.ones(2, dtype=rg.float64)).dtype == rg.float64
    assert (rg.arange(3) / rg.arange(1, 4)).dtype == rg.float32
    assert (rg.tensor([True]) + rg.tensor([True])).dtype == rg.bool
    assert (rg.tensor([True]) + 1).dtype == rg.int64
    assert (rg.ones(2) + rg.tensor(1.0, dtype=rg.float64)).dtype == rg.float32
    assert (rg.arange(2) + rg.tensor(1.0, dtype=rg.float64)).dtype == rg.float64
    assert rg.result_type(rg.arange(2, dtype=rg.int32), 2.5) == rg.float32


def test_bool_arithmetic_as_torch():
    t, f = rg.tensor([True, False]), rg.tensor([True, True])
    assert (t + f).tolist() == [True, True]
    assert (t * f).tolist() == [True, False]
    assert (t / f).tolist() == [1.0, 0.0]
    assert (t**2).tolist() == [1, 0] and (t**2).dtype == rg.int64
    with pytest.raises(RuntimeError, match="two bool tensors"):
        t - f
    with pytest.raises(RuntimeError, match="with a bool tensor"):
        rg.ones(2) - True


def test_integer_division_rounds_down_and_remainder_takes_the_divisor_sign():
    a, b = rg.tensor([7, -7, 7, -7]), rg.tensor([2, 2, -2, -2])
    assert (a // b).tolist() == [3, -4, -4, 3]
    assert (a % b).tolist() == [1, 1, -1, -1]
    assert (rg.tensor([-7.5]) // 2).tolist() == [-4.0]
    assert (rg.tensor([5.5]) % -2).tolist() == [-0.5]
    assert (rg.tensor([1.0, -1.0, 0.0]) // 0).tolist()[:2] == [math.inf, -math.inf]


def test_integer_powers():
    assert (rg.tensor([2, 3]) ** 2).tolist() == [4, 9]
    assert (rg.tensor([3]) ** rg.tensor([70])).tolist() == [(3**70 + 2**63) % 2**64 - 2**63]
    # a negative exponent tensor gives 1 / base truncated; a negative Python int is an error
    assert (rg.tensor([-1, 1, 2, -1]) ** rg.tensor([-3, -2, -2, -2])).tolist() == [-1, 1, 0, 1]
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed"):
        rg.tensor([2]) ** -1
    assert (rg.tensor([2]) ** -1.0).tolist() == [0.5]
    assert (2 ** rg.tensor([3])).tolist() == [8]
    assert (2.5 ** rg.tensor([2])).tolist() == [6.25]
    assert (rg.tensor([2.0]) ** rg.tensor([-1])).tolist() == [0.5]


def test_bitwise_ops_reject_floats():
    with pytest.raises(RuntimeError, match="\"bitwise_and_cpu\" not implemented for 'Float'"):
        rg.tensor([3]) & 1.0
    with pytest.raises(TypeError, match=r"~ \(operator.invert\) is only implemented on integer"):
        ~rg.tensor([1.0])
    with pytest.raises(RuntimeError, match="\"bitwise_not_cpu\" not implemented for 'Float'"):
        rg.tensor([1.0]).bitwise_not()


def test_nan_propagates_through_maximum_and_minimum():
    a = rg.tensor([math.nan, 1.0, 2.0])
    b = rg.tensor([1.0, math.nan, 1.0])
    assert [math.isnan(v) for v in rg.maximum(a, b).tolist()] == [True, True, False]
    assert [math.isnan(v) for v in rg.minimum(a, b).tolist()] == [True, True, False]


def test_int64_extremes_do_not_crash():
    lo = -(2**63)
    assert (rg.tensor([lo]) // -1).tolist() == [lo]
    assert (rg.tensor([lo]) % -1).tolist() == [0]
    assert (rg.tensor([lo]) * -1).tolist() == [lo]
    assert abs(rg.tensor([lo])).tolist() == [lo]


def test_broadcast_error_names_both_sizes_and_the_dimension():
    with pytest.raises(RuntimeError) as e:
        rg.ones(2, 3) + rg.ones(2, 4)
    assert str(e.value) == (
        "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"
    )


@given(
    shapes=hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=0, max_dims=4, min_side=0, max_side=3
    ),
)
def test_broadcast_shapes_match_numpy(shapes):
    a, b = (np.ones(s, np.float32) for s in shapes.input_shapes)
    got = rg.tensor(a) + rg.tensor(b)
    assert tuple(got.shape) == shapes.result_shape
    assert isinstance(got.shape, rg.Size)


# --- unary ops ---------------------------------------------------------------------------------

FLOAT_UNARY = {
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "sin": np.sin,
    "cos": np.cos,
    "tanh": np.tanh,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
}
EXACT_UNARY = {
    "neg": np.negative,
    "abs": np.abs,
    "relu": lambda x: np.where(np.isnan(x), x, np.maximum(x, 0)).astype(x.dtype),
}
BOOL_ERRORS = {
    "neg": "Negation, the `-` operator, on a bool tensor is not supported",
    "abs": "\"abs_cpu\" not implemented for 'Bool'",
    "relu": "Boolean inputs not supported for relu",
}


def unary_forms(name):
    """The method, the module function (where one exists) and the operator form of an op."""
    forms = [lambda t: getattr(t, name)()]
    if hasattr(rg, name):
        forms.append(lambda t: getattr(rg, name)(t))
    if name == "neg":
        forms.append(operator.neg)
    if name == "abs":
        forms.append(abs)
    return forms


@pytest.mark.parametrize("name", sorted(FLOAT_UNARY) + sorted(EXACT_UNARY))
@given(data=st.data())
def test_unary_matches_numpy(name, data):
    dtype = data.draw(st.sampled_from(DTYPES))
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
    values = data.draw(hnp.arrays(dtype, shape, elements=elements(dtype)))
    t = make_tensor(values, data.draw(layouts()))
    for form in unary_forms(name):
        if dtype == "bool" and name in BOOL_ERRORS:
            with pytest.raises(RuntimeError, match=BOOL_ERRORS[name].replace("(", r"\(")):
                form(t)
            continue
        got = form(t)
        if name in FLOAT_UNARY:
            # integer and bool inputs give the default float dtype; the reference is computed in
            # float64 and rounded (sigmoid in the output dtype, as torch computes it)
            out = dtype if CATEGORY[dtype] == 2 else "float32"
            ref = values.astype(out if name == "sigmoid" else "float64")
            with np.errstate(all="ignore"):
                want = FLOAT_UNARY[name](ref).astype(out)
            assert got.dtype == getattr(rg, out)
            f32 = out == "float32"
            np.testing.assert_allclose(
                got.numpy(),
                want,
                rtol=2e-6 if f32 else 1e-13,
                atol=3e-45 if f32 else 1e-323,
                equal_nan=True,
            )
        else:
            with np.errstate(all="ignore"):
                want = EXACT_UNARY[name](values)
            assert got.dtype == getattr(rg, dtype)
            assert_same(got, want)


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int32", "int64"])
def test_invert_on_bool_and_integers(dtype):
    values = np.array([0, 1, 5, 1]).astype(dtype)
    got = ~rg.tensor(values)
    assert got.dtype == getattr(rg, dtype)
    assert_same(got, np.invert(values))


def test_exp_is_within_one_ulp_over_the_float32_range():
    x = np.linspace(-103.9, 88.7, 200_003, dtype=np.float32)
    got = rg.from_numpy(x).exp().numpy()
    want = np.exp(x.astype(np.float64)).astype(np.float32)
    normal = want > np.finfo(np.float32).tiny
    ulps = np.abs(got[normal].view(np.int32).astype(np.int64) - want[normal].view(np.int32))
    assert ulps.max() <= 1
    assert np.abs(got[~normal] - want[~normal]).max() <= np.float32(1e-45)
    special = rg.tensor([math.inf, -math.inf, math.nan, 89.0, -104.0, 0.0]).exp().tolist()
    assert special[:2] == [math.inf, 0.0] and math.isnan(special[2])
    assert special[3:] == [math.inf, 0.0, 1.0]


def test_exp_float64_matches_libm_closely():
    x = np.linspace(-745, 709.7, 100_001)
    got = rg.from_numpy(x).exp().numpy()
    np.testing.assert_allclose(got, np.exp(x), rtol=3e-16, atol=5e-324)


def test_large_inputs_take_the_parallel_path():
    n = 1_000_003  # above the parallel threshold, and not a multiple of the chunk size
    x = np.random.default_rng(0).standard_normal(n).astype(np.float32)
    t = rg.from_numpy(x)
    np.testing.assert_array_equal((t + t).numpy(), x + x)
    np.testing.assert_allclose(t.exp().numpy(), np.exp(x), rtol=2e-6)
    col, row = rg.from_numpy(x[:1000].reshape(1000, 1)), rg.from_numpy(x[:1001].reshape(1, 1001))
    np.testing.assert_array_equal((col * row).numpy(), x[:1000, None] * x[None, :1001])
    t2 = rg.from_numpy(x.copy())
    t2.exp_()
    np.testing.assert_allclose(t2.numpy(), np.exp(x), rtol=2e-6)


# --- clamp, where, in-place --------------------------------------------------------------------


@given(data=st.data())
def test_clamp_matches_numpy(data):
    dtype = data.draw(st.sampled_from(DTYPES[1:]))
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4))
    values = data.draw(hnp.arrays(dtype, shape, elements=elements(dtype)))
    t = make_tensor(values, data.draw(layouts()))
    bound = st.one_of(st.none(), st.integers(0, 20), st.floats(-5, 5))
    lo, hi = data.draw(bound), data.draw(bound)
    if lo is None and hi is None:
        with pytest.raises(RuntimeError, match="At least one of 'min' or 'max' must not be None"):
            t.clamp()
        return
    out = promote(t, *[b for b in (lo, hi) if b is not None])
    want = values.astype(out)
    if lo is not None:
        want = np.maximum(want, np.asarray(lo).astype(out))
    if hi is not None:
        want = np.minimum(want, np.asarray(hi).astype(out))
    for got in (t.clamp(lo, hi), rg.clamp(t, min=lo, max=hi), t.clip(lo, hi)):
        assert got.dtype == getattr(rg, out)
        assert_same(got, want.astype(out))


def test_clamp_with_tensor_bounds_and_bool():
    x = rg.tensor([1.5, -2.0, 7.0])
    assert x.clamp(min=rg.tensor([0.0, -5.0, 0.0])).tolist() == [1.5, -2.0, 7.0]
    assert rg.tensor([1, 5]).clamp(rg.tensor([2]), rg.tensor([3.0])).tolist() == [2.0, 3.0]
    assert rg.tensor([True, False]).clamp(0, 1).dtype == rg.int64
    with pytest.raises(RuntimeError, match="\"clamp_min_scalar_cpu\" not implemented for 'Bool'"):
        rg.tensor([True]).clamp(min=False)
    assert math.isnan(rg.clamp(rg.tensor([math.nan]), 0, 1).item())


@given(data=st.data())
def test_where_matches_numpy(data):
    shapes = data.draw(
        hnp.mutually_broadcastable_shapes(
            num_shapes=3, min_dims=0, max_dims=3, min_side=0, max_side=3
        )
    ).input_shapes
    cond = data.draw(hnp.arrays("bool", shapes[0]))
    da, db = data.draw(st.sampled_from(DTYPES)), data.draw(st.sampled_from(DTYPES))
    a = make_tensor(data.draw(hnp.arrays(da, shapes[1], elements=elements(da))), "contiguous")
    b = data.draw(
        st.one_of(
            st.just(None),
            st.sampled_from([True, 3, -1.5]),
        )
    )
    if b is None:
        b = make_tensor(data.draw(hnp.arrays(db, shapes[2], elements=elements(db))), "permuted")
    out = promote(a, b)
    got = rg.where(rg.tensor(cond), a, b)
    want = np.where(cond, as_numpy(a, out), as_numpy(b, out))
    assert got.dtype == getattr(rg, out)
    assert_same(got, want.astype(out))


def test_where_with_scalar_input_and_method_form():
    x = rg.tensor([-1.0, 2.0])
    assert rg.where(x > 0, x, 0.0).tolist() == [0.0, 2.0]
    assert rg.where(x > 0, 1, 0).dtype == rg.int64
    assert x.where(x > 0, rg.tensor([5.0, 5.0])).tolist() == [5.0, 2.0]
    with pytest.raises(RuntimeError, match="where expected condition to be a boolean tensor"):
        rg.where(rg.tensor([1.0]), x, x)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "truediv", "floordiv", "mod", "pow"])
@given(data=st.data())
def test_inplace_operators_match_out_of_place(name, data):
    dtype = data.draw(st.sampled_from(["int32", "int64", "float32", "float64"]))
    shapes = data.draw(
        hnp.mutually_broadcastable_shapes(num_shapes=1, base_shape=(2, 3), max_dims=2)
    ).input_shapes
    a = np.array([[4, 5, 6], [7, 8, 9]]).astype(dtype)
    b = data.draw(hnp.arrays(dtype, shapes[0], elements=st.integers(1, 3)))
    t, other = rg.tensor(a), rg.tensor(b)
    op = BINARY[name][0]
    iop = getattr(operator, "i" + name)
    expected = op(t, other)
    before = id(t)
    if expected.dtype != t.dtype:
        with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
            iop(t, other)
        return
    t = iop(t, other)
    assert id(t) == before
    assert t.tolist() == expected.tolist()


def test_inplace_result_type_rule():
    x = rg.arange(3)
    with pytest.raises(RuntimeError) as e:
        x += rg.ones(3)
    assert str(e.value) == "result type Float can't be cast to the desired output type Long"
    y = rg.ones(3)
    y += rg.arange(3)
    assert y.tolist() == [1.0, 2.0, 3.0] and y.dtype == rg.float32


def test_inplace_on_a_view_writes_the_base():
    base = rg.zeros(2, 3)
    view = base.T
    view += rg.tensor([1.0, 2.0])
    assert base.tolist() == [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]


def test_inplace_with_overlapping_source_reads_old_values():
    x = rg.tensor([[1.0, 2.0], [3.0, 4.0]])
    x += x.T
    assert x.tolist() == [[2.0, 5.0], [5.0, 8.0]]


def test_method_forms_and_aliases():
    a, b = rg.tensor([1.0, 4.0]), rg.tensor([2.0, 2.0])
    assert a.add(b, alpha=2).tolist() == [5.0, 8.0]
    assert a.sub(b, alpha=2).tolist() == [-3.0, 0.0]
    assert a.mul(b).tolist() == a.multiply(b).tolist() == [2.0, 8.0]
    assert a.div(b).tolist() == a.true_divide(b).tolist() == [0.5, 2.0]
    assert rg.tensor([-7.0]).div(2, rounding_mode="floor").tolist() == [-4.0]
    assert rg.tensor([-7]).div(2, rounding_mode="trunc").tolist() == [-3]
    assert a.pow(2).tolist() == (a**2).tolist() == [1.0, 16.0]
    assert a.square().tolist() == [1.0, 16.0]
    assert a.eq(b).tolist() == [False, False] and a.gt(b).tolist() == [False, True]
    with pytest.raises(TypeError, match="must be Tensor or Number"):
        a.add("x")
    with pytest.raises(TypeError):
        a + "x"


def test_operations_on_empty_tensors():
    e = rg.zeros(0, 3)
    assert (e + 1).shape == (0, 3)
    assert (e + rg.ones(3)).shape == (0, 3)
    assert e.exp().shape == (0, 3)
    assert (rg.zeros(2, 0) * rg.zeros(1, 0)).shape == (2, 0)


@settings(max_examples=25)
@given(hnp.arrays("int64", hnp.array_shapes(min_dims=1, max_dims=2), elements=st.integers(-9, 9)))
def test_comparisons_with_python_floats_compute_in_float(values):
    t = rg.tensor(values)
    assert (t < 0.5).tolist() == (values < 0.5).tolist()
    assert (t == 2.0).tolist() == (values == 2).tolist()


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_strided_and_transposed_operands_match_contiguous_ones(dtype):
    # strided inputs are gathered 256 values at a time for the vector loops (rows longer than
    # that, and not a multiple of it), both-strided pairs stepped together, transposed inputs
    # walked in tiles (partial ones at the edges), strided outputs (in place on a view)
    # computed through a buffer, and permuted outputs walked in their memory order
    rng = np.random.default_rng(5)
    base = rng.integers(-5, 6, (67, 601)).astype(dtype)
    other = rng.integers(-5, 6, (601, 67)).astype(dtype)
    views = {
        "every other column": lambda a: a[:, ::2],
        "every third, from 1": lambda a: a[:, 1::3],
        "one column": lambda a: a[:, 7],
        "transposed": lambda a: a.T,
        "transposed, sliced": lambda a: a.T[3:, 1:],
    }
    t, t_other = rg.tensor(base), rg.tensor(other)
    for name, view in views.items():
        ref, v = view(base), view(t)
        plain = rg.tensor(np.ascontiguousarray(ref))
        np.testing.assert_array_equal((v + 1).numpy(), ref + 1, err_msg=name)
        np.testing.assert_array_equal((2 * v).numpy(), 2 * ref, err_msg=name)
        np.testing.assert_array_equal((v > 0).numpy(), ref > 0, err_msg=name)
        np.testing.assert_array_equal((v * v).numpy(), ref * ref, err_msg=name)
        np.testing.assert_array_equal(v.neg().numpy(), -ref, err_msg=name)
        np.testing.assert_array_equal(v.abs().numpy(), np.abs(ref), err_msg=name)
        np.testing.assert_array_equal(v.contiguous().numpy(), ref, err_msg=name)
        if dtype != "int64":
            # the same kernels as on a contiguous copy: the same bits
            np.testing.assert_array_equal(v.exp().numpy(), plain.exp().numpy(), err_msg=name)
            np.testing.assert_array_equal(
                v.sigmoid().numpy(), plain.sigmoid().numpy(), err_msg=name
            )
        if ref.ndim == 2:
            # a strided operand beside a contiguous one, on either side
            dense = rng.integers(-5, 6, ref.shape).astype(dtype)
            np.testing.assert_array_equal((v - rg.tensor(dense)).numpy(), ref - dense, name)
            np.testing.assert_array_equal((rg.tensor(dense) - v).numpy(), dense - ref, name)
        # in place on the view: the base changes there and only there
        for op, np_op in [("add_", np.add), ("mul_", np.multiply)]:
            b, tb = base.copy(), rg.tensor(base)
            got = getattr(view(tb), op)(3)
            view(b)[...] = np_op(view(b), 3)
            np.testing.assert_array_equal(tb.numpy(), b, err_msg=f"{name} {op}")
            np.testing.assert_array_equal(got.numpy(), view(b), err_msg=f"{name} {op}")
        b, tb = base.copy(), rg.tensor(base)
        view(tb).neg_()
        view(b)[...] = -view(b)
        np.testing.assert_array_equal(tb.numpy(), b, err_msg=f"{name} neg_")
    # a transposed operand beside a contiguous one
    np.testing.assert_array_equal((t + t_other.T).numpy(), base + other.T)
    np.testing.assert_array_equal((t_other.T - t).numpy(), other.T - base)
    b, tb = base.copy(), rg.tensor(base)
    tb.T.add_(t_other)
    b.T[...] += other
    np.testing.assert_array_equal(tb.numpy(), b)


def test_results_follow_the_memory_order_of_their_inputs():
    # as torch's TensorIterator lays results out (NumPy's order="K" too): a dense permuted
    # input gives a result with its strides, walked in memory order; a strided or row-major
    # one a row-major result; with inputs in different orders, the first that tells decides
    base = np.arange(12, dtype=np.float32).reshape(3, 4)
    x = rg.tensor(base)
    y = rg.tensor(np.ascontiguousarray(base.T) * 10)
    for r in [x.T + 1, x.T.exp(), x.T * x.T, x.T > 3, rg.where(x.T > 3, x.T, 0.0), x.T + y]:
        assert r.stride() == (1, 4) and not r.is_contiguous()
    for r in [y + x.T, x[:, ::2] + 1, x[:, ::2].exp(), x + 1, x.T[:, None, :] * y[:, :, None]]:
        assert r.is_contiguous(), r.stride()
    np.testing.assert_array_equal((x.T + 1).numpy(), base.T + 1)
    np.testing.assert_array_equal((x.T + y).numpy(), base.T * 11)
    np.testing.assert_allclose(x.T.exp().numpy(), np.exp(base.T), rtol=1e-6)
    # a result laid out as a permutation is not a row-major view: as in torch
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        (x.T + 1).view(12)
    assert (x.T + 1).reshape(12).tolist() == (base.T + 1).reshape(12).tolist()
    # copies and *_like tensors as torch's preserve_format: a dense input's strides, else
    # dense strides in the input's order; contiguous() row-major
    for r in [
        x.T.clone(),
        x.T.double(),
        x.T.to(rg.int64),
        rg.zeros_like(x.T),
        rg.full_like(x.T, 2),
    ]:
        assert r.stride() == (1, 4), r
    assert x.T[:, ::2].clone().stride() == (1, 4) and rg.ones_like(x.T[:, ::2]).stride() == (1, 4)
    assert x[:, ::2].clone().is_contiguous() and x.T.contiguous().stride() == (3, 1)
    np.testing.assert_array_equal(x.T.clone().numpy(), base.T)
    np.testing.assert_array_equal(x.T[:, ::2].double().numpy(), base.T[:, ::2])
    assert rg.full_like(x.T, 2).tolist() == np.full((4, 3), 2.0).tolist()
    # a three-dimensional permutation, broadcast against a row
    cube = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
    p = rg.tensor(cube).permute(2, 0, 1)
    row = rg.tensor(np.arange(3, dtype=np.float64))
    r = p + row
    assert r.stride() == (1, 12, 4)
    np.testing.assert_array_equal(r.numpy(), cube.transpose(2, 0, 1) + np.arange(3))


def test_result_strides_match_torch():
    # elementwise results, copies and *_like tensors
    torch = pytest.importorskip("torch")
    import itertools

    rng = np.random.default_rng(2)
    shapes = [(3, 4), (4, 1), (1, 4), (2, 3, 4), (3, 1, 4), (2, 2, 1, 3)]

    def views(shape):
        base = rng.integers(-5, 5, shape).astype(np.float32)
        for perm in itertools.permutations(range(len(shape))):
            data = np.ascontiguousarray(base.transpose(perm)).tolist()
            back = np.argsort(perm).tolist()
            yield (rg.tensor(data).permute(*back), torch.tensor(data).permute(*back))
        wide = rng.integers(-5, 5, shape[:-1] + (2 * shape[-1],)).astype(np.float32).tolist()
        yield rg.tensor(wide)[..., ::2], torch.tensor(wide)[..., ::2]

    def strides(t):
        # torch sets the strides of size-1 dimensions by rules of their own: not compared
        return [s for s, n in zip(t.stride(), t.shape) if n > 1], t.is_contiguous()

    checked = 0
    for sa, sb in itertools.product(shapes, shapes + [()]):
        try:
            np.broadcast_shapes(sa, sb)
        except ValueError:
            continue
        for ra, ta in views(sa):
            pairs = list(views(sb)) if sb else [(2.5, 2.5)]
            for rb, tb in pairs:
                results = [(ra + rb, ta + tb), (ra.exp(), ta.exp()), (ra * rb > 0, ta * tb > 0)]
                results += [(ra.clone(), ta.clone()), (ra.double(), ta.double())]
                results.append((rg.zeros_like(ra), torch.zeros_like(ta)))
                if sb:
                    results.append((rg.where(ra > 0, ra, rb), torch.where(ta > 0, ta, tb)))
                for r, t in results:
                    assert strides(r) == strides(t), (sa, ta.stride(), sb, r.stride(), t.stride())
                    np.testing.assert_allclose(r.numpy(), t.numpy(), rtol=1e-6)
                    checked += 1
    assert checked > 3000
