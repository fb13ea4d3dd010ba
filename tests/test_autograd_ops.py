"""Gradient checks of reductions and products (float64 finite differences), and the spec's
section 2.5 examples with their printed output."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rustgrad as rg
from rustgrad.autograd import gradcheck


def f64(a):
    return rg.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


REDUCTIONS = {
    "sum": lambda t: t.sum(),
    "sum_dim": lambda t: t.sum(dim=-1, keepdim=True),
    "sum_axis": lambda t: t.sum(axis=0),
    "mean": lambda t: t.mean(),
    "mean_dim": lambda t: t.mean(dim=0),
    "prod": lambda t: t.prod(),
    "prod_dim": lambda t: t.prod(dim=-1),
    "max": lambda t: t.max(),
    "max_dim": lambda t: t.max(dim=-1).values,
    "min_dim": lambda t: t.min(dim=0)[0],
    "amax": lambda t: t.amax(dim=-1),
    "norm": lambda t: t.norm(),
    "norm_p1": lambda t: t.norm(p=1),
    "norm_p3_dim": lambda t: t.norm(p=3, dim=-1),
    "var": lambda t: t.var(),
    "std_dim": lambda t: t.std(dim=-1),
    "logsumexp": lambda t: t.logsumexp(dim=-1),
    "cumsum": lambda t: t.cumsum(dim=-1),
    "softmax": lambda t: t.softmax(dim=-1),
    "log_softmax": lambda t: t.log_softmax(dim=0),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4), data=st.data())
def test_reduction_gradients(name, shape, data):
    # distinct values (no ties for max/min), away from 0 (norms, prod)
    n = int(np.prod(shape))
    perm = data.draw(st.permutations(range(n)))
    values = (np.array(perm, dtype=np.float64).reshape(shape) + 1.0) / n
    if data.draw(st.booleans()):
        values = -values
    if name == "logsumexp" or name.endswith("softmax"):
        values = values * 3
    assert gradcheck(REDUCTIONS[name], (f64(values),))


def test_reduction_gradients_of_transposed_inputs():
    x = f64(np.arange(1.0, 7.0).reshape(2, 3) / 7)
    assert gradcheck(lambda t: t.T.sum(dim=1), (x,))
    assert gradcheck(lambda t: t.T.softmax(dim=1), (x,))


PRODUCTS = {
    "dot": ((4,), (4,), lambda a, b: rg.dot(a, b)),
    "mv": ((3, 4), (4,), lambda a, b: rg.mv(a, b)),
    "mm": ((3, 4), (4, 2), lambda a, b: rg.mm(a, b)),
    "matmul_2d": ((3, 4), (4, 2), lambda a, b: a @ b),
    "matmul_batched": ((2, 3, 4), (4, 2), lambda a, b: a @ b),
    "matmul_broadcast": ((2, 1, 3, 4), (5, 4, 2), lambda a, b: a @ b),
    "matmul_vec_batched": ((4,), (2, 4, 3), lambda a, b: a @ b),
    "matmul_batched_vec": ((2, 3, 4), (4,), lambda a, b: a @ b),
    "matmul_vec_mat": ((4,), (4, 3), lambda a, b: a @ b),
    "bmm": ((2, 3, 4), (2, 4, 5), lambda a, b: rg.bmm(a, b)),
    "outer": ((3,), (4,), lambda a, b: rg.outer(a, b)),
    "matmul_T": ((4, 3), (4, 2), lambda a, b: a.T @ b),
}


@pytest.mark.parametrize("name", sorted(PRODUCTS))
def test_product_gradients(name):
    sa, sb, fn = PRODUCTS[name]
    rng = np.random.default_rng(1)
    a, b = f64(rng.standard_normal(sa)), f64(rng.standard_normal(sb))
    assert gradcheck(fn, (a, b))


def test_product_grad_fn_names():
    x = rg.arange(4.0, requires_grad=True)
    A = rg.ones(3, 4, requires_grad=True)
    assert rg.dot(x, x).grad_fn.name() == "DotBackward0"
    assert rg.mv(A, x).grad_fn.name() == "MvBackward0"
    assert (A @ x).grad_fn.name() == "MvBackward0"
    assert rg.mm(A, A.T).grad_fn.name() == "MmBackward0"
    assert (A @ A.T).grad_fn.name() == "MmBackward0"
    assert x.sum().grad_fn.name() == "SumBackward0"
    assert A.sum(axis=0).grad_fn.name() == "SumBackward1"
    assert A.mean().grad_fn.name() == "MeanBackward0"
    assert A.mean(axis=1).grad_fn.name() == "MeanBackward1"
    assert x.norm().grad_fn.name() == "LinalgVectorNormBackward0"
    assert x.cumsum(axis=0).grad_fn.name() == "CumsumBackward0"
    assert rg.softmax(A, dim=1).grad_fn.name() == "SoftmaxBackward0"


# --- spec section 2.5, in order (the examples share state) ---------------------------------------


def test_spec_2_5_examples_in_sequence():
    x = rg.arange(4.0)
    assert repr(x) == "tensor([0., 1., 2., 3.])"  # E66
    x.requires_grad_(True)
    assert x.grad is None  # E67
    y = 2 * rg.dot(x, x)
    assert repr(y) == "tensor(28., grad_fn=<MulBackward0>)"  # E68
    y.backward()
    assert repr(x.grad) == "tensor([ 0.,  4.,  8., 12.])"  # E69
    assert repr(x.grad == 4 * x) == "tensor([True, True, True, True])"  # E70
    x.grad.zero_()  # E71
    y = x.sum()
    assert str(x) == "tensor([0., 1., 2., 3.], requires_grad=True)"
    assert str(y) == "tensor(6., grad_fn=<SumBackward0>)"
    y.backward()
    assert repr(x.grad) == "tensor([1., 1., 1., 1.])"
    w = rg.arange(4.0, requires_grad=True)  # E72
    w.sum().backward()
    w.sum().backward()
    assert repr(w.grad) == "tensor([2., 2., 2., 2.])"
    x.grad.zero_()  # E73
    y = x * x
    y.sum().backward()
    assert repr(x.grad) == "tensor([0., 2., 4., 6.])"
    x.grad.zero_()  # E74
    y = x * x
    y.backward(gradient=rg.ones(len(x)))
    assert repr(x.grad) == "tensor([0., 2., 4., 6.])"
    x.grad.zero_()  # E78
    y = x * x
    u = y.detach()
    assert repr(u) == "tensor([0., 1., 4., 9.])"
    z = u * x  # E79
    z.sum().backward()
    assert repr(x.grad == u) == "tensor([True, True, True, True])"
    x.grad.zero_()  # E80
    y.sum().backward()
    assert repr(x.grad == 2 * x) == "tensor([True, True, True, True])"
    x.grad.zero_()  # E85
    y = x**2
    y.sum().backward()
    assert repr(x.grad) == "tensor([0., 2., 4., 6.])"
    x.grad.zero_()  # E86
    x = rg.arange(40.0, requires_grad=True)
    y = 2 * rg.dot(x**2, rg.ones_like(x))
    assert str(y) == "tensor(41080., grad_fn=<MulBackward0>)"
    y.sum().backward()
    assert repr(x.grad) == (
        "tensor([  0.,   4.,   8.,  12.,  16.,  20.,  24.,  28.,  32.,  36.,  40.,  44.,\n"
        "         48.,  52.,  56.,  60.,  64.,  68.,  72.,  76.,  80.,  84.,  88.,  92.,\n"
        "         96., 100., 104., 108., 112., 116., 120., 124., 128., 132., 136., 140.,\n"
        "        144., 148., 152., 156.])"
    )


def test_spec_e76_errors(capsys):
    w = rg.ones(2, requires_grad=True)  # noqa: F841 (used by exec)
    for stmt in ["w.numpy()", "w += 1", "l = (w * w).sum(); l.backward(); l.backward()"]:
        try:
            exec(stmt)
        except RuntimeError as e:
            print("RuntimeError:", str(e).split(". ")[0])
    assert capsys.readouterr().out == (
        "RuntimeError: Can't call numpy() on Tensor that requires grad\n"
        "RuntimeError: a leaf Variable that requires grad is being used in an in-place operation.\n"
        "RuntimeError: Trying to backward through the graph a second time (or directly access "
        "saved tensors after they have already been freed)\n"
    )


def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    print(b)
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


def test_spec_e81_e82_control_flow_random_input(capsys):
    a = rg.randn(size=(), requires_grad=True)
    d = f(a)
    d.backward()
    assert repr(a.grad == d / a) == "tensor(True)"
    m = 1
    while 2**m * abs(a.item()) < 1000:
        m += 1
    expected = 2.0**m * (1 if a.item() > 0 else 100)
    assert a.grad.item() == expected


def test_spec_e83_e84_control_flow(capsys):
    a = rg.tensor(0.8797, requires_grad=True)
    d = f(a)
    d.backward()
    assert repr((d, a.grad)) == ("(tensor(1801.6256, grad_fn=<MulBackward0>), tensor(2048.))")
    a = rg.tensor(-0.5, requires_grad=True)
    d = f(a)
    d.backward()
    assert repr((d, a.grad)) == "(tensor(-102400., grad_fn=<MulBackward0>), tensor(204800.))"
    assert capsys.readouterr().out == (
        "tensor(1801.6256, grad_fn=<MulBackward0>)\ntensor(-1024., grad_fn=<MulBackward0>)\n"
    )
