"""d2l chapters 3-4 end to end, written as the book writes them (with ``import rustgrad as
torch`` style names): linear regression from scratch and concise (3.2, 3.3), softmax
regression from scratch and concise (3.6, 3.7), the MLP from scratch and concise (4.2, 4.3),
weight decay from scratch and concise (4.5). Outcomes are asserted, not just run."""

import random

import pytest

import rustgrad as torch
from rustgrad import nn
from rustgrad.demo.training import accuracy, evaluate_accuracy, train
from rustgrad.utils import data

try:
    import sklearn  # noqa: F401

    HAVE_SKLEARN = True
except ImportError:
    HAVE_SKLEARN = False

needs_digits = pytest.mark.skipif(not HAVE_SKLEARN, reason="scikit-learn digits not installed")


@pytest.fixture(autouse=True)
def seed():
    torch.manual_seed(0)
    random.seed(0)


# ------------------------------------------------------------ 3.2 / 3.3
def synthetic_data(w, b, num_examples):
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i : min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def load_array(data_arrays, batch_size, is_train=True):
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


TRUE_W = [2, -3.4]
TRUE_B = 4.2


def test_linear_regression_from_scratch():
    true_w = torch.tensor(TRUE_W)
    features, labels = synthetic_data(true_w, TRUE_B, 1000)
    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    lr, num_epochs, batch_size = 0.03, 3, 10
    losses = []
    for _ in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels):
            l = squared_loss(linreg(X, w, b), y)  # noqa: E741
            l.sum().backward()
            sgd([w, b], lr, batch_size)
        with torch.no_grad():
            train_l = squared_loss(linreg(features, w, b), labels)
            losses.append(float(train_l.mean()))
            assert f"{train_l.mean():f}" == f"{losses[-1]:f}"
    err_w = true_w - w.reshape(true_w.shape)
    err_b = TRUE_B - b
    assert err_w.grad_fn is not None and "RsubBackward1" in repr(err_b)
    assert abs(err_w).max().item() < 0.01 and abs(err_b).item() < 0.01
    assert losses[-1] < losses[0] and losses[-1] < 1e-3


def test_linear_regression_concise():
    true_w = torch.tensor(TRUE_W)
    features, labels = synthetic_data(true_w, TRUE_B, 1000)
    data_it = load_array((features, labels), 10)
    first = next(iter(data_it))
    assert isinstance(first, list) and first[0].shape == torch.Size([10, 2])
    net = nn.Sequential(nn.Linear(2, 1))
    net[0].weight.data.normal_(0, 0.01)
    net[0].bias.data.fill_(0)
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=0.03)
    for epoch in range(3):
        for X, y in data_it:
            l = loss(net(X), y)  # noqa: E741
            trainer.zero_grad()
            l.backward()
            trainer.step()
        l = loss(net(features), labels)  # noqa: E741
        assert f"epoch {epoch + 1}, loss {l:f}".startswith(f"epoch {epoch + 1}, loss 0.0")
    w = net[0].weight.data
    b = net[0].bias.data
    assert (true_w - w.reshape(true_w.shape)).abs().max().item() < 0.01
    assert abs(TRUE_B - b.item()) < 0.01
    assert l.grad_fn is not None and net[0].weight.grad is not None


# ------------------------------------------------------------ 3.6 / 3.7 on the digits
@pytest.fixture(scope="module")
def digits():
    torch.manual_seed(0)
    return torch.data_utils.load_data_digits(32)


def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])


@needs_digits
def test_softmax_regression_from_scratch(digits):
    train_iter, test_iter = digits
    num_inputs, num_outputs = 64, 10
    W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
    b = torch.zeros(num_outputs, requires_grad=True)

    def net(X):
        return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)

    def updater(batch_size):
        return sgd([W, b], 0.5, batch_size)

    history = train(net, train_iter, test_iter, cross_entropy, 8, updater, out=lambda s: None)
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert history["test_acc"][-1] >= 0.90


@needs_digits
def test_softmax_regression_concise(digits):
    train_iter, test_iter = digits
    net = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))

    def init_weights(m):
        if type(m) == nn.Linear:  # noqa: E721
            nn.init.normal_(m.weight, std=0.01)

    net.apply(init_weights)
    loss = nn.CrossEntropyLoss(reduction="none")
    trainer = torch.optim.SGD(net.parameters(), lr=0.5)
    history = train(net, train_iter, test_iter, loss, 8, trainer, out=lambda s: None)
    assert history["test_acc"][-1] >= 0.90
    assert evaluate_accuracy(net, test_iter) == history["test_acc"][-1]


# ------------------------------------------------------------ 4.2 / 4.3
def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)


@needs_digits
def test_mlp_from_scratch(digits):
    train_iter, test_iter = digits
    num_inputs, num_outputs, num_hiddens = 64, 10, 128
    W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens, requires_grad=True) * 0.01)
    b1 = nn.Parameter(torch.zeros(num_hiddens, requires_grad=True))
    W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs, requires_grad=True) * 0.01)
    b2 = nn.Parameter(torch.zeros(num_outputs, requires_grad=True))
    params = [W1, b1, W2, b2]

    def net(X):
        X = X.reshape((-1, num_inputs))
        H = relu(X @ W1 + b1)
        return H @ W2 + b2

    loss = nn.CrossEntropyLoss(reduction="none")
    updater = torch.optim.SGD(params, lr=0.5)
    history = train(net, train_iter, test_iter, loss, 10, updater, out=lambda s: None)
    assert history["test_acc"][-1] >= 0.90


@needs_digits
def test_mlp_concise(digits):
    train_iter, test_iter = digits
    net = nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))

    def init_weights(m):
        if type(m) == nn.Linear:  # noqa: E721
            nn.init.normal_(m.weight, std=0.01)

    net.apply(init_weights)
    loss = nn.CrossEntropyLoss(reduction="none")
    trainer = torch.optim.SGD(net.parameters(), lr=0.5)
    history = train(net, train_iter, test_iter, loss, 10, trainer, out=lambda s: None)
    assert history["test_acc"][-1] >= 0.90
    X, y = next(iter(test_iter))
    assert accuracy(net(X), y) / len(y) >= 0.8


def test_classification_on_fallback_data_learns():
    # Without scikit-learn the demo trains on generated 8x8 classes: they must be learnable.
    images, labels = torch.data_utils.synthetic_images(600, seed=1)
    X = torch.tensor(images).reshape(600, 1, 8, 8)
    y = torch.tensor(labels)
    train_iter = load_array((X[:500], y[:500]), 32)
    test_iter = load_array((X[500:], y[500:]), 100, is_train=False)
    net = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    trainer = torch.optim.SGD(net.parameters(), lr=0.5)
    loss = nn.CrossEntropyLoss(reduction="none")
    history = train(net, train_iter, test_iter, loss, 10, trainer, out=lambda s: None)
    assert history["test_acc"][-1] >= 0.8


# ------------------------------------------------------------ 4.5 weight decay
N_TRAIN, N_TEST, NUM_INPUTS, BATCH = 20, 100, 200, 5


def decay_data():
    true_w, true_b = torch.ones((NUM_INPUTS, 1)) * 0.01, 0.05
    train_data = synthetic_data(true_w, true_b, N_TRAIN)
    test_data = synthetic_data(true_w, true_b, N_TEST)
    return load_array(train_data, BATCH), load_array(test_data, BATCH, is_train=False)


def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2


def train_scratch(lambd):
    torch.manual_seed(1)
    train_iter, test_iter = decay_data()
    w = torch.normal(0, 1, size=(NUM_INPUTS, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for _ in range(40):
        for X, y in train_iter:
            l = squared_loss(linreg(X, w, b), y) + lambd * l2_penalty(w)  # noqa: E741
            l.sum().backward()
            sgd([w, b], 0.003, BATCH)
    with torch.no_grad():
        test_loss = sum(float(squared_loss(linreg(X, w, b), y).sum()) for X, y in test_iter)
    return torch.norm(w).item(), test_loss / N_TEST


def train_concise(wd):
    torch.manual_seed(1)
    train_iter, test_iter = decay_data()
    net = nn.Sequential(nn.Linear(NUM_INPUTS, 1))
    for param in net.parameters():
        param.data.normal_()
    loss = nn.MSELoss(reduction="none")
    trainer = torch.optim.SGD(
        [{"params": net[0].weight, "weight_decay": wd}, {"params": net[0].bias}], lr=0.003
    )
    for _ in range(40):
        for X, y in train_iter:
            trainer.zero_grad()
            l = loss(net(X), y)  # noqa: E741
            l.mean().backward()
            trainer.step()
    return net[0].weight.norm().item()


def test_l2_penalty_e117():
    assert repr(l2_penalty(torch.tensor([[1.0], [2.0]]))) == "tensor(2.5000)"


def test_weight_decay_from_scratch_shrinks_weights():
    norm_plain, test_plain = train_scratch(0)
    norm_decay, test_decay = train_scratch(3)
    assert norm_decay < 0.5 * norm_plain
    assert test_decay < test_plain


def test_weight_decay_concise_shrinks_weights():
    assert train_concise(3) < 0.5 * train_concise(0)
