"""Benchmarks of the d2l training workflows: one MLP step and one softmax-regression epoch.

Targets (issue 6): the MLP step (batch 256, 784 -> 256 -> 10, ReLU, cross-entropy, SGD) at most
0.7x PyTorch's time; one softmax-regression epoch over 60,000 x 784 float32 samples in batches
of 256 through a DataLoader at most 0.8x PyTorch's time.
"""

import numpy as np


def _mlp_step(lib, nn, X, y):
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    loss = nn.CrossEntropyLoss()
    trainer = lib.optim.SGD(net.parameters(), lr=0.1)

    def step():
        trainer.zero_grad()
        loss(net(X), y).backward()
        trainer.step()

    return step


def _softmax_epoch(lib, nn, data, X, y):
    loader = data.DataLoader(data.TensorDataset(X, y), 256, shuffle=True)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    loss = nn.CrossEntropyLoss()
    trainer = lib.optim.SGD(net.parameters(), lr=0.1)

    def epoch():
        for Xb, yb in loader:
            trainer.zero_grad()
            loss(net(Xb), yb).backward()
            trainer.step()

    return epoch


def cases(rg, np_module, torch):
    rng = np.random.default_rng(0)
    x_step = rng.random((256, 1, 28, 28), dtype=np.float32)
    y_step = rng.integers(0, 10, 256)
    x_epoch = rng.random((60000, 784), dtype=np.float32)
    y_epoch = rng.integers(0, 10, 60000)

    from rustgrad import nn as rg_nn
    from rustgrad.utils import data as rg_data

    out = []
    mlp = {
        "rustgrad": _mlp_step(rg, rg_nn, rg.tensor(x_step), rg.tensor(y_step)),
        "numpy": None,
        "torch": None,
    }
    epoch = {
        "rustgrad": _softmax_epoch(
            rg, rg_nn, rg_data, rg.from_numpy(x_epoch), rg.from_numpy(y_epoch)
        ),
        "numpy": None,
        "torch": None,
    }
    if torch is not None:
        from torch import nn as t_nn
        from torch.utils import data as t_data

        mlp["torch"] = _mlp_step(torch, t_nn, torch.tensor(x_step), torch.tensor(y_step))
        epoch["torch"] = _softmax_epoch(
            torch, t_nn, t_data, torch.from_numpy(x_epoch), torch.from_numpy(y_epoch)
        )
    out.append(("nn: MLP training step (256, 784-256-10)", mlp))
    out.append(("nn: softmax regression epoch (60000x784, batch 256)", epoch))
    return out
