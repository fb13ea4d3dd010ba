"""The fused layer and losses (`linear`, `mse_loss`, `cross_entropy`) against their compositions
from primitives, with finite-difference gradient checks."""

import numpy as np
import pytest

import rustgrad as rg
from rustgrad._core import cross_entropy, linear, mse_loss
from rustgrad.autograd import gradcheck

rng = np.random.default_rng(0)


def f64(shape):
    return rg.tensor(rng.standard_normal(shape), requires_grad=True)


def test_linear_matches_composition_and_gradients():
    x, w, b = f64((5, 3)), f64((4, 3)), f64((4,))
    out = linear(x, w, b)
    assert out.grad_fn.name() == "AddmmBackward0"
    np.testing.assert_allclose(out.detach().numpy(), (x @ w.T + b).detach().numpy(), rtol=1e-12)
    assert gradcheck(linear, (x, w, b))
    assert gradcheck(lambda x, w: linear(x, w), (x, w))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss(reduction):
    a, b = f64((5, 4)), f64((5, 4))
    out = mse_loss(a, b, reduction)
    assert out.grad_fn.name() == "MseLossBackward0"
    sq = (a - b) ** 2
    ref = {"mean": sq.mean(), "sum": sq.sum(), "none": sq}[reduction]
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-12)
    assert gradcheck(lambda a, b: mse_loss(a, b, reduction), (a, b))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy(reduction):
    logits = f64((6, 4)) * 3
    logits = logits.detach().requires_grad_()
    y = rg.tensor([0, 3, 1, 2, 3, 3])
    out = cross_entropy(logits, y, reduction)
    assert out.grad_fn.name() == "NllLossBackward0"
    onehot = rg.tensor(np.eye(4)[y.numpy()])
    per_row = -(logits.log_softmax(dim=1) * onehot).sum(dim=1)
    ref = {"mean": per_row.mean(), "sum": per_row.sum(), "none": per_row}[reduction]
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-12)
    assert gradcheck(lambda t: cross_entropy(t, y, reduction), (logits,))


def test_cross_entropy_ignore_index_and_bad_targets():
    logits = f64((3, 2))
    y = rg.tensor([1, -100, 0])
    out = cross_entropy(logits, y)
    per_row = -logits.log_softmax(dim=1).detach().numpy()[[0, 2], [1, 0]]
    np.testing.assert_allclose(out.item(), per_row.mean(), rtol=1e-12)
    with pytest.raises(IndexError, match="Target 5 is out of bounds"):
        cross_entropy(logits, rg.tensor([5, 0, 0]))
    with pytest.raises(RuntimeError, match="batch_size"):
        cross_entropy(logits, rg.tensor([0, 0]))
