"""Module-level products: ``rustgrad.matmul(a, b)`` is ``a @ b``; ``einsum`` is in the core."""

from __future__ import annotations

from rustgrad._as_function import as_function as _method
from rustgrad._core import Tensor, einsum

__all__ = [
    "addmm",
    "bmm",
    "diag",
    "dot",
    "einsum",
    "ger",
    "inner",
    "matmul",
    "mm",
    "mv",
    "outer",
    "trace",
    "tril",
    "triu",
]


_M = "A = rustgrad.tensor([[1., 2.], [3., 4.]])\n        >>> "

dot = _method(
    "dot",
    "input, tensor",
    "Inner product of two 1-d tensors of the same dtype and length.",
    ">>> rustgrad.dot(rustgrad.tensor([1., 2.]), rustgrad.tensor([3., 4.]))\n        tensor(11.)",
)
mv = _method(
    "mv",
    "input, vec",
    "Matrix ``(m, n)`` times vector ``(n,)``.",
    f">>> {_M}rustgrad.mv(A, rustgrad.tensor([1., 1.]))\n        tensor([3., 7.])",
)
mm = _method(
    "mm",
    "input, mat2",
    "Matrix product of ``(m, k)`` and ``(k, n)`` tensors of one dtype.",
    f">>> {_M}rustgrad.mm(A, A)\n        tensor([[ 7., 10.],\n                [15., 22.]])",
)
matmul = _method(
    "matmul",
    "input, other",
    "``input @ other``: dot, mv or mm by dimensions; 1-d operands gain and lose a dimension; "
    "batch dimensions broadcast.",
    f">>> {_M}rustgrad.matmul(A, rustgrad.tensor([1., 0.]))\n        tensor([1., 3.])",
)
bmm = _method(
    "bmm",
    "input, mat2",
    "Matrix products of two batches ``(b, m, k)`` and ``(b, k, n)``.",
    ">>> rustgrad.bmm(rustgrad.ones(2, 1, 3), rustgrad.ones(2, 3, 1)).shape\n"
    "        rustgrad.Size([2, 1, 1])",
)
outer = _method(
    "outer",
    "input, vec2",
    "Outer product ``input[i] * vec2[j]`` of two 1-d tensors.",
    ">>> rustgrad.outer(rustgrad.tensor([1, 2]), rustgrad.tensor([1, 10]))\n"
    "        tensor([[ 1, 10],\n                [ 2, 20]])",
)
ger = _method(
    "ger",
    "input, vec2",
    "Alias of ``outer``.",
    ">>> rustgrad.ger(rustgrad.tensor([1, 2]), rustgrad.tensor([3]))\n"
    "        tensor([[3],\n                [6]])",
)
inner = _method(
    "inner",
    "input, other",
    "Products summed over the last dimension of both tensors.",
    f">>> {_M}rustgrad.inner(A, A)\n        tensor([[ 5., 11.],\n                [11., 25.]])",
)
trace = _method(
    "trace",
    "input",
    "Sum of the main diagonal of a matrix.",
    f">>> {_M}rustgrad.trace(A)\n        tensor(5.)",
)
diag = _method(
    "diag",
    "input, diagonal=0",
    "The diagonal matrix of a 1-d tensor, or the ``diagonal``-th diagonal of a matrix.",
    ">>> rustgrad.diag(rustgrad.tensor([1, 2]))\n        tensor([[1, 0],\n                [0, 2]])",
)
tril = _method(
    "tril",
    "input, diagonal=0",
    "Lower triangle of the matrices (``j - i <= diagonal``), the rest zero.",
    f">>> {_M}rustgrad.tril(A)\n        tensor([[1., 0.],\n                [3., 4.]])",
)
triu = _method(
    "triu",
    "input, diagonal=0",
    "Upper triangle of the matrices (``j - i >= diagonal``), the rest zero.",
    f">>> {_M}rustgrad.triu(A, 1)\n        tensor([[0., 2.],\n                [0., 0.]])",
)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)`` (``input`` broadcasts).

    Example:
        >>> rustgrad.addmm(rustgrad.ones(2), rustgrad.eye(2), rustgrad.eye(2))
        tensor([[2., 1.],
                [1., 2.]])
    """
    product = mat1.mm(mat2)
    if alpha != 1:
        product = product * alpha
    if beta == 0:
        return product
    return (input if beta == 1 else input * beta) + product
