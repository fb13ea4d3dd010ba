"""``nn.functional.cross_entropy`` / ``nll_loss`` and their modules with ``weight``,
``ignore_index`` and ``label_smoothing``: hand-computed values, PyTorch (when installed),
finite-difference gradients and errors."""

import itertools

import numpy as np
import pytest

import rustgrad as rg
from rustgrad import nn
from rustgrad.autograd import gradcheck
from rustgrad.nn import functional as F

REDUCTIONS = ["none", "mean", "sum"]
rng = np.random.default_rng(0)


def log_softmax(x, axis=-1):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def reference(x, y, weight=None, ignore_index=-100, reduction="mean", eps=0.0):
    """NumPy version of PyTorch's formula for class-index targets, x (N, C), y (N,)."""
    logp = log_softmax(x)
    c = x.shape[1]
    w_class = np.ones(c) if weight is None else weight
    valid = y != ignore_index
    safe = np.where(valid, y, 0)
    w = w_class[safe] * valid
    nll = -logp[np.arange(len(y)), safe] * w
    smooth = -(logp * w_class).sum(axis=1) * valid
    rows = (1 - eps) * nll + eps / c * smooth
    if reduction == "none":
        return rows
    return rows.sum() if reduction == "sum" else rows.sum() / w.sum()


X = np.array([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5], [1.0, -1.0, 0.0]])
Y = np.array([0, 2, 1])
W = np.array([1.0, 2.0, 0.5])


# ------------------------------------------------------------------- hand-computed values
def test_weighted_mean_divides_by_the_target_weights():
    # rows: w[y_i] * (logsumexp(x_i) - x_i[y_i]); mean = sum / (w[0] + w[2] + w[1]) = sum / 3.5
    lse = np.log(np.exp(X).sum(axis=1))
    rows = W[Y] * (lse - X[np.arange(3), Y])
    out = F.cross_entropy(rg.tensor(X), rg.tensor(Y), weight=rg.tensor(W), reduction="none")
    np.testing.assert_allclose(out.numpy(), rows, rtol=1e-12)
    out = F.cross_entropy(rg.tensor(X), rg.tensor(Y), weight=rg.tensor(W))
    np.testing.assert_allclose(out.item(), rows.sum() / 3.5, rtol=1e-12)


def test_label_smoothing_mixes_in_the_uniform_distribution():
    # target distribution q = (1 - eps) onehot + eps / C; loss_i = -sum_c q_c logp_ic
    eps = 0.2
    q = (1 - eps) * np.eye(3)[Y] + eps / 3
    rows = -(q * log_softmax(X)).sum(axis=1)
    out = F.cross_entropy(rg.tensor(X), rg.tensor(Y), label_smoothing=eps, reduction="none")
    np.testing.assert_allclose(out.numpy(), rows, rtol=1e-12)
    out = F.cross_entropy(rg.tensor(X), rg.tensor(Y), label_smoothing=eps)
    np.testing.assert_allclose(out.item(), rows.mean(), rtol=1e-12)


def test_ignore_index_rows_count_zero_and_leave_the_mean():
    lse = np.log(np.exp(X).sum(axis=1))
    rows = lse - X[np.arange(3), Y]
    y = rg.tensor(Y)
    out = F.cross_entropy(rg.tensor(X), y, ignore_index=2, reduction="none")
    np.testing.assert_allclose(out.numpy(), [rows[0], 0.0, rows[2]], rtol=1e-12)
    out = F.cross_entropy(rg.tensor(X), y, ignore_index=2)
    np.testing.assert_allclose(out.item(), (rows[0] + rows[2]) / 2, rtol=1e-12)
    assert out.grad_fn is None  # no input requires grad
    x = rg.tensor(X, requires_grad=True)
    assert F.cross_entropy(x, y, ignore_index=2).grad_fn.name() == "NllLossBackward0"


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    ("weight", "ignore_index", "eps"),
    [(None, -100, 0.0), (W, -100, 0.0), (None, -100, 0.3), (W, 1, 0.3), (None, 0, 0.1)],
)
def test_against_the_numpy_formula(weight, ignore_index, eps, reduction):
    x = rng.standard_normal((7, 3)) * 2
    y = np.array([0, 1, 2, 2, 1, 0, 1])
    out = F.cross_entropy(
        rg.tensor(x),
        rg.tensor(y),
        weight=None if weight is None else rg.tensor(weight),
        ignore_index=ignore_index,
        reduction=reduction,
        label_smoothing=eps,
    )
    ref = reference(x, y, weight, ignore_index, reduction, eps)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12)


def test_nll_loss_weight_and_ignore_index():
    logp = log_softmax(X)
    out = F.nll_loss(rg.tensor(logp), rg.tensor(Y), weight=rg.tensor(W), ignore_index=0)
    # rows 1 and 2 count: (-w[2] logp[1, 2] - w[1] logp[2, 1]) / (w[2] + w[1])
    ref = (-W[2] * logp[1, 2] - W[1] * logp[2, 1]) / (W[2] + W[1])
    np.testing.assert_allclose(out.item(), ref, rtol=1e-12)
    module = nn.NLLLoss(weight=rg.tensor(W), ignore_index=0, reduction="sum")
    np.testing.assert_allclose(module(rg.tensor(logp), rg.tensor(Y)).item(), ref * 2.5)


def test_every_target_ignored_gives_nan_and_a_zero_gradient():
    for kwargs in [{}, {"weight": rg.tensor(W)}, {"label_smoothing": 0.1}]:
        x = rg.tensor(X, requires_grad=True)
        loss = F.cross_entropy(x, rg.tensor([-100, -100, -100]), **kwargs)
        assert np.isnan(loss.item())
        loss.backward()
        np.testing.assert_array_equal(x.grad.numpy(), np.zeros((3, 3)))


def test_one_dimensional_and_spatial_inputs():
    x1 = rg.tensor(X[2])
    np.testing.assert_allclose(
        F.cross_entropy(x1, rg.tensor(1), weight=rg.tensor(W), label_smoothing=0.2).item(),
        reference(X[2:], Y[2:], W, eps=0.2),
        rtol=1e-12,
    )
    # (N, C, d) logits: the class dimension is 1
    x = rng.standard_normal((2, 3, 4))
    y = np.array([[0, 1, 2, 1], [2, 2, 0, 1]])
    rows = x.transpose(0, 2, 1).reshape(-1, 3)
    for kwargs in [{}, {"weight": W, "eps": 0.1}]:
        w = kwargs.get("weight")
        out = F.cross_entropy(
            rg.tensor(x),
            rg.tensor(y),
            weight=None if w is None else rg.tensor(w),
            label_smoothing=kwargs.get("eps", 0.0),
            reduction="none",
        )
        assert out.shape == (2, 4)
        ref = reference(rows, y.reshape(-1), w, reduction="none", eps=kwargs.get("eps", 0.0))
        np.testing.assert_allclose(out.numpy(), ref.reshape(2, 4), rtol=1e-12)


def test_probability_targets():
    p = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0], [0.0, 0.5, 0.5]])
    eps = 0.2
    q = p * (1 - eps) + eps / 3
    rows = -(log_softmax(X) * q * W).sum(axis=1)
    args = (rg.tensor(X), rg.tensor(p))
    out = F.cross_entropy(*args, weight=rg.tensor(W), label_smoothing=eps, reduction="none")
    np.testing.assert_allclose(out.numpy(), rows, rtol=1e-12)
    # the mean is over rows, not weights
    out = F.cross_entropy(*args, weight=rg.tensor(W), label_smoothing=eps)
    np.testing.assert_allclose(out.item(), rows.mean(), rtol=1e-12)


def test_module_keeps_weight_as_a_buffer():
    loss = nn.CrossEntropyLoss(weight=rg.tensor(W), ignore_index=1, label_smoothing=0.1)
    assert repr(loss) == "CrossEntropyLoss()"
    assert list(loss.state_dict()) == ["weight"]
    out = loss(rg.tensor(X), rg.tensor(Y))
    np.testing.assert_allclose(out.item(), reference(X, Y, W, 1, eps=0.1), rtol=1e-12)
    assert list(nn.CrossEntropyLoss().state_dict()) == []


def test_legacy_reduction_flags():
    x, y = rg.tensor(X), rg.tensor(Y)
    np.testing.assert_allclose(
        F.cross_entropy(x, y, reduce=False).numpy(), reference(X, Y, reduction="none")
    )
    np.testing.assert_allclose(
        F.nll_loss(x, y, size_average=False).item(), -X[np.arange(3), Y].sum()
    )


# ------------------------------------------------------------------------------- gradients
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    ("weighted", "ignore_index", "eps"),
    [(True, -100, 0.0), (False, -100, 0.25), (True, 2, 0.25), (False, 2, 0.0)],
)
def test_gradcheck(weighted, ignore_index, eps, reduction):
    x = rg.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    y = rg.tensor([0, 2, 1, 2, 0])
    w = rg.tensor(W) if weighted else None

    def loss(t):
        return F.cross_entropy(
            t, y, weight=w, ignore_index=ignore_index, reduction=reduction, label_smoothing=eps
        )

    assert gradcheck(loss, (x,))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gradcheck_nll_and_probabilities(reduction):
    x = rg.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    p = rg.tensor(rng.dirichlet(np.ones(3), size=4))
    w = rg.tensor(W)
    y = rg.tensor([0, 2, 1, 1])
    assert gradcheck(lambda t: F.nll_loss(t, y, weight=w, reduction=reduction), (x,))
    assert gradcheck(
        lambda t: F.cross_entropy(t, p, weight=w, reduction=reduction, label_smoothing=0.1),
        (x,),
    )


# --------------------------------------------------------------------------------- errors
def test_errors_match_pytorch():
    x, y = rg.tensor(X).float(), rg.tensor(Y)
    with pytest.raises(RuntimeError, match=r"expected scalar type Float but found Double"):
        F.cross_entropy(x, y, weight=rg.tensor(W))
    with pytest.raises(RuntimeError, match=r"for all 3 classes .* shape: \[2\]"):
        F.cross_entropy(x, y, weight=rg.ones(2))
    with pytest.raises(TypeError, match="must be Tensor, not list"):
        F.cross_entropy(x, y, weight=[1.0, 2.0, 3.0])
    with pytest.raises(IndexError, match="Target 5 is out of bounds"):
        F.cross_entropy(x, rg.tensor([5, 0, 0]), weight=rg.ones(3))
    with pytest.raises(IndexError, match="Target -1 is out of bounds"):
        F.cross_entropy(x, rg.tensor([-1, 0, 0]), label_smoothing=0.1)
    with pytest.raises(RuntimeError, match="label_smoothing must be between 0.0 and 1.0"):
        F.cross_entropy(x, y, label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"batch_size \(3\) to match target batch_size \(2\)"):
        F.cross_entropy(x, rg.tensor([0, 1]), weight=rg.ones(3))
    with pytest.raises(ValueError, match=r"batch_size \(3\) to match target batch_size \(2\)"):
        F.cross_entropy(x, rg.tensor([0, 1]))  # the fused path
    with pytest.raises(IndexError, match="Target 3 is out of bounds"):
        F.cross_entropy(x, rg.tensor([3, 0, 0]))
    with pytest.raises(RuntimeError, match="target dtype to be Long or Byte, but got Int"):
        F.cross_entropy(x, y.int())
    with pytest.raises(RuntimeError, match="ignore_index is not supported"):
        F.cross_entropy(x, rg.zeros(3, 3), ignore_index=1)
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        F.cross_entropy(x, y, reduction="avg")
    with pytest.raises(RuntimeError, match=r"Expected target size \[2, 4\], got \[2, 3\]"):
        F.cross_entropy(rg.zeros(2, 3, 4), rg.zeros(2, 3, dtype=rg.int64))


# ------------------------------------------------------------------------ against PyTorch
CASES = list(
    itertools.product(
        [None, "w"], [-100, 1], [0.0, 0.3], REDUCTIONS, [(6, 3), (3,), (2, 3, 4)], ["index", "prob"]
    )
)


@pytest.mark.parametrize(("weight", "ignore_index", "eps", "reduction", "shape", "kind"), CASES)
def test_matches_torch(weight, ignore_index, eps, reduction, shape, kind):
    torch = pytest.importorskip("torch")
    local = np.random.default_rng(1)
    x = local.standard_normal(shape).astype(np.float32)
    class_dim = 0 if len(shape) == 1 else 1
    c = shape[class_dim]
    if kind == "prob":
        if ignore_index >= 0:
            return  # an error in both (tested above)
        y = local.dirichlet(np.ones(c), size=x.size // c).astype(np.float32)
        y = np.moveaxis(y.reshape(*np.delete(shape, class_dim), c), -1, class_dim)
    else:
        y = local.integers(0, c, size=tuple(np.delete(shape, class_dim)))
    w = local.uniform(0.5, 2.0, size=c).astype(np.float32) if weight else None
    kwargs = {"ignore_index": ignore_index, "reduction": reduction, "label_smoothing": eps}
    ours_x = rg.tensor(x, requires_grad=True)
    ours = F.cross_entropy(
        ours_x, rg.tensor(y), weight=None if w is None else rg.tensor(w), **kwargs
    )
    theirs_x = torch.tensor(x, requires_grad=True)
    theirs = torch.nn.functional.cross_entropy(
        theirs_x, torch.tensor(y), weight=None if w is None else torch.tensor(w), **kwargs
    )
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-5)
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(ours_x.grad.numpy(), theirs_x.grad.numpy(), rtol=1e-5, atol=1e-7)
