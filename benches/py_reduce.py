"""Benchmark cases for reductions and products (run by ``benches/bench.py``).

Each case times rustgrad against NumPy (and torch when installed) on the same data.
"""


def cases(rg, np, torch):
    rng = np.random.default_rng(0)
    out = []

    def add(name, make, rg_f, np_f, torch_f):
        data = make()
        rg_args = [rg.tensor(d) for d in data]
        torch_args = [torch.from_numpy(d) for d in data] if torch is not None else None
        out.append(
            (
                name,
                {
                    "rustgrad": lambda: rg_f(*rg_args),
                    "numpy": (lambda: np_f(*data)) if np_f else None,
                    "torch": (lambda: torch_f(*torch_args)) if torch_args and torch_f else None,
                },
            )
        )

    big = lambda: [rng.standard_normal((4096, 4096), dtype=np.float32)]  # noqa: E731
    add("sum_4096x4096_f32_total", big, lambda a: a.sum(), np.sum, lambda a: a.sum())
    add("sum_4096x4096_f32_dim1", big, lambda a: a.sum(1), lambda a: a.sum(1), lambda a: a.sum(1))
    add("sum_4096x4096_f32_dim0", big, lambda a: a.sum(0), lambda a: a.sum(0), lambda a: a.sum(0))
    add("max_4096x4096_f32_dim1", big, lambda a: a.amax(1), lambda a: a.max(1), lambda a: a.amax(1))
    add(
        "mean_1e7_f32",
        lambda: [rng.standard_normal(10_000_000, dtype=np.float32)],
        lambda a: a.mean(),
        np.mean,
        lambda a: a.mean(),
    )
    mid = lambda: [rng.standard_normal((1000, 1000))]  # noqa: E731  (float64)
    add("sum_1000x1000_f64_dim1", mid, lambda a: a.sum(1), lambda a: a.sum(1), lambda a: a.sum(1))
    add(
        "argmax_1000x1000_f64_dim1",
        mid,
        lambda a: a.argmax(1),
        lambda a: a.argmax(1),
        lambda a: a.argmax(1),
    )
    add(
        "cumsum_1000x1000_f64_dim1",
        mid,
        lambda a: a.cumsum(1),
        lambda a: a.cumsum(1),
        lambda a: a.cumsum(1),
    )
    add(
        "sum_200000x2_f32_dim0",
        lambda: [rng.standard_normal((200_000, 2), dtype=np.float32)],
        lambda a: a.sum(0),
        lambda a: a.sum(0),
        lambda a: a.sum(0),
    )
    add(
        "softmax_1024x1000_f32",
        lambda: [rng.standard_normal((1024, 1000), dtype=np.float32)],
        lambda a: a.softmax(1),
        lambda a: (
            np.exp(a - a.max(1, keepdims=True))
            / np.exp(a - a.max(1, keepdims=True)).sum(1, keepdims=True)
        ),
        lambda a: a.softmax(1),
    )
    # rows and columns of a few dozen to a few hundred values (a classifier's outputs, a
    # layer's features): per-row costs and masked tails rather than memory bandwidth
    rows100 = lambda: [rng.standard_normal((1000, 100), dtype=np.float32)]  # noqa: E731
    add(
        "sum_1000x100_f32_dim1",
        rows100,
        lambda a: a.sum(1),
        lambda a: a.sum(1),
        lambda a: a.sum(1),
    )
    add(
        "amax_1000x100_f32_dim0",
        rows100,
        lambda a: a.amax(0),
        lambda a: a.max(0),
        lambda a: a.amax(0),
    )
    add(
        "max_1000x37_f64_dim1",
        lambda: [rng.standard_normal((1000, 37))],
        lambda a: a.max(1),
        lambda a: (a.max(1), a.argmax(1)),
        lambda a: a.max(1),
    )
    logits = lambda: [rng.standard_normal((256, 10), dtype=np.float32)]  # noqa: E731
    add(
        "softmax_256x10_f32",
        logits,
        lambda a: a.softmax(1),
        lambda a: (
            np.exp(a - a.max(1, keepdims=True))
            / np.exp(a - a.max(1, keepdims=True)).sum(1, keepdims=True)
        ),
        lambda a: a.softmax(1),
    )
    add(
        "sum_small_10x10",
        lambda: [rng.standard_normal((10, 10), dtype=np.float32)],
        lambda a: a.sum(),
        np.sum,
        lambda a: a.sum(),
    )
    for n in (256, 1024, 2048):
        for dt in (np.float32, np.float64):
            mats = lambda n=n, dt=dt: [  # noqa: E731
                rng.standard_normal((n, n)).astype(dt),
                rng.standard_normal((n, n)).astype(dt),
            ]
            name = f"matmul_{n}_{np.dtype(dt).name}"
            add(name, mats, lambda a, b: a @ b, np.matmul, lambda a, b: a @ b)
    add(
        "mv_4096_f32",
        lambda: [
            rng.standard_normal((4096, 4096), dtype=np.float32),
            rng.standard_normal(4096, dtype=np.float32),
        ],
        lambda a, x: a @ x,
        np.matmul,
        lambda a, x: a @ x,
    )
    return out
