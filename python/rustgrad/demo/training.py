"""d2l's training loop (3.6): accuracy, evaluation, one epoch, several epochs with reports."""

from __future__ import annotations

import sys
from typing import Callable

import rustgrad
from rustgrad import nn


class Accumulator:
    """Sums ``n`` running totals (d2l's helper).

    Example:
        >>> acc = Accumulator(2)
        >>> acc.add(1, 2.5); acc.add(3, 0.5)
        >>> acc[0], acc[1]
        (4.0, 3.0)
    """

    def __init__(self, n: int) -> None:
        self.data = [0.0] * n

    def add(self, *args) -> None:
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def reset(self) -> None:
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx: int) -> float:
        return self.data[idx]


def accuracy(y_hat, y) -> float:
    """Number of correct predictions (d2l 3.6).

    Example:
        >>> accuracy(rustgrad.tensor([[0.1, 0.9], [0.8, 0.2]]), rustgrad.tensor([1, 1]))
        1.0
    """
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def evaluate_accuracy(net: Callable, data_iter) -> float:
    """Accuracy of ``net`` over a whole data iterator, in eval mode and without recording.

    Example:
        >>> net = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
        >>> ds = rustgrad.utils.data.TensorDataset(rustgrad.zeros(6, 4), rustgrad.zeros(6).long())
        >>> 0.0 <= evaluate_accuracy(net, rustgrad.utils.data.DataLoader(ds, 4)) <= 1.0
        True
    """
    if isinstance(net, nn.Module):
        net.eval()
    metric = Accumulator(2)
    with rustgrad.no_grad():
        for X, y in data_iter:
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]


def progress(iterable, desc: str):
    """``iterable`` wrapped in a tqdm progress bar on a terminal (tqdm installed), else as is."""
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, desc=desc, leave=False, disable=None, file=sys.stderr, unit="batch")


def train_epoch(net, train_iter, loss, updater, desc: str = "") -> tuple[float, float]:
    """One pass over ``train_iter``; returns (mean training loss, training accuracy).

    ``updater`` is a ``rustgrad.optim.Optimizer`` or d2l's ``updater(batch_size)`` function.
    """
    if isinstance(net, nn.Module):
        net.train()
    metric = Accumulator(3)
    for X, y in progress(train_iter, desc):
        y_hat = net(X)
        l = loss(y_hat, y)  # noqa: E741 (d2l's name)
        if isinstance(updater, rustgrad.optim.Optimizer):
            updater.zero_grad()
            l.mean().backward()
            updater.step()
        else:
            l.sum().backward()
            updater(X.shape[0])
        metric.add(float(l.sum()), accuracy(y_hat, y), y.numel())
    return metric[0] / metric[2], metric[1] / metric[2]


def train(
    net, train_iter, test_iter, loss, num_epochs: int, updater, name: str = "", out=print
) -> dict[str, list[float]]:
    """Trains for ``num_epochs``, printing loss and train/test accuracy after each epoch.

    Returns the history ``{"train_loss": [...], "train_acc": [...], "test_acc": [...]}``.
    """
    history: dict[str, list[float]] = {"train_loss": [], "train_acc": [], "test_acc": []}
    for epoch in range(num_epochs):
        train_loss, train_acc = train_epoch(
            net, train_iter, loss, updater, desc=f"{name} epoch {epoch + 1}/{num_epochs}"
        )
        test_acc = evaluate_accuracy(net, test_iter)
        history["train_loss"].append(train_loss)
        history["train_acc"].append(train_acc)
        history["test_acc"].append(test_acc)
        out(
            f"{name} epoch {epoch + 1:2d}: loss {train_loss:.4f}, "
            f"train acc {train_acc:.3f}, test acc {test_acc:.3f}"
        )
    return history
