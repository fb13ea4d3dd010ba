"""``rustgrad.nn``: layers, losses, parameters and initialisers, as ``torch.nn``.

Example:
    >>> from rustgrad import nn
    >>> net = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
    >>> net(rustgrad.ones(3, 2, 2)).shape
    rustgrad.Size([3, 2])
"""

from rustgrad.nn import functional, init
from rustgrad.nn.modules import *  # noqa: F403  (the layer classes)
from rustgrad.nn.modules import __all__ as _module_names
from rustgrad.nn.parameter import Parameter

__all__ = [*_module_names, "Parameter", "functional", "init"]
