"""The layer classes of ``rustgrad.nn``, one family per file."""

from rustgrad.nn.modules.activation import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from rustgrad.nn.modules.container import ModuleList, Sequential
from rustgrad.nn.modules.dropout import Dropout
from rustgrad.nn.modules.flatten import Flatten
from rustgrad.nn.modules.linear import Identity, Linear
from rustgrad.nn.modules.loss import CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss
from rustgrad.nn.modules.module import Module

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
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
]
