"""``nn.Module``: the base class of layers and models (parameters, submodules, modes, reprs)."""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from typing import Callable, Iterator

from rustgrad._core import Tensor
from rustgrad.nn.parameter import Parameter

_IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


def _addindent(text: str, spaces: int) -> str:
    """Indents every line of ``text`` but the first by ``spaces`` (torch's helper)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    first = lines.pop(0)
    return first + "\n" + "\n".join(" " * spaces + line for line in lines)


class Module:
    """Base class for all neural network modules.

    A subclass creates its parameters and submodules in ``__init__`` (assigning them as
    attributes registers them) and computes its output in ``forward``; calling the module runs
    ``forward``.

    Example:
        >>> class Net(rustgrad.nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = rustgrad.nn.Linear(2, 3)
        ...     def forward(self, x):
        ...         return self.hidden(x).relu()
        >>> net = Net()
        >>> [name for name, _ in net.named_parameters()]
        ['hidden.weight', 'hidden.bias']
        >>> net
        Net(
          (hidden): Linear(in_features=2, out_features=3, bias=True)
        )
    """

    training: bool

    def __init__(self, *args, **kwargs) -> None:
        if args or kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__() got unexpected arguments {args} {kwargs}"
            )
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())

    # ----------------------------------------------------------------- calling
    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------ registration
    def _check_initialized(self) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign module before Module.__init__() call")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Adds ``param`` (or ``None``) under ``name``.

        Example:
            >>> m = rustgrad.nn.Module()
            >>> m.register_parameter("w", rustgrad.nn.Parameter(rustgrad.ones(2)))
            >>> [n for n, _ in m.named_parameters()]
            ['w']
        """
        self._check_initialized()
        if not isinstance(name, str):
            raise TypeError(f"parameter name should be a string. Got {type(name).__name__}")
        if "." in name:
            raise KeyError('parameter name can\'t contain "."')
        if name == "":
            raise KeyError('parameter name can\'t be empty string ""')
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(rustgrad.nn.Parameter or None required)"
            )
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Adds a tensor that is state but not a parameter (saved in ``state_dict``).

        Example:
            >>> m = rustgrad.nn.Module()
            >>> m.register_buffer("count", rustgrad.zeros(1))
            >>> list(m.state_dict())
            ['count']
        """
        self._check_initialized()
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                "(rustgrad Tensor or None required)"
            )
        self._buffers[name] = tensor

    def add_module(self, name: str, module: Module | None) -> None:
        """Adds a child module under ``name``.

        Example:
            >>> net = rustgrad.nn.Sequential()
            >>> net.add_module("out", rustgrad.nn.ReLU())
            >>> net
            Sequential(
              (out): ReLU()
            )
        """
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {type(name).__name__}")
        if "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError('module name can\'t be empty string ""')
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        self._modules[name] = module

    register_module = add_module

    def __setattr__(self, name: str, value) -> None:
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            self._check_initialized()
            self.__dict__.pop(name, None)
            self._buffers.pop(name, None)
            self._modules.pop(name, None)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                    "(rustgrad.nn.Parameter or None expected)"
                )
            params[name] = None
        elif isinstance(value, Module):
            self._check_initialized()
            self.__dict__.pop(name, None)
            self._parameters.pop(name, None)
            self._buffers.pop(name, None)
            self._modules[name] = value
        elif "_modules" in self.__dict__ and name in self._modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' "
                    "(rustgrad.nn.Module or None expected)"
                )
            self._modules[name] = None
        elif "_buffers" in self.__dict__ and name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                    "(rustgrad.Tensor or None expected)"
                )
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str):
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in d and name in d[store]:
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for store in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__.get(store, {}):
                del self.__dict__[store][name]
                return
        object.__delattr__(self, name)

    def __dir__(self):
        keys = list(super().__dir__())
        keys += list(self._parameters) + list(self._buffers) + list(self._modules)
        return sorted(set(keys))

    # --------------------------------------------------------------- traversal
    def named_modules(self, memo=None, prefix: str = "", remove_duplicate: bool = True):
        """Yields ``(name, module)`` for this module and all below it, depth first.

        Example:
            >>> net = rustgrad.nn.Sequential(rustgrad.nn.Linear(2, 1))
            >>> [name for name, _ in net.named_modules()]
            ['', '0']
        """
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        """Yields this module and all below it (each once).

        Example:
            >>> len(list(rustgrad.nn.Sequential(rustgrad.nn.ReLU()).modules()))
            2
        """
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Yields ``(name, module)`` for the direct children (each once).

        Example:
            >>> [n for n, _ in rustgrad.nn.Sequential(rustgrad.nn.ReLU()).named_children()]
            ['0']
        """
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        """Yields the direct children.

        Example:
            >>> list(rustgrad.nn.Sequential(rustgrad.nn.ReLU()).children())
            [ReLU()]
        """
        for _, module in self.named_children():
            yield module

    def _named_members(self, store: str, prefix: str, recurse: bool, remove_duplicate=True):
        seen = set()
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, store).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True, remove_duplicate=True):
        """Yields ``(name, parameter)`` in registration order (weight before bias).

        Example:
            >>> [n for n, _ in rustgrad.nn.Linear(2, 1).named_parameters()]
            ['weight', 'bias']
        """
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Yields the parameters in registration order (each once).

        Example:
            >>> [tuple(p.shape) for p in rustgrad.nn.Linear(2, 1).parameters()]
            [(1, 2), (1,)]
        """
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True, remove_duplicate=True):
        """Yields ``(name, buffer)`` pairs.

        Example:
            >>> list(rustgrad.nn.Linear(2, 1).named_buffers())
            []
        """
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Yields the buffers.

        Example:
            >>> list(rustgrad.nn.ReLU().buffers())
            []
        """
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def get_submodule(self, target: str) -> Module:
        """The submodule at the dotted path ``target`` (``""`` is this module).

        Example:
            >>> rustgrad.nn.Sequential(rustgrad.nn.ReLU()).get_submodule("0")
            ReLU()
        """
        module = self
        if target == "":
            return module
        for item in target.split("."):
            if item not in module._modules:
                raise AttributeError(f"{module._get_name()} has no attribute `{item}`")
            module = module._modules[item]
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path ``target``.

        Example:
            >>> rustgrad.nn.Sequential(rustgrad.nn.Linear(2, 1)).get_parameter("0.bias").shape
            rustgrad.Size([1])
        """
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if name not in module._parameters:
            raise AttributeError(f"{module._get_name()} has no parameter `{name}`")
        return module._parameters[name]

    # ------------------------------------------------------------ modes, grads
    def train(self, mode: bool = True) -> Module:
        """Sets the ``training`` flag of this module and all below it; returns self.

        Example:
            >>> rustgrad.nn.Sequential(rustgrad.nn.Dropout()).train(False)[0].training
            False
        """
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> Module:
        """Same as ``train(False)``.

        Example:
            >>> rustgrad.nn.ReLU().eval().training
            False
        """
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Sets ``requires_grad`` of every parameter; returns self.

        Example:
            >>> next(rustgrad.nn.Linear(2, 1).requires_grad_(False).parameters()).requires_grad
            False
        """
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Resets the gradients of all parameters (to ``None`` by default).

        Example:
            >>> lin = rustgrad.nn.Linear(2, 1)
            >>> lin(rustgrad.ones(1, 2)).sum().backward()
            >>> lin.zero_grad()
            >>> lin.weight.grad is None
            True
        """
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad.zero_()

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Calls ``fn`` on every submodule (children first), then on self; returns self.

        Example:
            >>> def init(m):
            ...     if type(m) == rustgrad.nn.Linear:
            ...         rustgrad.nn.init.zeros_(m.weight)
            >>> net = rustgrad.nn.Sequential(rustgrad.nn.Linear(2, 1)).apply(init)
            >>> net[0].weight.data
            tensor([[0., 0.]])
        """
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def to(self, *args, **kwargs) -> Module:
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

    def cpu(self) -> Module:
        """Returns self (rustgrad runs on the CPU only).

        Example:
            >>> isinstance(rustgrad.nn.ReLU().cpu(), rustgrad.nn.ReLU)
            True
        """
        return self

    def float(self) -> Module:
        """Parameters to float32.

        Example:
            >>> rustgrad.nn.Linear(1, 1).double().float().weight.dtype
            rustgrad.float32
        """
        from rustgrad._core import float32

        return self.to(float32)

    def double(self) -> Module:
        """Parameters to float64.

        Example:
            >>> rustgrad.nn.Linear(1, 1).double().bias.dtype
            rustgrad.float64
        """
        from rustgrad._core import float64

        return self.to(float64)

    # -------------------------------------------------------------- state dict
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
            raise RuntimeError(
                f"Error(s) in loading state_dict for {self._get_name()}:\n\t{body}"
            )
        return _LoadResult(missing, unexpected)

    # -------------------------------------------------------------------- repr
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """Text shown inside the parentheses of the repr (override in subclasses).

        Example:
            >>> rustgrad.nn.Linear(2, 1).extra_repr()
            'in_features=2, out_features=1, bias=True'
        """
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [
            f"({key}): " + _addindent(repr(module), 2) for key, module in self._modules.items()
        ]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"


class _LoadResult(_IncompatibleKeys):
    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()
