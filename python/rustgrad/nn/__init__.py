"""``rustgrad.nn``: layers, losses, parameters and initialisers, as ``torch.nn``.

Example:
    >>> from rustgrad import nn
    >>> net = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
    >>> net(rustgrad.ones(3, 2, 2)).shape
    rustgrad.Size([3, 2])
"""

from rustgrad.nn import functional, init
from rustgrad.nn.modules import (
    CrossEntropyLoss,
    Dropout,
    Flatten,
    HuberLoss,
    Identity,
    L1Loss,
    Linear,
    LogSoftmax,
    Module,
    ModuleList,
    MSELoss,
    NLLLoss,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from rustgrad.nn.parameter import Parameter

__all__ = [
    "CrossEntropyLoss",
    "Dropout",
    "Flatten",
    "HuberLoss",
    "Identity",
    "L1Loss",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "Module",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "functional",
    "init",
]
