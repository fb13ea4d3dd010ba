"""Context managers (and decorators) that turn recording off or on, per thread."""

from __future__ import annotations

import functools

from rustgrad._core import _set_grad_enabled


class _GradMode:
    """Base of the grad-mode context managers; also usable as a decorator."""

    _enabled: bool = True

    def __enter__(self):
        self._prev = _set_grad_enabled(self._enabled)
        return None

    def __exit__(self, *exc):
        _set_grad_enabled(self._prev)
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Nothing computed inside is recorded: results have ``requires_grad=False``.

    Example:
        >>> w = rustgrad.ones(2, requires_grad=True)
        >>> with rustgrad.no_grad():
        ...     w -= 0.1 * rustgrad.ones(2)
        >>> w
        tensor([0.9000, 0.9000], requires_grad=True)
    """

    _enabled = False


class enable_grad(_GradMode):
    """Turns recording back on inside a ``no_grad`` block.

    Example:
        >>> x = rustgrad.ones(1, requires_grad=True)
        >>> with rustgrad.no_grad():
        ...     with rustgrad.enable_grad():
        ...         y = x * 2
        >>> y.requires_grad
        True
    """

    _enabled = True


class set_grad_enabled(_GradMode):
    """Sets recording on or off (as a call, a context manager or a decorator).

    Example:
        >>> with rustgrad.set_grad_enabled(False):
        ...     (rustgrad.ones(1, requires_grad=True) * 2).requires_grad
        False
    """

    def __init__(self, mode: bool):
        self._enabled = bool(mode)
        self._prev = _set_grad_enabled(self._enabled)

    def __enter__(self):
        return None

    def __call__(self, fn):
        _set_grad_enabled(self._prev)
        mode = self._enabled

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper
