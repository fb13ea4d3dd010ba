"""Walking a module tree: submodules, parameters, buffers; modes, gradients, ``apply``."""

from __future__ import annotations

from collections.abc import Callable, Iterator

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: `import rustgrad` does not import typing
if TYPE_CHECKING:
    from rustgrad._core import Tensor
    from rustgrad.nn.modules.module import Module
    from rustgrad.nn.parameter import Parameter


class ModuleTreeMixin:
    """The traversal half of ``nn.Module`` (mixed into it; not used on its own)."""

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
