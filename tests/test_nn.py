"""rustgrad.nn: parameter registration, traversal, modes, state dicts, reprs, layers, losses,
initialisers (spec 3.1-3.3, 3.4-3.7, 4.1-4.4: E99-E101, E109, E110, E115)."""

import math

import numpy as np
import pytest

import rustgrad as rg
from rustgrad import nn
from rustgrad.nn import functional as F


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 4)
        self.out = nn.Linear(4, 2)
        self.scale = nn.Parameter(rg.ones(1))
        self.register_buffer("steps", rg.zeros(1))

    def forward(self, x):
        return self.out(self.hidden(x).relu()) * self.scale


# ------------------------------------------------------------------ Parameter
def test_parameter_is_a_leaf_tensor_that_requires_grad():
    # nn.Parameter(randn(...) * 0.01): a new leaf even when built from an op result (4.2)
    base = rg.randn(3, 2, requires_grad=True) * 0.01
    p = nn.Parameter(base)
    assert isinstance(p, rg.Tensor) and isinstance(p, nn.Parameter)
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    assert nn.Parameter(rg.zeros(2), requires_grad=False).requires_grad is False


def test_parameter_shares_storage_with_its_data():
    t = rg.zeros(3)
    p = nn.Parameter(t)
    t.fill_(2.0)
    assert p.tolist() == [2.0, 2.0, 2.0]


def test_parameter_repr_e100():
    p = nn.Parameter(rg.tensor([4.2]))
    assert repr(p) == "Parameter containing:\ntensor([4.2000], requires_grad=True)"


def test_parameter_of_integers_is_an_error():
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(rg.tensor([1, 2]))


# ----------------------------------------------------------- module structure
def test_setattr_registers_parameters_modules_and_buffers_in_order():
    net = TwoLayer()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["scale", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    assert [n for n, _ in net.named_children()] == ["hidden", "out"]
    assert [n for n, _ in net.named_modules()] == ["", "hidden", "out"]
    assert [n for n, _ in net.named_buffers()] == ["steps"]
    assert len(list(net.parameters())) == 5
    assert net.hidden.weight.shape == rg.Size([4, 3])


def test_shared_parameters_are_listed_once():
    lin = nn.Linear(2, 2)
    net = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(net.parameters())) == 2
    assert len(list(net.modules())) == 3


def test_reassigning_and_deleting_attributes():
    net = TwoLayer()
    net.scale = nn.Parameter(rg.zeros(1))
    assert float(net.scale) == 0.0
    with pytest.raises(TypeError, match="cannot assign"):
        net.scale = rg.ones(1)  # a plain tensor is not a Parameter
    net.hidden = None
    assert net.hidden is None
    assert [n for n, _ in net.named_parameters()][:1] == ["scale"]
    del net.out
    assert "out" not in dict(net.named_children())
    with pytest.raises(AttributeError):
        net.missing  # noqa: B018


def test_register_parameter_and_add_module_validation():
    m = nn.Module()
    with pytest.raises(KeyError):
        m.register_parameter("a.b", nn.Parameter(rg.ones(1)))
    with pytest.raises(TypeError):
        m.register_parameter("w", rg.ones(1))
    with pytest.raises(TypeError):
        m.add_module("x", 3)
    m.add_module("act", nn.ReLU())
    assert m.act is m.get_submodule("act")


def test_assign_before_init_is_an_error():
    class Bad(nn.Module):
        def __init__(self):
            self.lin = nn.Linear(1, 1)
            super().__init__()

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Bad()


def test_forward_missing():
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(rg.ones(1))


def test_train_eval_apply_and_isinstance():
    net = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(0.5)))
    assert isinstance(net, nn.Module) and net.training
    assert net.eval() is net
    assert all(not m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    visited = []
    assert net.apply(lambda m: visited.append(type(m).__name__)) is net
    # children first, then the module itself
    assert visited == ["Linear", "Dropout", "Sequential", "Sequential"]


def test_apply_init_weights_as_d2l():
    def init_weights(m):
        if type(m) == nn.Linear:  # noqa: E721
            nn.init.normal_(m.weight, std=0.01)

    rg.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10)).apply(init_weights)
    w = net[1].weight.detach().numpy()
    assert abs(w.std() - 0.01) < 0.001 and abs(w.mean()) < 0.001
    assert net[1].weight.requires_grad and net[1].weight.is_leaf


def test_zero_grad_and_requires_grad():
    lin = nn.Linear(2, 1)
    lin.weight.grad = rg.ones(1, 2)
    lin.zero_grad(set_to_none=False)
    assert lin.weight.grad.tolist() == [[0.0, 0.0]]
    lin.zero_grad()
    assert lin.weight.grad is None
    lin.requires_grad_(False)
    assert not any(p.requires_grad for p in lin.parameters())


# ------------------------------------------------------------------ state dict
def test_state_dict_round_trip():
    a, b = TwoLayer(), TwoLayer()
    sd = a.state_dict()
    assert list(sd) == ["scale", "steps", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    assert all(not v.requires_grad for v in sd.values())
    result = b.load_state_dict(sd)
    assert repr(result) == "<All keys matched successfully>"
    for (n1, p1), (n2, p2) in zip(a.named_parameters(), b.named_parameters()):
        assert n1 == n2 and p1.tolist() == p2.tolist()
        assert p2.requires_grad and p2.is_leaf
    # b's parameters kept their identity (values copied in place)
    w = b.hidden.weight
    b.load_state_dict(a.state_dict())
    assert b.hidden.weight is w


def test_state_dict_shares_storage_but_is_detached():
    lin = nn.Linear(2, 1)
    sd = lin.state_dict()
    sd["bias"].fill_(7.0)
    assert lin.bias.tolist() == [7.0]


def test_load_state_dict_errors():
    lin = nn.Linear(2, 1)
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "bias"'):
        lin.load_state_dict({"weight": rg.zeros(1, 2)})
    with pytest.raises(RuntimeError, match="size mismatch for weight"):
        lin.load_state_dict({"weight": rg.zeros(2, 2), "bias": rg.zeros(1)})
    missing, unexpected = lin.load_state_dict(
        {"weight": rg.zeros(1, 2), "x": rg.ones(1)}, strict=False
    )
    assert missing == ["bias"] and unexpected == ["x"]
    assert lin.weight.tolist() == [[0.0, 0.0]]


# ------------------------------------------------------------------- reprs
def test_sequential_linear_repr_e99():
    net = nn.Sequential(nn.Linear(2, 1))
    assert repr(net) == ("Sequential(\n  (0): Linear(in_features=2, out_features=1, bias=True)\n)")


def test_mlp_repr_e115():
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    assert repr(net) == (
        "Sequential(\n"
        "  (0): Flatten(start_dim=1, end_dim=-1)\n"
        "  (1): Linear(in_features=784, out_features=256, bias=True)\n"
        "  (2): ReLU()\n"
        "  (3): Linear(in_features=256, out_features=10, bias=True)\n"
        ")"
    )


def test_nested_and_custom_reprs():
    net = nn.Sequential(
        nn.Sequential(nn.Tanh(), nn.Sigmoid()),
        nn.Dropout(0.2),
        nn.Softmax(dim=1),
        nn.Identity(),
        nn.Linear(3, 1, bias=False),
    )
    assert repr(net) == (
        "Sequential(\n"
        "  (0): Sequential(\n"
        "    (0): Tanh()\n"
        "    (1): Sigmoid()\n"
        "  )\n"
        "  (1): Dropout(p=0.2, inplace=False)\n"
        "  (2): Softmax(dim=1)\n"
        "  (3): Identity()\n"
        "  (4): Linear(in_features=3, out_features=1, bias=False)\n"
        ")"
    )
    assert repr(TwoLayer()) == (
        "TwoLayer(\n"
        "  (hidden): Linear(in_features=3, out_features=4, bias=True)\n"
        "  (out): Linear(in_features=4, out_features=2, bias=True)\n"
        ")"
    )
    assert repr(nn.MSELoss()) == "MSELoss()"
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"


# ------------------------------------------------------------------ Sequential
def test_sequential_indexing_len_iteration():
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(net) == 3
    assert isinstance(net[-1], nn.Linear) and net[-1] is net[2]
    assert [type(m).__name__ for m in net] == ["Linear", "ReLU", "Linear"]
    head = net[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2
    with pytest.raises(IndexError):
        net[3]  # noqa: B018
    net.append(nn.Sigmoid())
    assert len(net) == 4
    del net[1]
    assert [n for n, _ in net.named_children()] == ["0", "1", "2"]


def test_sequential_set_params_and_forward_e99():
    net = nn.Sequential(nn.Linear(2, 1))
    net[0].weight.data.copy_(rg.tensor([[2.0, -3.4]]))
    net[0].bias.data.fill_(4.2)
    out = net(rg.tensor([[1.0, 1.0], [0.0, 2.0]]))
    np.testing.assert_allclose(out.detach().numpy(), [[2.8], [-2.6]], rtol=1e-6)
    assert out.requires_grad
    assert repr(net[0].bias) == "Parameter containing:\ntensor([4.2000], requires_grad=True)"


# --------------------------------------------------------------------- Linear
def test_linear_default_init_bounds_and_shapes():
    rg.manual_seed(1)
    lin = nn.Linear(16, 500)
    bound = 1 / math.sqrt(16)
    w, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
    assert w.shape == (500, 16) and b.shape == (500,)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # uniform on [-bound, bound]: spread close to the whole interval, variance bound²/3
    assert np.abs(w).max() > 0.95 * bound
    assert abs(w.var() - bound**2 / 3) < 0.1 * bound**2 / 3


def test_linear_forward_matches_numpy_for_leading_dims():
    lin = nn.Linear(3, 2)
    x = rg.randn(4, 5, 3)
    expected = x.numpy() @ lin.weight.detach().numpy().T + lin.bias.detach().numpy()
    np.testing.assert_allclose(lin(x).detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    no_bias = nn.Linear(3, 2, bias=False)
    assert no_bias.bias is None and len(list(no_bias.parameters())) == 1


def test_linear_gradients():
    # y = sum(x W^T + b): dy/dW = column sums of x broadcast per row; dy/db = batch size
    lin = nn.Linear(2, 3)
    x = rg.tensor([[1.0, 2.0], [3.0, 4.0]])
    lin(x).sum().backward()
    assert lin.weight.grad.tolist() == [[4.0, 6.0]] * 3
    assert lin.bias.grad.tolist() == [2.0, 2.0, 2.0]


def test_linear_dtype_and_to():
    lin = nn.Linear(2, 2, dtype=rg.float64)
    assert lin.weight.dtype == rg.float64
    lin.float()
    assert lin.weight.dtype == rg.float32 and isinstance(lin.weight, nn.Parameter)


# ----------------------------------------------------------- layers/functions
def test_flatten_e110():
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    assert nn.Flatten()(rg.zeros(2, 1, 28, 28)).shape == rg.Size([2, 784])
    assert net[1].weight.shape == rg.Size([10, 784])
    assert nn.Flatten(0, 1)(rg.zeros(2, 3, 4)).shape == rg.Size([6, 4])


def test_activations_match_closed_forms():
    x = rg.tensor([-1.0, 0.0, 2.0])
    xs = x.numpy()
    np.testing.assert_allclose(nn.ReLU()(x).numpy(), np.maximum(xs, 0))
    np.testing.assert_allclose(nn.Sigmoid()(x).numpy(), 1 / (1 + np.exp(-xs)), rtol=1e-6)
    np.testing.assert_allclose(nn.Tanh()(x).numpy(), np.tanh(xs), rtol=1e-6)
    assert F.sigmoid(x).tolist() == nn.Sigmoid()(x).tolist()
    assert F.tanh(x).tolist() == nn.Tanh()(x).tolist()


def test_softmax_and_log_softmax():
    x = rg.tensor([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0]])
    e = np.exp(x.numpy() - x.numpy().max(1, keepdims=True))
    ref = e / e.sum(1, keepdims=True)
    np.testing.assert_allclose(nn.Softmax(dim=1)(x).numpy(), ref, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(F.log_softmax(x, dim=1).numpy()[0], np.log(ref[0]), rtol=1e-5)
    assert np.isfinite(F.log_softmax(x, dim=1).numpy()).all()
    with pytest.warns(UserWarning, match="Implicit dimension"):
        F.softmax(rg.ones(2, 2))


def test_dropout():
    rg.manual_seed(0)
    x = rg.ones(10000)
    y = nn.Dropout(0.3)(x).numpy()
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.03
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    drop = nn.Dropout(0.3).eval()
    assert drop(x) is x
    assert F.dropout(x, 0.0) is x
    assert F.dropout(x, 1.0).sum().item() == 0.0
    with pytest.raises(ValueError):
        nn.Dropout(1.5)


# ---------------------------------------------------------------------- losses
def test_mse_loss_reductions_e101():
    loss = nn.MSELoss()
    y_hat, y = rg.tensor([1.0, 2.0]), rg.tensor([0.0, 0.0])
    assert repr(loss(y_hat, y)) == "tensor(2.5000)"
    assert repr(nn.MSELoss(reduction="none")(y_hat, y)) == "tensor([1., 4.])"
    assert repr(nn.MSELoss(reduction="sum")(y_hat, y)) == "tensor(5.)"
    with pytest.raises(ValueError):
        nn.MSELoss(reduction="avg")(y_hat, y)


def test_mse_loss_gradient():
    # l = mean((x - t)^2): dl/dx = 2 (x - t) / n
    x = rg.tensor([1.0, 2.0, 4.0], requires_grad=True)
    nn.MSELoss()(x, rg.tensor([0.0, 2.0, 1.0])).backward()
    np.testing.assert_allclose(x.grad.numpy(), [2 / 3, 0.0, 2.0], rtol=1e-6)


def test_cross_entropy_e109():
    y = rg.tensor([0, 2])
    y_hat = rg.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    loss = nn.CrossEntropyLoss(reduction="none")
    assert repr(loss(y_hat, y)) == "tensor([1.3533, 0.9398])"
    assert repr(nn.CrossEntropyLoss()(y_hat, y)) == "tensor(1.1466)"
    assert repr(nn.CrossEntropyLoss(reduction="sum")(y_hat, y)) == "tensor(2.2931)"


def test_cross_entropy_is_stable_and_its_gradient_is_softmax_minus_onehot():
    logits = rg.tensor([[1000.0, 0.0], [0.0, 0.0]], requires_grad=True)
    target = rg.tensor([0, 1])
    loss = F.cross_entropy(logits, target, reduction="sum")
    np.testing.assert_allclose(loss.item(), math.log(2), rtol=1e-5)
    loss.backward()
    np.testing.assert_allclose(logits.grad.numpy(), [[0.0, 0.0], [0.5, -0.5]], atol=1e-6)


def test_nll_l1_huber():
    logp = rg.tensor([[-0.5, -1.0], [-2.0, -0.1]])
    np.testing.assert_allclose(nn.NLLLoss()(logp, rg.tensor([0, 1])).item(), 0.3, rtol=1e-6)
    assert nn.L1Loss()(rg.tensor([1.0, -3.0]), rg.zeros(2)).item() == 2.0
    h = nn.HuberLoss(reduction="none", delta=1.0)(rg.tensor([0.5, 3.0, -2.0]), rg.zeros(3))
    np.testing.assert_allclose(h.numpy(), [0.125, 2.5, 1.5])


# ------------------------------------------------------------------------ init
def test_init_functions_fill_in_place_and_return_the_tensor():
    p = nn.Parameter(rg.empty(200, 50))
    for fn, args in [(nn.init.zeros_, ()), (nn.init.ones_, ()), (nn.init.constant_, (0.5,))]:
        assert fn(p, *args) is p
    assert set(p.detach().numpy().ravel()) == {0.5}
    assert p.requires_grad and p.grad_fn is None
    rg.manual_seed(0)
    nn.init.normal_(p, mean=1.0, std=0.5)
    assert abs(p.detach().numpy().mean() - 1.0) < 0.02
    assert abs(p.detach().numpy().std() - 0.5) < 0.02
    nn.init.uniform_(p, -2.0, 3.0)
    v = p.detach().numpy()
    assert v.min() >= -2.0 and v.max() < 3.0 and abs(v.mean() - 0.5) < 0.05


def test_xavier_and_kaiming_scales():
    rg.manual_seed(0)
    w = rg.empty(300, 200)
    bound = math.sqrt(6 / 500)
    v = nn.init.xavier_uniform_(w).numpy()
    assert np.abs(v).max() <= bound and np.abs(v).max() > 0.95 * bound
    assert abs(nn.init.xavier_normal_(w).numpy().std() - math.sqrt(2 / 500)) < 0.003
    v = nn.init.kaiming_uniform_(w, a=math.sqrt(5)).numpy()
    assert np.abs(v).max() <= 1 / math.sqrt(200)
    assert nn.init.calculate_gain("tanh") == 5 / 3
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(rg.empty(3))


# ------------------------------------------------- grad_fn names (spec 1.5 table)
@pytest.mark.parametrize(
    ("fused", "make", "name"),
    [
        ("linear", lambda: nn.Linear(2, 1)(rg.ones(3, 2)), "AddmmBackward0"),
        (
            "mse_loss",
            lambda: nn.MSELoss()(nn.Linear(2, 1)(rg.ones(3, 2)), rg.ones(3, 1)),
            "MseLossBackward0",
        ),
        (
            "cross_entropy",
            lambda: nn.CrossEntropyLoss(reduction="none")(
                nn.Linear(2, 3)(rg.ones(4, 2)), rg.tensor([0, 1, 2, 0])
            ),
            "NllLossBackward0",
        ),
    ],
)
def test_fused_ops_have_torch_grad_fn_names(fused, make, name):
    from rustgrad import _core

    out = make()
    if not hasattr(_core, fused):
        pytest.skip(f"rustgrad._core.{fused} not built yet (composed fallback in use)")
    assert out.grad_fn.name() == name


def test_flatten_and_relu_grad_fn_names():
    x = rg.ones(2, 1, 2, 2, requires_grad=True)
    assert nn.Flatten()(x).grad_fn.name() == "ViewBackward0"
    assert nn.ReLU()(x).grad_fn.name() == "ReluBackward0"
