"""rustgrad: tensors and automatic differentiation with a Rust core and PyTorch's API.

Write ``import rustgrad as torch`` and the tensor code of "Dive into Deep Learning"
chapters 2-4 runs unchanged.

Example:
    >>> import rustgrad
    >>> x = rustgrad.arange(12, dtype=rustgrad.float32).reshape(3, 4)
    >>> x.sum()
    tensor(66.)
"""

from rustgrad import _core, autograd, return_types
from rustgrad._core import (
    Tensor,
    arange,
    as_tensor,
    bool,
    dtype,
    empty,
    empty_like,
    eye,
    float32,
    float64,
    from_numpy,
    full,
    full_like,
    get_default_dtype,
    get_num_threads,
    initial_seed,
    int32,
    int64,
    linspace,
    manual_seed,
    normal,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    result_type,
    set_default_dtype,
    set_num_threads,
    tensor,
    uint8,
    zeros,
    zeros_like,
)
from rustgrad._functions import *  # noqa: F403
from rustgrad._functions import __all__ as _function_names
from rustgrad._linalg import *  # noqa: F403
from rustgrad._linalg import __all__ as _linalg_names
from rustgrad._printoptions import set_printoptions
from rustgrad._reductions import *  # noqa: F403
from rustgrad._reductions import __all__ as _reduction_names
from rustgrad._size import Size
from rustgrad.autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled

float = float32  # noqa: A001
double = float64
long = int64
int = int32  # noqa: A001
strided = "strided"

__version__ = "0.1.0"

__all__ = [
    "Size",
    "Tensor",
    "arange",
    "autograd",
    "enable_grad",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
    "as_tensor",
    "bool",
    "double",
    "dtype",
    "empty",
    "empty_like",
    "eye",
    "float",
    "float32",
    "float64",
    "from_numpy",
    "full",
    "full_like",
    "get_default_dtype",
    "get_num_threads",
    "initial_seed",
    "int",
    "int32",
    "int64",
    "linspace",
    "long",
    "manual_seed",
    "normal",
    "ones",
    "ones_like",
    "rand",
    "randint",
    "randn",
    "result_type",
    "set_default_dtype",
    "set_num_threads",
    "set_printoptions",
    "strided",
    "tensor",
    "uint8",
    "zeros",
    "zeros_like",
    *_function_names,
    *_linalg_names,
    *_reduction_names,
    "return_types",
]

del _core

# Shape and indexing functions (rustgrad._shape).
from rustgrad._shape import *  # noqa: E402, F403
from rustgrad._shape import __all__ as _shape_names  # noqa: E402

__all__ += [n for n in _shape_names if n not in __all__]

# Subpackages written in Python on top of the core (imported last: they use the names above).
from rustgrad import nn, optim, utils  # noqa: E402

# Subpackages built on NumPy are imported on first access (`rustgrad.distributions`, PEP 562),
# so that `import rustgrad` does not import NumPy.
_LAZY_SUBPACKAGES = ("data_utils", "distributions")


def __getattr__(name: str):
    """Imports a lazy subpackage on its first access as an attribute."""
    if name in _LAZY_SUBPACKAGES:
        import importlib

        return importlib.import_module(f"rustgrad.{name}")
    raise AttributeError(f"module 'rustgrad' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The module's names, the lazy subpackages included."""
    return sorted(set(globals()) | set(_LAZY_SUBPACKAGES))


__all__ += ["nn", "optim", "utils", *_LAZY_SUBPACKAGES]
