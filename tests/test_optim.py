"""rustgrad.optim: updates equal to hand-computed ones (SGD with momentum, dampening, Nesterov,
weight decay; Adam, AdamW), parameter groups, zero_grad, state dicts (spec 4.5: E118, E119)."""

import math

import numpy as np
import pytest

import rustgrad as rg
from rustgrad import nn, optim


def leaf(values):
    return rg.tensor(values, requires_grad=True)


def set_grad(p, values):
    p.grad = rg.tensor(values)


def test_sgd_param_group_weight_decay_e118_e119():
    w = leaf([1.0, -2.0])
    trainer = optim.SGD([{"params": w, "weight_decay": 0.1}], lr=0.5)
    (w * w).sum().backward()  # grad = 2 * w
    trainer.step()  # w <- w - lr * (grad + 0.1 * w)
    assert repr(w) == "tensor([-0.0500,  0.1000], requires_grad=True)"
    trainer.zero_grad()
    assert w.grad is None
    assert rg.norm(w).item() == 0.11180329322814941


def test_sgd_plain_step_and_isinstance():
    w = leaf([1.0, 2.0])
    opt = optim.SGD([w], lr=0.1)
    assert isinstance(opt, optim.Optimizer)
    set_grad(w, [1.0, -1.0])
    opt.step()
    np.testing.assert_allclose(w.detach().numpy(), [0.9, 2.1], rtol=1e-6)
    assert w.is_leaf and w.requires_grad and w.grad_fn is None


def test_sgd_skips_parameters_without_grad():
    a, b = leaf([1.0]), leaf([1.0])
    opt = optim.SGD([a, b], lr=1.0)
    set_grad(a, [1.0])
    opt.step()
    assert a.tolist() == [0.0] and b.tolist() == [1.0]


def reference_sgd(p, grads, lr, momentum=0.0, dampening=0.0, wd=0.0, nesterov=False):
    """torch's SGD update written out with NumPy."""
    p = np.array(p, dtype=np.float64)
    buf = None
    for g in grads:
        g = np.array(g, dtype=np.float64) + wd * p
        if momentum:
            buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
    return p


@pytest.mark.parametrize(
    "kwargs",
    [
        {"momentum": 0.9},
        {"momentum": 0.9, "dampening": 0.5},
        {"momentum": 0.9, "nesterov": True},
        {"momentum": 0.5, "weight_decay": 0.1},
        {"weight_decay": 0.2},
    ],
)
def test_sgd_momentum_variants_match_hand_computation(kwargs):
    grads = [[1.0, -2.0], [0.5, 0.5], [-1.0, 3.0]]
    w = leaf([1.0, 1.0])
    opt = optim.SGD([w], lr=0.1, **kwargs)
    for g in grads:
        set_grad(w, g)
        opt.step()
    expected = reference_sgd(
        [1.0, 1.0],
        grads,
        0.1,
        kwargs.get("momentum", 0.0),
        kwargs.get("dampening", 0.0),
        kwargs.get("weight_decay", 0.0),
        kwargs.get("nesterov", False),
    )
    np.testing.assert_allclose(w.detach().numpy(), expected, rtol=1e-6)


def test_sgd_momentum_by_hand_two_steps():
    # step 1: buf = g1 = 1, p = 1 - 0.1 * 1 = 0.9
    # step 2: buf = 0.9 * 1 + 1 = 1.9, p = 0.9 - 0.1 * 1.9 = 0.71
    w = leaf([1.0])
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    for _ in range(2):
        set_grad(w, [1.0])
        opt.step()
    assert w.item() == pytest.approx(0.71, rel=1e-6)
    assert opt.state[w]["momentum_buffer"].item() == pytest.approx(1.9, rel=1e-6)


def test_param_groups_with_per_group_options():
    net = nn.Sequential(nn.Linear(2, 1))
    trainer = optim.SGD(
        [{"params": net[0].weight, "weight_decay": 3.0}, {"params": net[0].bias}], lr=0.5
    )
    groups = trainer.param_groups
    assert len(groups) == 2
    assert groups[0]["weight_decay"] == 3.0 and groups[1]["weight_decay"] == 0
    assert groups[0]["params"][0] is net[0].weight and groups[1]["lr"] == 0.5
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": net[0].weight}, {"params": [net[0].weight]}], lr=0.1)


def test_optimizer_argument_errors():
    w = leaf([1.0])
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        optim.SGD(w, lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([w * 2], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.SGD([w], lr=-1.0)
    with pytest.raises(ValueError, match="Nesterov"):
        optim.SGD([w], lr=0.1, nesterov=True)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {w}}], lr=0.1)


def test_parameters_generator_is_consumed_once_into_groups():
    net = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
    opt = optim.SGD(net.parameters(), lr=0.1)
    assert len(opt.param_groups[0]["params"]) == 4


def test_zero_grad_set_to_none_false():
    w = leaf([1.0, 2.0])
    set_grad(w, [3.0, 4.0])
    opt = optim.SGD([w], lr=0.1)
    opt.zero_grad(set_to_none=False)
    assert w.grad.tolist() == [0.0, 0.0]


def reference_adam(p, grads, lr, b1=0.9, b2=0.999, eps=1e-8, wd=0.0, decoupled=False):
    p = np.array(p, dtype=np.float64)
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        g = np.array(g, dtype=np.float64)
        if wd and decoupled:
            p = p * (1 - lr * wd)
        elif wd:
            g = g + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


@pytest.mark.parametrize(
    ("cls", "kwargs", "decoupled"),
    [
        (optim.Adam, {}, False),
        (optim.Adam, {"weight_decay": 0.1}, False),
        (optim.Adam, {"betas": (0.5, 0.9)}, False),
        (optim.AdamW, {"weight_decay": 0.1}, True),
    ],
)
def test_adam_matches_hand_computation(cls, kwargs, decoupled):
    grads = [[1.0, -2.0, 0.0], [0.5, 0.5, 0.1], [-1.0, 3.0, 0.2]]
    w = leaf([1.0, 1.0, -1.0])
    opt = cls([w], lr=0.01, **kwargs)
    for g in grads:
        set_grad(w, g)
        opt.step()
    b1, b2 = kwargs.get("betas", (0.9, 0.999))
    expected = reference_adam(
        [1.0, 1.0, -1.0],
        grads,
        0.01,
        b1,
        b2,
        wd=kwargs.get("weight_decay", 0.0),
        decoupled=decoupled,
    )
    np.testing.assert_allclose(w.detach().numpy(), expected, rtol=1e-5, atol=1e-7)
    assert opt.state[w]["step"] == 3


def test_adam_minimises_a_quadratic():
    # f(w) = sum((w - 3)^2): minimum at w = 3
    w = leaf([0.0, 10.0])
    opt = optim.Adam([w], lr=0.1)
    for _ in range(300):
        opt.zero_grad()
        ((w - 3.0) ** 2).sum().backward()
        opt.step()
    np.testing.assert_allclose(w.detach().numpy(), [3.0, 3.0], atol=0.05)


def test_adamw_default_decay_and_first_step_size():
    # Adam's first step moves every coordinate by lr (times the sign of the gradient)
    w = leaf([1.0, -1.0])
    opt = optim.AdamW([w], lr=0.1)
    assert opt.param_groups[0]["weight_decay"] == 0.01
    set_grad(w, [5.0, -0.001])
    opt.step()
    np.testing.assert_allclose(
        w.detach().numpy(), [1 * (1 - 0.001) - 0.1, -(1 - 0.001) + 0.1], rtol=1e-5
    )


def test_optimizer_state_dict_round_trip():
    a, b = leaf([1.0]), leaf([2.0])
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    set_grad(a, [1.0])
    set_grad(b, [1.0])
    opt.step()
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][1]["lr"] == 0.5
    assert sd["state"][1]["momentum_buffer"].tolist() == [1.0]
    opt2 = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.3, momentum=0.9)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[1]["lr"] == 0.5
    assert opt2.state[b]["momentum_buffer"].tolist() == [1.0]
    # the loaded state is a copy
    opt.state[b]["momentum_buffer"].fill_(9.0)
    assert opt2.state[b]["momentum_buffer"].tolist() == [1.0]


def test_optimizer_repr():
    opt = optim.SGD([leaf([1.0])], lr=0.03)
    assert repr(opt) == (
        "SGD (\nParameter Group 0\n    dampening: 0\n    differentiable: False\n"
        "    foreach: None\n    fused: None\n    lr: 0.03\n    maximize: False\n"
        "    momentum: 0\n    nesterov: False\n    weight_decay: 0\n)"
    )


def test_closure_returns_loss():
    w = leaf([2.0])
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 4.0
    assert w.item() == pytest.approx(1.0)
    assert math.isclose(opt.param_groups[0]["lr"], 0.25)
