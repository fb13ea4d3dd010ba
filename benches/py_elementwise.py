"""Elementwise benchmarks: the per-call cost of a tiny op, and large ops that should run at
memory bandwidth. Run with ``python benches/bench.py --filter elementwise``."""

N = 10_000_000


def cases(rg, np, torch):
    gen = np.random.default_rng(0)

    def trio(*arrays):
        """The same data as rustgrad tensors, NumPy arrays and torch tensors (or Nones)."""
        arrays = [np.ascontiguousarray(a, dtype=np.float32) for a in arrays]
        tensors = [rg.tensor(a) for a in arrays]
        torch_tensors = [torch.from_numpy(a.copy()) for a in arrays] if torch else None
        return tensors, arrays, torch_tensors

    (a4, b4), (na4, nb4), t4 = trio(gen.random(4), gen.random(4))
    (a, b), (na, nb), tn = trio(gen.random(N), gen.random(N))
    (col, row), (ncol, nrow), tcr = trio(gen.random((4096, 1)), gen.random((1, 4096)))
    # views of a (1000, 100) matrix: strided columns and the transpose
    (m,), (nm,), tm = trio(gen.random((1000, 100)))

    def with_torch(make):
        return make() if torch is not None else None

    return [
        (
            "a + b, float32 [4]",
            {
                "rustgrad": lambda: a4 + b4,
                "numpy": lambda: na4 + nb4,
                "torch": with_torch(lambda: lambda: t4[0] + t4[1]),
            },
        ),
        (
            "a + 1.0, float32 [4]",
            {
                "rustgrad": lambda: a4 + 1.0,
                "numpy": lambda: na4 + 1.0,
                "torch": with_torch(lambda: lambda: t4[0] + 1.0),
            },
        ),
        (
            "exp(a), float32 [4]",
            {
                "rustgrad": lambda: a4.exp(),
                "numpy": lambda: np.exp(na4),
                "torch": with_torch(lambda: lambda: t4[0].exp()),
            },
        ),
        (
            "a + b, float32 [10M]",
            {
                "rustgrad": lambda: a + b,
                "numpy": lambda: na + nb,
                "torch": with_torch(lambda: lambda: tn[0] + tn[1]),
            },
        ),
        (
            "exp(a), float32 [10M]",
            {
                "rustgrad": lambda: a.exp(),
                "numpy": lambda: np.exp(na),
                "torch": with_torch(lambda: lambda: tn[0].exp()),
            },
        ),
        (
            "(4096, 1) + (1, 4096), float32",
            {
                "rustgrad": lambda: col + row,
                "numpy": lambda: ncol + nrow,
                "torch": with_torch(lambda: lambda: tcr[0] + tcr[1]),
            },
        ),
        (
            "exp(x[:, ::2]), float32 (1000x100)",
            {
                "rustgrad": lambda: m[:, ::2].exp(),
                "numpy": lambda: np.exp(nm[:, ::2]),
                "torch": with_torch(lambda: lambda: tm[0][:, ::2].exp()),
            },
        ),
        (
            "x[:, ::2] + 1, float32 (1000x100)",
            {
                "rustgrad": lambda: m[:, ::2] + 1,
                "numpy": lambda: nm[:, ::2] + 1,
                "torch": with_torch(lambda: lambda: tm[0][:, ::2] + 1),
            },
        ),
        (
            "x[:, ::2] * x[:, 1::2], float32 (1000x100)",
            {
                "rustgrad": lambda: m[:, ::2] * m[:, 1::2],
                "numpy": lambda: nm[:, ::2] * nm[:, 1::2],
                "torch": with_torch(lambda: lambda: tm[0][:, ::2] * tm[0][:, 1::2]),
            },
        ),
        (
            # in place: each call adds to the same matrix (its values only grow)
            "x.add_(1), float32 (1000x100)",
            {
                "rustgrad": lambda: m.add_(1),
                "numpy": lambda: np.add(nm, 1, out=nm),
                "torch": with_torch(lambda: lambda: tm[0].add_(1)),
            },
        ),
        (
            "x.T.add_(1), float32 (1000x100)",
            {
                "rustgrad": lambda: m.T.add_(1),
                "numpy": lambda: np.add(nm.T, 1, out=nm.T),
                "torch": with_torch(lambda: lambda: tm[0].T.add_(1)),
            },
        ),
        (
            "x.T + 1, float32 (1000x100)",
            {
                "rustgrad": lambda: m.T + 1,
                "numpy": lambda: nm.T + 1,
                "torch": with_torch(lambda: lambda: tm[0].T + 1),
            },
        ),
    ]
