"""Saving and restoring a module's values (``state_dict``) and converting its dtype."""

from __future__ import annotations

from collections import OrderedDict, namedtuple

from rustgrad._core import Tensor

_IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class ModuleStateMixin:
    """The state half of ``nn.Module`` (mixed into it; not used on its own)."""

    def state_dict(self, destination=None, prefix: str = "", keep_vars: bool = False):
        """An ordered dict from dotted names to parameters and buffers (detached).

        Example:
            >>> list(rustgrad.nn.Sequential(rustgrad.nn.Linear(2, 1)).state_dict())
            ['0.weight', '0.bias']
        """
        if destination is None:
            destination = OrderedDict()
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None:
                destination[prefix + name] = b if keep_vars else b.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination, prefix + name + ".", keep_vars)
        return destination

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Copies values from ``state_dict`` into the parameters and buffers.

        Returns ``(missing_keys, unexpected_keys)``; with ``strict=True`` either raises
        ``RuntimeError``, as does a shape mismatch.

        Example:
            >>> a, b = rustgrad.nn.Linear(2, 1), rustgrad.nn.Linear(2, 1)
            >>> b.load_state_dict(a.state_dict())
            <All keys matched successfully>
            >>> bool((a.weight == b.weight).all())
            True
        """
        from rustgrad.autograd import no_grad

        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        if strict:
            if unexpected:
                names = ", ".join(f'"{k}"' for k in unexpected)
                errors.append(f"Unexpected key(s) in state_dict: {names}. ")
            if missing:
                names = ", ".join(f'"{k}"' for k in missing)
                errors.append(f"Missing key(s) in state_dict: {names}. ")
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            if not isinstance(value, Tensor):
                errors.append(
                    f'While copying the parameter named "{key}", expected rustgrad.Tensor '
                    f"but got {type(value).__name__}."
                )
                continue
            if tuple(value.shape) != tuple(target.shape):
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {value.shape} from "
                    f"checkpoint, the shape in current model is {target.shape}."
                )
                continue
            with no_grad():
                target.copy_(value)
        if errors:
            body = "\n\t".join(errors)
            raise RuntimeError(f"Error(s) in loading state_dict for {self._get_name()}:\n\t{body}")
        return _LoadResult(missing, unexpected)

    def to(self, *args, **kwargs) -> ModuleStateMixin:
        """Converts floating parameters and buffers to a dtype; devices other than CPU fail.

        Example:
            >>> rustgrad.nn.Linear(2, 1).to(rustgrad.float64).weight.dtype
            rustgrad.float64
        """
        from rustgrad._core import dtype as dtype_cls

        target = kwargs.get("dtype")
        for a in list(args) + [kwargs.get("device")]:
            if isinstance(a, dtype_cls):
                target = a
            elif isinstance(a, str) and a != "cpu":
                raise RuntimeError(f"rustgrad runs on the CPU only; got device '{a}'")
        if target is not None:
            for p in self.parameters():
                if p.is_floating_point():
                    p.data = p.data.to(target)
            for m in self.modules():
                for k, b in m._buffers.items():
                    if b is not None and b.is_floating_point():
                        m._buffers[k] = b.to(target)
        return self

    def cpu(self) -> ModuleStateMixin:
        """Returns self (rustgrad runs on the CPU only).

        Example:
            >>> isinstance(rustgrad.nn.ReLU().cpu(), rustgrad.nn.ReLU)
            True
        """
        return self

    def float(self) -> ModuleStateMixin:
        """Parameters to float32.

        Example:
            >>> rustgrad.nn.Linear(1, 1).double().float().weight.dtype
            rustgrad.float32
        """
        from rustgrad._core import float32

        return self.to(float32)

    def double(self) -> ModuleStateMixin:
        """Parameters to float64.

        Example:
            >>> rustgrad.nn.Linear(1, 1).double().bias.dtype
            rustgrad.float64
        """
        from rustgrad._core import float64

        return self.to(float64)


class _LoadResult(_IncompatibleKeys):
    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()
