"""``nn.init``: fill parameters in place (without recording) with initial values.

Every function takes the tensor to fill, changes it in place under ``no_grad`` and returns it.
Random values come from the global generator (``rustgrad.manual_seed``).
"""

from __future__ import annotations

import math

from rustgrad._core import Tensor, normal, rand
from rustgrad.autograd import no_grad

__all__ = [
    "calculate_gain",
    "constant_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended scale of the weights for a nonlinearity (torch's table).

    Example:
        >>> rustgrad.nn.init.calculate_gain("relu")
        1.4142135623730951
    """
    linear_fns = {
        "linear",
        "conv1d",
        "conv2d",
        "conv3d",
        "conv_transpose1d",
        "conv_transpose2d",
        "conv_transpose3d",
        "sigmoid",
    }
    if nonlinearity in linear_fns:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _fans(tensor: Tensor) -> tuple[int, int]:
    if tensor.dim() < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive = 1
    for s in tuple(tensor.shape)[2:]:
        receptive *= s
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fill_from(tensor: Tensor, values: Tensor) -> Tensor:
    with no_grad():
        tensor.copy_(values)
    return tensor


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Fills ``tensor`` with values drawn from U(a, b).

    Example:
        >>> w = rustgrad.nn.init.uniform_(rustgrad.empty(3), -1.0, 1.0)
        >>> bool(((w >= -1) & (w < 1)).all())
        True
    """
    values = rand(tuple(tensor.shape), dtype=tensor.dtype) * (b - a) + a
    return _fill_from(tensor, values)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Fills ``tensor`` with values drawn from N(mean, std²).

    Example:
        >>> rustgrad.nn.init.normal_(rustgrad.empty(2, 3), std=0.01).shape
        rustgrad.Size([2, 3])
    """
    values = normal(float(mean), float(std), tuple(tensor.shape))
    return _fill_from(tensor, values)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fills ``tensor`` with ``val``.

    Example:
        >>> rustgrad.nn.init.constant_(rustgrad.empty(2), 0.5)
        tensor([0.5000, 0.5000])
    """
    with no_grad():
        tensor.fill_(val)
    return tensor


def zeros_(tensor: Tensor) -> Tensor:
    """Fills ``tensor`` with zeros.

    Example:
        >>> rustgrad.nn.init.zeros_(rustgrad.empty(2))
        tensor([0., 0.])
    """
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """Fills ``tensor`` with ones.

    Example:
        >>> rustgrad.nn.init.ones_(rustgrad.empty(2))
        tensor([1., 1.])
    """
    return constant_(tensor, 1.0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))`` (Glorot and Bengio, 2010).

    Example:
        >>> w = rustgrad.nn.init.xavier_uniform_(rustgrad.empty(3, 5))
        >>> bool((w.abs() <= (6 / 8) ** 0.5).all())
        True
    """
    fan_in, fan_out = _fans(tensor)
    bound = gain * math.sqrt(6.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """N(0, std²) with ``std = gain * sqrt(2 / (fan_in + fan_out))``.

    Example:
        >>> rustgrad.nn.init.xavier_normal_(rustgrad.empty(3, 5)).shape
        rustgrad.Size([3, 5])
    """
    fan_in, fan_out = _fans(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _fans(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator=None,
) -> Tensor:
    """U(-b, b) with ``b = gain * sqrt(3 / fan)`` (He et al., 2015).

    ``nn.Linear`` uses ``a=sqrt(5)``, which gives ``b = 1 / sqrt(in_features)``.

    Example:
        >>> w = rustgrad.nn.init.kaiming_uniform_(rustgrad.empty(2, 4), a=5 ** 0.5)
        >>> bool((w.abs() <= 0.5).all())
        True
    """
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator=None,
) -> Tensor:
    """N(0, std²) with ``std = gain / sqrt(fan)``.

    Example:
        >>> rustgrad.nn.init.kaiming_normal_(rustgrad.empty(2, 4), nonlinearity="relu").shape
        rustgrad.Size([2, 4])
    """
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity))
