"""``rustgrad.autograd``: gradients of tensors with respect to others.

Example:
    >>> x = rustgrad.arange(4.0, requires_grad=True)
    >>> y = 2 * rustgrad.dot(x, x)
    >>> rustgrad.autograd.grad(y, x)
    (tensor([ 0.,  4.,  8., 12.]),)
"""

from rustgrad._core import _set_grad_enabled, grad, graph_size, is_grad_enabled
from rustgrad.autograd.grad_mode import enable_grad, no_grad, set_grad_enabled
from rustgrad.autograd.gradcheck import gradcheck

__all__ = [
    "_set_grad_enabled",
    "enable_grad",
    "grad",
    "gradcheck",
    "graph_size",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
]
