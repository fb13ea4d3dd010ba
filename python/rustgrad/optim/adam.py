"""``optim.Adam`` and ``optim.AdamW``: adaptive moment estimation (Kingma and Ba, 2015)."""

from __future__ import annotations

import math

from rustgrad._core import zeros_like
from rustgrad.optim.optimizer import Optimizer


class Adam(Optimizer):
    """Adam with torch's update rule (``weight_decay`` is an L2 term added to the gradient).

    Per parameter, at step t: ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g²``,
    ``p -= lr / (1 - b1^t) * m / (sqrt(v / (1 - b2^t)) + eps)``.

    Args:
        params: iterable of tensors or of parameter-group dicts.
        lr: learning rate (default 1e-3).
        betas: decay rates ``(b1, b2)`` of the moment estimates (default (0.9, 0.999)).
        eps: term added to the denominator (default 1e-8).
        weight_decay: L2 penalty (default 0).
        amsgrad: use the maximum of past ``v`` (default False).

    Example:
        >>> w = rustgrad.tensor([1.0, -1.0], requires_grad=True)
        >>> opt = rustgrad.optim.Adam([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w
        tensor([ 0.9000, -0.9000], requires_grad=True)
    """

    _decoupled = False

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach=None,
        capturable: bool = False,
        differentiable: bool = False,
        fused=None,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)

    def _update_group(self, group) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        wd = group["weight_decay"]
        for p, g in self._gradients(group):
            state = self.state[p]
            if not state:
                state["step"] = 0
                state["exp_avg"] = zeros_like(p.data)
                state["exp_avg_sq"] = zeros_like(p.data)
                if group["amsgrad"]:
                    state["max_exp_avg_sq"] = zeros_like(p.data)
            state["step"] += 1
            t = state["step"]
            if wd != 0:
                if self._decoupled:
                    p.mul_(1 - lr * wd)
                else:
                    g = g.add(p, alpha=wd)
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m.mul_(beta1).add_(g, alpha=1 - beta1)
            v.mul_(beta2).add_(g * g, alpha=1 - beta2)
            if group["amsgrad"]:
                v = state["max_exp_avg_sq"].maximum_(v)
            step_size = lr / (1 - beta1**t)
            denom = (v.sqrt() / math.sqrt(1 - beta2**t)).add_(eps)
            p.add_(m / denom, alpha=-step_size)


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p *= 1 - lr * weight_decay`` before the update.

    Same arguments as ``Adam``; ``weight_decay`` defaults to 0.01.

    Example:
        >>> w = rustgrad.tensor([1.0], requires_grad=True)
        >>> opt = rustgrad.optim.AdamW([w], lr=0.1, weight_decay=0.5)
        >>> w.sum().backward()
        >>> opt.step()
        >>> w
        tensor([0.8500], requires_grad=True)
    """

    _decoupled = True

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, **kwargs)
