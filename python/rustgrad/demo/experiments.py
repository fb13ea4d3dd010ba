"""The demo's models, each a d2l workflow: linear regression (3.3), softmax regression (3.7),
an MLP (4.3) and the MLP with weight decay on its weights (4.5)."""

from __future__ import annotations

import rustgrad
from rustgrad import nn
from rustgrad.data_utils import synthetic_data
from rustgrad.demo.training import train
from rustgrad.utils import data


def init_weights(m: nn.Module) -> None:
    """d2l's initialisation: N(0, 0.01²) weights for every ``nn.Linear``."""
    if type(m) == nn.Linear:  # noqa: E721 (d2l's test)
        nn.init.normal_(m.weight, std=0.01)


def linear_regression(num_epochs: int = 3, out=print) -> dict[str, float]:
    """d2l 3.3 (concise): fits y = 2 x1 - 3.4 x2 + 4.2 on 1,000 synthetic samples.

    Returns the learned ``w1``, ``w2``, ``b`` and the last epoch's loss.
    """
    true_w, true_b = rustgrad.tensor([2, -3.4]), 4.2
    features, labels = synthetic_data(true_w, true_b, 1000)
    data_iter = data.DataLoader(data.TensorDataset(features, labels), 10, shuffle=True)
    net = nn.Sequential(nn.Linear(2, 1))
    net[0].weight.data.normal_(0, 0.01)
    net[0].bias.data.fill_(0)
    loss = nn.MSELoss()
    trainer = rustgrad.optim.SGD(net.parameters(), lr=0.03)
    for epoch in range(num_epochs):
        for X, y in data_iter:
            l = loss(net(X), y)  # noqa: E741
            trainer.zero_grad()
            l.backward()
            trainer.step()
        l = loss(net(features), labels)  # noqa: E741
        out(f"epoch {epoch + 1}, loss {l:f}")
    w, b = net[0].weight.data, net[0].bias.data
    out(f"error in estimating w: {true_w - w.reshape(true_w.shape)}")
    out(f"error in estimating b: {true_b - b}")
    return {"w1": float(w[0, 0]), "w2": float(w[0, 1]), "b": float(b[0]), "loss": float(l)}


def softmax_regression(num_inputs: int, num_outputs: int = 10) -> nn.Module:
    """d2l 3.7: ``Flatten`` then one ``Linear`` layer (logits)."""
    net = nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, num_outputs))
    return net.apply(init_weights)


def mlp(num_inputs: int, num_hiddens: int = 256, num_outputs: int = 10) -> nn.Module:
    """d2l 4.3: ``Flatten``, ``Linear``, ``ReLU``, ``Linear``."""
    net = nn.Sequential(
        nn.Flatten(),
        nn.Linear(num_inputs, num_hiddens),
        nn.ReLU(),
        nn.Linear(num_hiddens, num_outputs),
    )
    return net.apply(init_weights)


def weight_norm(net: nn.Module) -> float:
    """L2 norm of all weight matrices (biases excluded) of ``net``."""
    total = 0.0
    for name, p in net.named_parameters():
        if name.endswith("weight"):
            total += float((p.detach() ** 2).sum())
    return total**0.5


def decayed_sgd(net: nn.Module, lr: float, wd: float) -> rustgrad.optim.SGD:
    """d2l 4.5's optimizer: weight decay on weights only, one parameter group each."""
    weights = [p for n, p in net.named_parameters() if n.endswith("weight")]
    biases = [p for n, p in net.named_parameters() if not n.endswith("weight")]
    return rustgrad.optim.SGD([{"params": weights, "weight_decay": wd}, {"params": biases}], lr=lr)


def classifiers(
    train_iter, test_iter, num_inputs: int, num_epochs: int, lr: float, wd: float, out=print
) -> dict[str, dict]:
    """Trains softmax regression, the MLP and the MLP with weight decay; returns the
    histories (with each model's final weight norm under ``"weight_norm"``)."""
    runs = {}
    loss = nn.CrossEntropyLoss(reduction="none")
    models = [
        ("softmax regression", softmax_regression(num_inputs), None),
        ("MLP", mlp(num_inputs), None),
        (f"MLP + weight decay {wd:g}", mlp(num_inputs), wd),
    ]
    for name, net, decay in models:
        out(f"\n=== {name} ===")
        out(repr(net))
        if decay is None:
            trainer = rustgrad.optim.SGD(net.parameters(), lr=lr)
        else:
            trainer = decayed_sgd(net, lr, decay)
        history = train(net, train_iter, test_iter, loss, num_epochs, trainer, name, out)
        history["weight_norm"] = weight_norm(net)
        out(
            f"{name}: final test accuracy {history['test_acc'][-1]:.3f}, "
            f"weight L2 norm {history['weight_norm']:.3f}"
        )
        runs[name] = history
    return runs
