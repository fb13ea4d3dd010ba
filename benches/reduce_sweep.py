"""Reductions against PyTorch over many shapes, dims and dtypes (needs PyTorch installed).

Prints, for each case, rustgrad's and PyTorch's median time per call and their ratio, marking
with ``<<<`` the cases where rustgrad is slower. The figures quoted in the README's performance
section come from this script::

    python benches/reduce_sweep.py 2          # two threads (the default)
    python benches/reduce_sweep.py 1 prod     # one thread, cases whose name contains "prod"
"""

import statistics
import sys
import time
import timeit

import numpy as np
import torch

import rustgrad as rg


def median_us(f, repeat=7):
    """Median time per call of `f` in microseconds, each measurement at least 10 ms of calls."""
    f()
    n = 1
    while timeit.timeit(f, number=n) < 0.01:
        n *= 2
    return statistics.median(timeit.timeit(f, number=n) / n for _ in range(repeat)) * 1e6


def cases():
    """(name, shape, dtype, f(module, tensor)) for every case of the sweep."""
    out = []
    for shape in [(1000, 40), (1000, 64), (1000, 100), (256, 50)]:
        out.append((f"softmax{shape} d1", shape, "float32", lambda m, x: m.softmax(x, 1)))
        out.append((f"log_softmax{shape} d1", shape, "float32", lambda m, x: m.log_softmax(x, 1)))
    for shape in [(10, 1000), (100, 1000), (64, 256)]:
        out.append((f"softmax{shape} d0", shape, "float32", lambda m, x: m.softmax(x, 0)))
    for shape in [(1000, 10), (1000, 100)]:
        out.append((f"max{shape} d0", shape, "float32", lambda m, x: x.max(0)))
        out.append((f"argmax{shape} d0", shape, "float32", lambda m, x: x.argmax(0)))
        out.append((f"max{shape} d0 f64", shape, "float64", lambda m, x: x.max(0)))
    for shape in [(200, 1000), (1000, 100), (50, 4000)]:
        out.append((f"sum{shape} d0", shape, "float32", lambda m, x: x.sum(0)))
        out.append((f"prod{shape} d0", shape, "float32", lambda m, x: x.prod(0)))
        out.append((f"sum{shape} d0 f64", shape, "float64", lambda m, x: x.sum(0)))
    for shape in [(1000, 500), (1000, 37), (100000, 3)]:
        out.append((f"sum{shape} d1", shape, "float32", lambda m, x: x.sum(1)))
        out.append((f"mean{shape} d1", shape, "float32", lambda m, x: x.mean(1)))
        out.append((f"std{shape} d1", shape, "float32", lambda m, x: x.std(1)))
        out.append((f"logsumexp{shape} d1", shape, "float32", lambda m, x: x.logsumexp(1)))
        out.append((f"norm{shape} d1", shape, "float32", lambda m, x: x.norm(dim=1)))
    for shape in [(100, 4000), (20, 4000), (500, 1000)]:
        out.append((f"amax{shape} d0", shape, "float32", lambda m, x: x.amax(0)))
        out.append((f"prod{shape} d0", shape, "float32", lambda m, x: x.prod(0)))
        out.append((f"sum{shape} d0 f64", shape, "float64", lambda m, x: x.sum(0)))
        out.append((f"argmax{shape} d0", shape, "float32", lambda m, x: x.argmax(0)))
    shape = (1000, 100)
    out += [
        ("prod(1000, 100) d1", shape, "float32", lambda m, x: x.prod(1)),
        ("var (1000,100) d0", shape, "float32", lambda m, x: x.var(0)),
        ("cumsum (1000,100) d0", shape, "float32", lambda m, x: x.cumsum(0)),
        ("cumsum (1000,100) d1", shape, "float32", lambda m, x: x.cumsum(1)),
        ("amax (1000,100) d1", shape, "float32", lambda m, x: x.amax(1)),
        ("argmax (1000,100) d1", shape, "float32", lambda m, x: x.argmax(1)),
        ("all (1000,100) d1", shape, "bool", lambda m, x: x.all(1)),
        ("any (1000,100) d0", shape, "bool", lambda m, x: x.any(0)),
        ("count_nonzero (1000,100)", shape, "float32", lambda m, x: m.count_nonzero(x, 1)),
        ("sum i64 (1000,100) d1", shape, "int64", lambda m, x: x.sum(1)),
        ("sum i64 (1000,100) d0", shape, "int64", lambda m, x: x.sum(0)),
    ]
    # dims on both sides of kept ones, and views (strided, transposed)
    for shape in [(64, 100, 50), (64, 100, 256), (1000, 10, 10)]:
        out.append((f"sum dims (0,2) {shape}", shape, "float32", lambda m, x: x.sum((0, 2))))
    out += [
        ("amax dims (0,2) (64,100,50)", (64, 100, 50), "float32", lambda m, x: x.amax((0, 2))),
        ("sum view x.T (1000,100)", (1000, 100), "float32", lambda m, x: x.T.sum()),
        ("sum view x[:,::2] (1000,100)", (1000, 100), "float32", lambda m, x: x[:, ::2].sum()),
        ("sum view x[:,::2] d1 (1000,100)", (1000, 100), "float32", lambda m, x: x[:, ::2].sum(1)),
        ("sum view x[:,::2] d0 (1000,100)", (1000, 100), "float32", lambda m, x: x[:, ::2].sum(0)),
        ("sum view x[::2] (1000,100)", (1000, 100), "float32", lambda m, x: x[::2].sum()),
        ("sum view x[:,0] (100000,4)", (100000, 4), "float32", lambda m, x: x[:, 0].sum()),
        ("sum view x[:,::2] (1000,101)", (1000, 101), "float32", lambda m, x: x[:, ::2].sum()),
        ("sum view x[:,::3] d1 (1000,300)", (1000, 300), "float32", lambda m, x: x[:, ::3].sum(1)),
        ("amax view x[:,::3] d1", (1000, 300), "float32", lambda m, x: x[:, ::3].amax(1)),
        ("argmax view x[:,::2] d0", (1000, 100), "float32", lambda m, x: x[:, ::2].argmax(0)),
        ("sum narrow d0 (1000,10)", (1000, 10), "float32", lambda m, x: x.sum(0)),
    ]
    return out


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    wanted = sys.argv[2] if len(sys.argv) > 2 else ""
    torch.set_num_threads(threads)
    rg.set_num_threads(threads)
    rng = np.random.default_rng(0)
    for name, shape, dtype, f in cases():
        if wanted not in name:
            continue
        if dtype == "bool":
            a = rng.random(shape) > 0.01
        elif dtype == "int64":
            a = rng.integers(-100, 100, shape)
        else:
            a = rng.standard_normal(shape).astype(dtype)
        x, t = rg.from_numpy(a), torch.from_numpy(a)
        # pauses: the other library's worker threads spin for a while after their last call
        time.sleep(0.1)
        ours = median_us(lambda f=f, x=x: f(rg, x))
        time.sleep(0.2)
        theirs = median_us(lambda f=f, t=t: f(torch, t))
        mark = "<<<" if ours > theirs else ""
        print(f"{name:32} rg {ours:8.2f}  torch {theirs:8.2f}  {ours / theirs:5.2f}x {mark}")


if __name__ == "__main__":
    main()
