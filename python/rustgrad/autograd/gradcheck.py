"""Finite-difference checks of gradients (float64)."""

from __future__ import annotations


def gradcheck(
    fn,
    inputs,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Compares the gradients of ``fn`` with central finite differences.

    ``inputs`` is a tensor or a tuple of tensors; those with ``requires_grad=True`` are checked
    (they should be float64). ``fn`` may return a tensor of any shape: each output element is
    checked through a random projection ``sum(out * v)``.

    Example:
        >>> x = rustgrad.tensor([0.5, -1.0], dtype=rustgrad.float64, requires_grad=True)
        >>> rustgrad.autograd.gradcheck(lambda t: (t * t).sin(), (x,))
        True
    """
    import numpy as np  # imported on first use: `import rustgrad` stays free of NumPy

    import rustgrad

    if not isinstance(inputs, (tuple, list)):
        inputs = (inputs,)
    inputs = list(inputs)
    out = fn(*inputs)
    rng = np.random.default_rng(0)
    proj = rustgrad.tensor(rng.standard_normal(tuple(out.shape)), dtype=out.dtype)
    checked = [
        i for i, t in enumerate(inputs) if isinstance(t, rustgrad.Tensor) and t.requires_grad
    ]
    analytic = rustgrad.autograd.grad(
        out, [inputs[i] for i in checked], grad_outputs=proj, allow_unused=True
    )
    weights = proj.numpy().astype(np.float64)

    def scalar(args) -> float:
        with rustgrad.no_grad():
            return float((fn(*args).numpy().astype(np.float64) * weights).sum())

    for k, i in enumerate(checked):
        base = inputs[i].detach().clone()
        flat = base.numpy().reshape(-1)
        numeric = np.zeros(flat.size)
        for j in range(flat.size):
            orig = flat[j]
            flat[j] = orig + eps
            plus = scalar([base if m == i else t for m, t in enumerate(inputs)])
            flat[j] = orig - eps
            minus = scalar([base if m == i else t for m, t in enumerate(inputs)])
            flat[j] = orig
            numeric[j] = (plus - minus) / (2 * eps)
        got = analytic[k]
        got = np.zeros(flat.size) if got is None else got.numpy().reshape(-1).astype(np.float64)
        if not np.allclose(got, numeric, atol=atol, rtol=rtol):
            if raise_exception:
                raise RuntimeError(
                    f"Jacobian mismatch for input {i}:\nnumerical: {numeric}\nanalytical: {got}"
                )
            return False
    return True
