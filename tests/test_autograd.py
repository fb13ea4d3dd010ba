"""Autograd: PyTorch's semantics (spec 1.5 and 2.5) and finite-difference gradient checks."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rustgrad as rg
from rustgrad.autograd import gradcheck, graph_size


def f64(a, requires_grad=True):
    return rg.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


# --- gradient checks of every differentiable elementwise op ------------------------------------

UNARY = {
    # name: (function, domain of the inputs)
    "neg": (lambda t: -t, (-3, 3)),
    "abs": (lambda t: t.abs(), (0.1, 3)),
    "exp": (lambda t: t.exp(), (-3, 3)),
    "log": (lambda t: t.log(), (0.1, 3)),
    "log2": (lambda t: t.log2(), (0.1, 3)),
    "log10": (lambda t: t.log10(), (0.1, 3)),
    "log1p": (lambda t: t.log1p(), (0.1, 3)),
    "expm1": (lambda t: t.expm1(), (-2, 2)),
    "sqrt": (lambda t: t.sqrt(), (0.1, 3)),
    "rsqrt": (lambda t: t.rsqrt(), (0.1, 3)),
    "sin": (lambda t: t.sin(), (-3, 3)),
    "cos": (lambda t: t.cos(), (-3, 3)),
    "tan": (lambda t: t.tan(), (-1, 1)),
    "tanh": (lambda t: t.tanh(), (-3, 3)),
    "sigmoid": (lambda t: t.sigmoid(), (-3, 3)),
    "relu": (lambda t: t.relu(), (0.1, 3)),
    "reciprocal": (lambda t: t.reciprocal(), (0.5, 3)),
    "square": (lambda t: t.square(), (-3, 3)),
    "pow_scalar": (lambda t: t**3, (-2, 2)),
    "rpow": (lambda t: 2.0**t, (-2, 2)),
    "clamp": (lambda t: t.clamp(-0.5, 0.5), (-2, 2)),
}

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


@pytest.mark.parametrize("name", sorted(UNARY))
@given(shape=shapes, data=st.data())
def test_unary_gradients_match_finite_differences(name, shape, data):
    fn, (lo, hi) = UNARY[name]
    values = data.draw(
        hnp.arrays(np.float64, shape, elements=st.floats(lo, hi).filter(lambda v: abs(v) > 0.05))
    )
    if name == "clamp":
        # keep away from the kinks at +-0.5
        values = np.where(np.abs(np.abs(values) - 0.5) < 0.05, 0.0, values)
    assert gradcheck(fn, (f64(values),))


BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "maximum": lambda a, b: rg.maximum(a, b),
    "minimum": lambda a, b: rg.minimum(a, b),
    "where": lambda a, b: rg.where(a > b, a, b),
    "rem": lambda a, b: a % b,
}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
    data=st.data(),
)
def test_binary_gradients_with_broadcasting(name, shapes, data):
    sa, sb = shapes.input_shapes
    elems = st.floats(0.5, 2.0)
    a = data.draw(hnp.arrays(np.float64, sa, elements=elems))
    b = data.draw(hnp.arrays(np.float64, sb, elements=elems))
    if name in ("maximum", "minimum", "where"):
        b = b + 0.01  # no ties: the derivative is defined
    if name == "rem":
        # away from the jumps of a % b: a = b * (2 + f) with f in [0.2, 0.8]
        b = data.draw(hnp.arrays(np.float64, sa, elements=elems))
        a = b * (2.2 + (a - 0.5) * 0.4)
    assert gradcheck(BINARY[name], (f64(a), f64(b)))


def test_gradients_of_non_contiguous_inputs():
    base = f64(np.arange(6.0).reshape(2, 3) / 4 + 0.5)
    assert gradcheck(lambda t: (t.T * t.T).exp() / 100, (base,))


def test_scalar_operands_and_reflected_forms():
    x = f64([1.0, 2.0])
    for fn in (
        lambda t: 3 - t,
        lambda t: 2 / t,
        lambda t: t / 2,
        lambda t: 1 + t * 4,
    ):
        assert gradcheck(fn, (x,))


# --- semantics ----------------------------------------------------------------------------------


def test_grad_is_none_then_accumulates_and_keeps_identity():
    x = rg.arange(4.0, requires_grad=True)
    assert x.grad is None
    (x * x).backward(rg.ones(4))
    g = x.grad
    assert repr(g) == "tensor([0., 2., 4., 6.])"
    (x * x).backward(rg.ones(4))
    assert x.grad is g
    assert repr(x.grad) == "tensor([ 0.,  4.,  8., 12.])"
    x.grad.zero_()
    assert x.grad.tolist() == [0.0, 0.0, 0.0, 0.0]
    x.grad = None
    assert x.grad is None


def test_grad_fn_names_and_reprs():
    a = rg.tensor([1.0, 2.0], requires_grad=True)
    assert repr(a) == "tensor([1., 2.], requires_grad=True)"
    cases = {
        "AddBackward0": a + 1,
        "SubBackward0": a - 1,
        "RsubBackward1": 1 - a,
        "MulBackward0": 2 / a,
        "DivBackward0": a / 2,
        "PowBackward0": a**2,
        "PowBackward1": a**a,
        "PowBackward2": 2**a,
        "NegBackward0": -a,
        "ExpBackward0": a.exp(),
        "LogBackward0": a.log(),
        "AbsBackward0": a.abs(),
        "ReluBackward0": a.relu(),
        "SigmoidBackward0": a.sigmoid(),
        "TanhBackward0": a.tanh(),
        "MaximumBackward0": rg.maximum(a, a),
        "CloneBackward0": a.clone(),
        "PermuteBackward0": a.T,
        "SelectBackward0": next(iter(a)),
    }
    for name, t in cases.items():
        assert t.grad_fn.name() == name
        assert repr(t).endswith(f"grad_fn=<{name}>)")
        assert not t.is_leaf and t.requires_grad
    assert a.is_leaf and a.grad_fn is None


def test_errors_match_torch():
    x = rg.arange(4.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="^grad can be implicitly created only for scalar"):
        (x * x).backward()
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        x.numpy()
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used"):
        x += 1
    y = (x * x).exp()
    y.backward(rg.ones(4))
    with pytest.raises(RuntimeError, match="^Trying to backward through the graph a second time"):
        y.backward(rg.ones(4))
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        rg.arange(3).requires_grad_()
    with pytest.raises(RuntimeError, match="does not require grad"):
        rg.ones(1).backward()


def test_retain_graph_allows_a_second_backward():
    x = rg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).exp()
    y.backward(rg.ones(2), retain_graph=True)
    y.backward(rg.ones(2))
    expected = 2 * 2 * np.array([1.0, 2.0]) * np.exp([1.0, 4.0])
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-5)


def test_in_place_change_of_a_saved_tensor_is_detected_at_backward():
    x = rg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    y = h * h  # saves h
    h += 1  # h is not a leaf, so this is allowed ... and bumps its version
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward(rg.ones(2))


def test_in_place_ops_on_non_leaves_are_recorded():
    x = rg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y *= x  # y = 2 x^2
    assert y.grad_fn.name() == "MulBackward0"
    y.backward(rg.ones(2))
    assert x.grad.tolist() == [4.0, 8.0]


def test_detach_shares_storage_and_cuts_the_graph():
    x = rg.arange(4.0, requires_grad=True)
    y = x * x
    u = y.detach()
    assert not u.requires_grad and u.grad_fn is None
    z = u * x
    z.backward(rg.ones(4))
    assert (x.grad == u).tolist() == [True] * 4
    x.grad.zero_()
    y.backward(rg.ones(4))  # y's own graph still works
    assert (x.grad == 2 * x).tolist() == [True] * 4


def test_no_grad_and_data():
    w = rg.ones(2, requires_grad=True)
    with rg.no_grad():
        v = w * 2
        assert not rg.is_grad_enabled()
    assert rg.is_grad_enabled()
    w.data *= 3
    assert (v.requires_grad, v.grad_fn) == (False, None)
    assert repr(w) == "tensor([3., 3.], requires_grad=True)"

    @rg.no_grad()
    def f(t):
        return t * 2

    assert not f(w).requires_grad
    with rg.no_grad():
        w -= 1  # updates of leaves are allowed under no_grad
    assert w.tolist() == [2.0, 2.0]


def test_autograd_grad_leaves_dot_grad_untouched():
    x = rg.tensor([1.0, 3.0], requires_grad=True)
    y = x * x * x
    (g,) = rg.autograd.grad(y, x, grad_outputs=rg.ones(2))
    assert g.tolist() == [3.0, 27.0]
    assert x.grad is None
    h = x * 2
    z = h * h
    gx, gh = rg.autograd.grad(z, [x, h], grad_outputs=rg.ones(2))
    assert gh.tolist() == [4.0, 12.0] and gx.tolist() == [8.0, 24.0]


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = rg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    (h * h).backward(rg.ones(2))
    assert h.grad.tolist() == [6.0, 12.0]
    assert x.grad.tolist() == [18.0, 36.0]


def test_graph_memory_is_released():
    x = rg.randn(8, requires_grad=True)
    start = graph_size()
    for _ in range(200):
        y = (x * x).tanh() * 2
        y.backward(rg.ones(8))
    del y
    assert graph_size() == start
    x.grad = None
    h = x.exp()
    z = h.sin()
    assert graph_size() == start + 2
    del h
    assert graph_size() == start + 2  # z's node keeps exp's node alive
    del z
    assert graph_size() == start
