"""Containers: ``nn.Sequential`` (modules called in order) and ``nn.ModuleList``."""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable, Iterator

from rustgrad.nn.modules.module import Module


def _index(n: int, idx) -> int:
    idx = operator.index(idx)
    if not -n <= idx < n:
        raise IndexError(f"index {idx} is out of range")
    return idx % n


class Sequential(Module):
    """Calls its modules in order, each on the previous one's output.

    ``net[i]`` is the i-th module (a slice gives a ``Sequential``); ``len(net)`` counts them.
    Also accepts one ``OrderedDict`` of named modules.

    Example:
        >>> net = rustgrad.nn.Sequential(rustgrad.nn.Linear(2, 1))
        >>> net
        Sequential(
          (0): Linear(in_features=2, out_features=1, bias=True)
        )
        >>> net[0].weight.shape, len(net)
        (rustgrad.Size([1, 2]), 1)
    """

    def __init__(self, *args) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for key, module in args[0].items():
                self.add_module(key, module)
        else:
            for idx, module in enumerate(args):
                self.add_module(str(idx), module)

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        keys = list(self._modules)
        return self._modules[keys[_index(len(keys), idx)]]

    def __setitem__(self, idx, module: Module) -> None:
        keys = list(self._modules)
        self.add_module(keys[_index(len(keys), idx)], module)

    def __delitem__(self, idx) -> None:
        keys = list(self._modules)
        chosen = keys[idx] if isinstance(idx, slice) else [keys[_index(len(keys), idx)]]
        for key in chosen:
            del self._modules[key]
        # keep the numbering contiguous, as torch does
        items = list(self._modules.values())
        self._modules.clear()
        for i, module in enumerate(items):
            self._modules[str(i)] = module

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> Sequential:
        """Adds ``module`` at the end; returns self.

        Example:
            >>> len(rustgrad.nn.Sequential().append(rustgrad.nn.ReLU()))
            1
        """
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> Sequential:
        """Appends each of ``modules``; returns self.

        Example:
            >>> len(rustgrad.nn.Sequential().extend([rustgrad.nn.ReLU(), rustgrad.nn.Tanh()]))
            2
        """
        for module in modules:
            self.append(module)
        return self


class ModuleList(Module):
    """A list of modules whose parameters are registered (it has no ``forward``).

    Example:
        >>> layers = rustgrad.nn.ModuleList([rustgrad.nn.Linear(2, 2) for _ in range(3)])
        >>> len(list(layers.parameters()))
        6
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        return self._modules[str(_index(len(self), idx))]

    def __setitem__(self, idx, module: Module) -> None:
        self.add_module(str(_index(len(self), idx)), module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> ModuleList:
        """Adds ``module`` at the end; returns self.

        Example:
            >>> len(rustgrad.nn.ModuleList().append(rustgrad.nn.ReLU()))
            1
        """
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Appends each of ``modules``; returns self.

        Example:
            >>> len(rustgrad.nn.ModuleList().extend([rustgrad.nn.ReLU()]))
            1
        """
        for module in modules:
            self.append(module)
        return self
