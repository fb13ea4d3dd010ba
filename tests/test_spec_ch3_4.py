"""The spec's examples E94-E119 (d2l 3.1-4.5) with their exact displayed output, each run as
a notebook cell and shown the way IPython shows it (rustgrad.demo.display)."""

import pytest

import rustgrad as rg
from rustgrad.demo.display import run_cell

# (example, code, expected display); examples of one section share a session, in order.
SECTION_3_1 = [
    (
        "E95",
        """
features = rg.tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
labels = rg.tensor([0, 1, 0, 1, 0, 1, 0, 1, 0, 1])
batch_indices = rg.tensor([1, 3, 5])
features[batch_indices], labels[batch_indices]
""",
        "(tensor([1, 3, 5]), tensor([1, 1, 1]))",
    ),
    (
        "E96",
        """
from rustgrad.utils import data

def load_array(data_arrays, batch_size, is_train=True):
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)

features = rg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
labels = rg.tensor([1.0, 2.0, 3.0])
list(load_array((features, labels), 2, is_train=False))
""",
        """[[tensor([[1., 2.],
          [3., 4.]]),
  tensor([1., 2.])],
 [tensor([[5., 6.]]), tensor([3.])]]""",
    ),
    (
        "E97",
        """
dataset = data.TensorDataset(features, labels)
dataset[0], len(dataset), len(data.DataLoader(dataset, 2))
""",
        "((tensor([1., 2.]), tensor(1.)), 3, 2)",
    ),
    (
        "E98",
        """
def synthetic_data(w, b, num_examples):
    X = rg.normal(0, 1, (num_examples, len(w)))
    y = rg.matmul(X, w) + b
    y += rg.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))

true_w = rg.tensor([2, -3.4])
true_b = 4.2
features, labels = synthetic_data(true_w, true_b, 1000)
features.shape, labels.shape, features.dtype
""",
        "(rustgrad.Size([1000, 2]), rustgrad.Size([1000, 1]), rustgrad.float32)",
    ),
    (
        "E99",
        """
from rustgrad import nn
net = nn.Sequential(nn.Linear(2, 1))
net[0].weight.data.copy_(rg.tensor([[2.0, -3.4]]))
net[0].bias.data.fill_(4.2)
net, net(rg.tensor([[1.0, 1.0], [0.0, 2.0]]))
""",
        """(Sequential(
   (0): Linear(in_features=2, out_features=1, bias=True)
 ),
 tensor([[ 2.8000],
         [-2.6000]], grad_fn=<AddmmBackward0>))""",
    ),
    ("E100", "net[0].bias", "Parameter containing:\ntensor([4.2000], requires_grad=True)"),
    (
        "E101",
        """
loss = nn.MSELoss()
y_hat, y = rg.tensor([1.0, 2.0]), rg.tensor([0.0, 0.0])
loss(y_hat, y), nn.MSELoss(reduction='none')(y_hat, y), nn.MSELoss(reduction='sum')(y_hat, y)
""",
        "(tensor(2.5000), tensor([1., 4.]), tensor(5.))",
    ),
    (
        "E102",
        """
w = rg.tensor([[1.0], [2.0]], requires_grad=True)
b = rg.zeros(1, requires_grad=True)
X = rg.tensor([[1.0, 1.0], [2.0, 0.0]])
y = rg.tensor([[2.0], [1.0]])
l = (rg.matmul(X, w) + b - y.reshape((2, 1))) ** 2 / 2
l.sum().backward()
with rg.no_grad():
    for param in [w, b]:
        param -= 0.1 * param.grad / 2
        param.grad.zero_()
w, b, b.grad
""",
        """(tensor([[0.8500],
         [1.9500]], requires_grad=True),
 tensor([-0.1000], requires_grad=True),
 tensor([0.]))""",
    ),
    (
        "E103",
        """
l = rg.tensor(0.000123)
f'loss {l:f}', f'{float(l):f}'
""",
        "('loss 0.000123', '0.000123')",
    ),
]

SECTION_3_4 = [
    (
        "E104",
        """
y = rg.tensor([0, 2])
y_hat = rg.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
y_hat[[0, 1], y]
""",
        "tensor([0.1000, 0.5000])",
    ),
    (
        "E105",
        """
def cross_entropy(y_hat, y):
    return - rg.log(y_hat[range(len(y_hat)), y])

cross_entropy(y_hat, y)
""",
        "tensor([2.3026, 0.6931])",
    ),
    (
        "E106",
        """
def accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())

y_hat.argmax(axis=1), accuracy(y_hat, y) / len(y)
""",
        "(tensor([2, 2]), 0.5)",
    ),
    (
        "E109",
        """
from rustgrad import nn
loss = nn.CrossEntropyLoss(reduction='none')
loss(y_hat, y), nn.CrossEntropyLoss()(y_hat, y)
""",
        "(tensor([1.3533, 0.9398]), tensor(1.1466))",
    ),
    (
        "E110",
        """
net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
net, nn.Flatten()(rg.zeros(2, 1, 28, 28)).shape, net[1].weight.shape
""",
        """(Sequential(
   (0): Flatten(start_dim=1, end_dim=-1)
   (1): Linear(in_features=784, out_features=10, bias=True)
 ),
 rustgrad.Size([2, 784]),
 rustgrad.Size([10, 784]))""",
    ),
]

SECTION_4_1 = [
    (
        "E111",
        """
x = rg.tensor([-1.0, 0.0, 2.0], requires_grad=True)
y = rg.relu(x)
y.backward(rg.ones_like(x), retain_graph=True)
y, x.grad
""",
        "(tensor([0., 0., 2.], grad_fn=<ReluBackward0>), tensor([0., 0., 1.]))",
    ),
    (
        "E115",
        """
from rustgrad import nn
net = nn.Sequential(nn.Flatten(),
                    nn.Linear(784, 256),
                    nn.ReLU(),
                    nn.Linear(256, 10))
net
""",
        """Sequential(
  (0): Flatten(start_dim=1, end_dim=-1)
  (1): Linear(in_features=784, out_features=256, bias=True)
  (2): ReLU()
  (3): Linear(in_features=256, out_features=10, bias=True)
)""",
    ),
]

SECTION_4_5 = [
    (
        "E117",
        """
def l2_penalty(w):
    return rg.sum(w.pow(2)) / 2

l2_penalty(rg.tensor([[1.0], [2.0]]))
""",
        "tensor(2.5000)",
    ),
    (
        "E118",
        """
w = rg.tensor([1.0, -2.0], requires_grad=True)
trainer = rg.optim.SGD([{"params": w, "weight_decay": 0.1}], lr=0.5)
(w * w).sum().backward()   # grad = 2 * w
trainer.step()             # w <- w - lr * (grad + 0.1 * w)
w
""",
        "tensor([-0.0500,  0.1000], requires_grad=True)",
    ),
    (
        "E119",
        """
trainer.zero_grad()
w.grad is None, rg.norm(w).item()
""",
        "(True, 0.11180329322814941)",
    ),
]

SECTIONS = {"3.1": SECTION_3_1, "3.4": SECTION_3_4, "4.1": SECTION_4_1, "4.5": SECTION_4_5}


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_section_examples_display_exactly(section):
    namespace = {"rg": rg}
    for name, code, expected in SECTIONS[section]:
        shown = run_cell(code.strip("\n"), namespace)
        assert shown == expected, f"{name}:\n{shown}\n!=\n{expected}"


def test_e94_list_indexed_by_tensor_is_a_type_error():
    features = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    batch_indices = rg.tensor([1, 3, 5])
    with pytest.raises(TypeError, match="only integer tensors of a single element"):
        features[batch_indices]  # noqa: B018


def test_e91_running_estimates_shapes():
    from rustgrad.distributions import multinomial

    namespace = {"rg": rg, "multinomial": multinomial}
    code = (
        "fair_probs = rg.ones([6]) / 6\n"
        "counts = multinomial.Multinomial(10, fair_probs).sample((500,))\n"
        "cum_counts = counts.cumsum(dim=0)\n"
        "estimates = cum_counts / cum_counts.sum(dim=1, keepdims=True)\n"
        "counts.shape, estimates.shape, estimates[:, 0].numpy().shape"
    )
    assert run_cell(code, namespace) == (
        "(rustgrad.Size([500, 6]), rustgrad.Size([500, 6]), (500,))"
    )
