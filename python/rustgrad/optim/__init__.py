"""``rustgrad.optim``: optimizers that update parameters from their gradients.

Example:
    >>> w = rustgrad.ones(2, requires_grad=True)
    >>> trainer = rustgrad.optim.SGD([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> trainer.step()
    >>> w
    tensor([0.8000, 0.8000], requires_grad=True)
"""

from rustgrad.optim.adam import Adam, AdamW
from rustgrad.optim.optimizer import Optimizer
from rustgrad.optim.sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer"]
