"""``optim.SGD``: stochastic gradient descent with momentum, dampening, Nesterov and decay."""

from __future__ import annotations

from rustgrad.optim.optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent, with torch's update rule.

    For each parameter ``p`` with gradient ``g``: ``g += weight_decay * p``; with momentum
    ``buf = momentum * buf + (1 - dampening) * g`` (``buf = g`` on the first step) and
    ``g = buf`` (or ``g + momentum * buf`` with ``nesterov``); then ``p -= lr * g``.

    Args:
        params: iterable of tensors or of parameter-group dicts.
        lr: learning rate (default 1e-3).
        momentum: momentum factor (default 0).
        dampening: dampening of the momentum (default 0).
        weight_decay: L2 penalty added to the gradient (default 0).
        nesterov: use Nesterov momentum (default False).
        maximize: ascend instead of descend (default False).

    Example:
        >>> w = rustgrad.tensor([1.0, -2.0], requires_grad=True)
        >>> trainer = rustgrad.optim.SGD([{"params": w, "weight_decay": 0.1}], lr=0.5)
        >>> (w * w).sum().backward()
        >>> trainer.step()
        >>> w
        tensor([-0.0500,  0.1000], requires_grad=True)
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach=None,
        differentiable: bool = False,
        fused=None,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)

    def _update_group(self, group) -> None:
        lr, momentum = group["lr"], group["momentum"]
        dampening, wd = group["dampening"], group["weight_decay"]
        for p, g in self._gradients(group):
            if wd != 0:
                g = g.add(p, alpha=wd)
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = g.clone()
                else:
                    buf.mul_(momentum).add_(g, alpha=1 - dampening)
                g = g.add(buf, alpha=momentum) if group["nesterov"] else buf
            p.add_(g, alpha=-lr)
