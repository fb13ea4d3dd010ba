"""Loss modules: ``MSELoss``, ``L1Loss``, ``HuberLoss``, ``CrossEntropyLoss``, ``NLLLoss``."""

from __future__ import annotations

from rustgrad._core import Tensor
from rustgrad.nn import functional as F
from rustgrad.nn.modules.module import Module


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = F._legacy_reduction(size_average, reduce, reduction)


class _WeightedLoss(_Loss):
    def __init__(
        self, weight=None, size_average=None, reduce=None, reduction: str = "mean"
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """Mean squared error ``(input - target) ** 2`` (no ½ factor), reduced by ``reduction``.

    Example:
        >>> loss = rustgrad.nn.MSELoss()
        >>> loss(rustgrad.tensor([1.0, 2.0]), rustgrad.tensor([0.0, 0.0]))
        tensor(2.5000)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error ``|input - target|``, reduced by ``reduction``.

    Example:
        >>> rustgrad.nn.L1Loss()(rustgrad.tensor([1.0, -3.0]), rustgrad.zeros(2))
        tensor(2.)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(Module):
    """Squared error below ``delta``, absolute error (scaled by ``delta``) above it.

    Example:
        >>> rustgrad.nn.HuberLoss()(rustgrad.tensor([0.5, 3.0]), rustgrad.zeros(2))
        tensor(1.3125)
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__()
        self.reduction = reduction
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of raw logits ``(N, C)`` against int64 class indices ``(N,)`` (or class
    probabilities ``(N, C)``); see ``nn.functional.cross_entropy``.

    Computes ``logsumexp(x[i]) - x[i, y[i]]`` per example without overflow, optionally scaled by
    the class ``weight``, mixed with the uniform distribution by ``label_smoothing`` and skipping
    targets equal to ``ignore_index``, then reduces by ``reduction`` (``'mean'``, ``'sum'`` or
    ``'none'``).

    Example:
        >>> y_hat = rustgrad.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
        >>> rustgrad.nn.CrossEntropyLoss(reduction='none')(y_hat, rustgrad.tensor([0, 2]))
        tensor([1.3533, 0.9398])
        >>> rustgrad.nn.CrossEntropyLoss(ignore_index=2)(y_hat, rustgrad.tensor([0, 2]))
        tensor(1.3533)
    """

    def __init__(
        self,
        weight=None,
        size_average=None,
        ignore_index: int = -100,
        reduce=None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of class indices given log-probabilities ``(N, C)``, optionally
    weighted per class and skipping targets equal to ``ignore_index``.

    Example:
        >>> logp = rustgrad.tensor([[-0.5, -1.0], [-2.0, -0.1]])
        >>> rustgrad.nn.NLLLoss()(logp, rustgrad.tensor([0, 1]))
        tensor(0.3000)
    """

    def __init__(
        self,
        weight=None,
        size_average=None,
        ignore_index: int = -100,
        reduce=None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
        )
