"""``nn.Parameter``: a tensor that a ``Module`` registers as one of its parameters."""

from __future__ import annotations

from rustgrad._core import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad and that modules list in ``parameters()``.

    ``Parameter(data)`` shares ``data``'s storage but is always a new leaf, even when ``data``
    is the result of an op (``rustgrad.randn(3, 2, requires_grad=True) * 0.01``).

    Args:
        data: the initial values (default: an empty float32 tensor).
        requires_grad: whether the parameter requires grad (default ``True``).

    Example:
        >>> rustgrad.nn.Parameter(rustgrad.tensor([4.2]))
        Parameter containing:
        tensor([4.2000], requires_grad=True)
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from rustgrad._core import empty

            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter data must be a Tensor, got {type(data).__name__}")
        param = super().__new__(cls, data.detach())
        param.requires_grad_(requires_grad)
        return param

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.detach().numpy().copy(), self.requires_grad))


def _rebuild_parameter(array, requires_grad):
    from rustgrad._core import tensor

    return Parameter(tensor(array), requires_grad)
