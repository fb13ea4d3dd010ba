"""``nn.Module``: the base class of layers and models (parameters, submodules, modes, reprs)."""

from __future__ import annotations

from collections import OrderedDict

from rustgrad._core import Tensor
from rustgrad.nn.modules.module_state import ModuleStateMixin
from rustgrad.nn.modules.module_tree import ModuleTreeMixin
from rustgrad.nn.parameter import Parameter


def _addindent(text: str, spaces: int) -> str:
    """Indents every line of ``text`` but the first by ``spaces`` (torch's helper)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    first = lines.pop(0)
    return first + "\n" + "\n".join(" " * spaces + line for line in lines)


class Module(ModuleTreeMixin, ModuleStateMixin):
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
