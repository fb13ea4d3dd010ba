"""``nn.Linear`` (an affine map with learned weight and bias) and ``nn.Identity``."""

from __future__ import annotations

import math

from rustgrad._core import Tensor, empty
from rustgrad.nn import functional as F
from rustgrad.nn import init
from rustgrad.nn.modules.module import Module
from rustgrad.nn.parameter import Parameter


class Identity(Module):
    """Returns its input unchanged (arguments are accepted and ignored).

    Example:
        >>> x = rustgrad.ones(2)
        >>> rustgrad.nn.Identity()(x) is x
        True
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """``y = x @ weight.T + bias`` for inputs of shape ``(*, in_features)``.

    ``weight`` has shape ``(out_features, in_features)``, ``bias`` ``(out_features,)``; both are
    drawn from U(-1/sqrt(in_features), 1/sqrt(in_features)), as torch does.

    Args:
        in_features: size of each input sample.
        out_features: size of each output sample.
        bias: if ``False`` the layer has no bias (``bias`` is ``None``).

    Example:
        >>> net = rustgrad.nn.Linear(2, 1)
        >>> net
        Linear(in_features=2, out_features=1, bias=True)
        >>> net(rustgrad.ones(5, 2)).shape
        rustgrad.Size([5, 1])
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        kwargs = {} if dtype is None else {"dtype": dtype}
        self.weight = Parameter(empty((out_features, in_features), **kwargs))
        if bias:
            self.bias = Parameter(empty(out_features, **kwargs))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Redraws weight and bias from torch's default distribution.

        Example:
            >>> lin = rustgrad.nn.Linear(4, 3)
            >>> lin.reset_parameters()
            >>> bool((lin.weight.abs() <= 0.5).all())
            True
        """
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )
