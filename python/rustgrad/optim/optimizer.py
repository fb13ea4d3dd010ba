"""``optim.Optimizer``: parameter groups, per-parameter state, ``zero_grad`` and state dicts."""

from __future__ import annotations

import copy
from collections import defaultdict

from rustgrad._core import Tensor
from rustgrad.autograd import enable_grad, no_grad

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: `import rustgrad` does not import typing
if TYPE_CHECKING:
    from typing import Any


class _RequiredParameter:
    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


class _ParamState(defaultdict):
    """Per-parameter state, keyed by the parameter object itself (by identity)."""

    def __init__(self) -> None:
        super().__init__(dict)
        self._params: dict[int, Tensor] = {}

    def __getitem__(self, param):
        self._params[id(param)] = param
        return super().__getitem__(id(param))

    def __contains__(self, param) -> bool:
        return super().__contains__(id(param))

    def get(self, param, default=None):
        return super().get(id(param), default)


class Optimizer:
    """Base class of the optimizers: holds ``param_groups`` and per-parameter ``state``.

    ``params`` is an iterable of tensors, or of dicts (parameter groups) each with a
    ``"params"`` entry (one tensor or an iterable of them) and options overriding ``defaults``.

    Example:
        >>> w = rustgrad.ones(2, requires_grad=True)
        >>> opt = rustgrad.optim.SGD([{"params": w, "weight_decay": 0.1}], lr=0.5)
        >>> isinstance(opt, rustgrad.optim.Optimizer), opt.param_groups[0]["weight_decay"]
        (True, 0.1)
    """

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state = _ParamState()
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {_typename(params)}"
            )
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Adds a group of parameters with its own options.

        Example:
            >>> a, b = rustgrad.ones(1, requires_grad=True), rustgrad.ones(1, requires_grad=True)
            >>> opt = rustgrad.optim.SGD([a], lr=0.1)
            >>> opt.add_param_group({"params": b, "lr": 0.01})
            >>> [g["lr"] for g in opt.param_groups]
            [0.1, 0.01]
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is {_typename(p)}"
                )
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        group["params"] = params
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(
                    f"parameter group didn't specify a value of required optimization "
                    f"parameter {name}"
                )
            group.setdefault(name, default)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Resets the gradient of every parameter: to ``None`` (default) or to zeros.

        Example:
            >>> w = rustgrad.ones(2, requires_grad=True)
            >>> (w * w).sum().backward()
            >>> opt = rustgrad.optim.SGD([w], lr=0.1)
            >>> opt.zero_grad()
            >>> w.grad is None
            True
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.zero_()

    def step(self, closure=None):
        """Updates every parameter that has a gradient; returns ``closure()``'s loss if given.

        ``closure`` (optional) re-evaluates the model and returns the loss; it runs with
        gradients enabled. Subclasses define the update of one parameter group,
        ``_update_group(group)``, which runs under ``no_grad``.

        Example:
            >>> w = rustgrad.tensor([1.0], requires_grad=True)
            >>> opt = rustgrad.optim.SGD([w], lr=0.1, momentum=0.9)
            >>> (2 * w).sum().backward()
            >>> opt.step()
            >>> w
            tensor([0.8000], requires_grad=True)
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                self._update_group(group)
        return loss

    def _update_group(self, group: dict[str, Any]) -> None:
        raise NotImplementedError

    @staticmethod
    def _gradients(group: dict[str, Any]):
        """``(p, g)`` for every parameter of ``group`` that has a gradient ``g`` (negated with
        ``maximize``)."""
        maximize = group.get("maximize", False)
        for p in group["params"]:
            g = p.grad
            if g is not None:
                yield p, (-g if maximize else g)

    # -------------------------------------------------------------- state dicts
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state: ``{"state": {index: {...}}, "param_groups": [...]}``.

        Parameters are replaced by their index across all groups, as torch does.

        Example:
            >>> w = rustgrad.ones(1, requires_grad=True)
            >>> rustgrad.optim.SGD([w], lr=0.1).state_dict()["param_groups"][0]["params"]
            [0]
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            ids = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            packed["params"] = ids
            groups.append(packed)
        state = {}
        for key, value in dict.items(self.state):
            if key in index:
                state[index[key]] = value
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restores options and per-parameter state saved by ``state_dict()``.

        Example:
            >>> w = rustgrad.ones(1, requires_grad=True)
            >>> saved = rustgrad.optim.SGD([w], lr=0.5).state_dict()
            >>> opt = rustgrad.optim.SGD([w], lr=0.1)
            >>> opt.load_state_dict(saved)
            >>> opt.param_groups[0]["lr"]
            0.5
        """
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        params = []
        for saved, group in zip(groups, self.param_groups):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size "
                    "of optimizer's group"
                )
            params.extend(zip(saved["params"], group["params"]))
        by_index = dict(params)
        self.state = _ParamState()
        for idx, value in state_dict["state"].items():
            if idx in by_index:
                self.state[by_index[idx]].update(
                    {
                        k: v.clone() if isinstance(v, Tensor) else copy.deepcopy(v)
                        for k, v in value.items()
                    }
                )
        for saved, group in zip(groups, self.param_groups):
            group.update({k: v for k, v in saved.items() if k != "params"})

    def __repr__(self) -> str:
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"


def _typename(obj) -> str:
    if isinstance(obj, Tensor):
        names = {"float32": "FloatTensor", "float64": "DoubleTensor", "int64": "LongTensor"}
        return "rustgrad." + names.get(str(obj.dtype).split(".")[-1], "Tensor")
    return type(obj).__name__
