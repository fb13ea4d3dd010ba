"""Times rustgrad, NumPy and (if installed) PyTorch side by side.

Every module ``benches/py_<area>.py`` defines ``cases(rg, np, torch)`` returning a list of
``(name, {"rustgrad": f, "numpy": f_or_None, "torch": f_or_None})`` where each ``f`` is a
zero-argument callable whose inputs were prepared outside it (``torch`` is None when PyTorch is
not installed). Each callable is timed with ``timeit``: the number of calls per measurement is
calibrated so that one measurement takes at least ``--min-time`` seconds, and the reported time
per call is the median of ``--repeat`` measurements, the libraries taking turns (one
measurement each per round, after a pause). A callable with ``measures_itself = True``
returns its own time in seconds (e.g. an import in a fresh interpreter, ``py_import.py``); the
reported time is then the median of ``--repeat`` calls.

Usage::

    python benches/bench.py                      # every case
    python benches/bench.py --filter add         # cases whose "module:name" contains "add"
    python benches/bench.py --json results.json  # also write the figures as JSON ("-": stdout)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
import timeit
from pathlib import Path

LIBRARIES = ("rustgrad", "numpy", "torch")


def discover(directory: Path) -> list:
    """The `py_*.py` modules of `directory`, imported, in name order."""
    modules = []
    for path in sorted(directory.glob("py_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        if spec is None or spec.loader is None:
            continue
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if hasattr(module, "cases"):
            modules.append(module)
    return modules


def measurement(f, min_time: float):
    """A zero-argument callable returning one measurement of `f` in seconds per call: `f`
    called as many times as one measurement of at least `min_time` takes (calibrated here),
    or once if `f` measures itself."""
    f()  # warm up (and surface errors before timing)
    if getattr(f, "measures_itself", False):
        return f
    timer = timeit.Timer(f)
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= min_time:
            break
        # aim a little past min_time from what one measurement took
        number = max(number * 2, int(number * min_time * 1.2 / max(elapsed, 1e-9)))
    return lambda: timer.timeit(number) / number


def time_side_by_side(impls: dict, repeat: int, min_time: float) -> dict:
    """Median seconds per call of each library's callable over `repeat` measurements.

    The libraries take turns, one measurement each per round, each after a pause: the previous
    library's worker threads (PyTorch's OpenMP and NumPy's OpenBLAS threads spin for up to
    200 ms after their last call) must not share the cores with the next measurement, and slow
    drifts of a shared machine (its memory bandwidth varies by tens of percent over minutes)
    then reach every library alike instead of whichever ran during them."""
    measure = {}
    for lib in LIBRARIES:
        if impls.get(lib) is not None:
            time.sleep(0.3)
            measure[lib] = measurement(impls[lib], min_time)
    samples: dict = {lib: [] for lib in measure}
    for _ in range(repeat):
        for lib, m in measure.items():
            time.sleep(0.3)
            samples[lib].append(m())
    return {lib: statistics.median(samples[lib]) if lib in samples else None for lib in LIBRARIES}


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def fmt_ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None else f"{a / b:.2f}x"


def run(args: argparse.Namespace) -> list[dict]:
    import numpy as np

    import rustgrad as rg

    try:
        import torch
    except ImportError:
        torch = None
    print(
        f"rustgrad {rg.__version__} ({rg.get_num_threads()} threads), numpy {np.__version__}, "
        + (
            f"torch {torch.__version__} ({torch.get_num_threads()} threads)"
            if torch
            else "torch not installed"
        )
    )
    results = []
    header = (
        f"{'case':<40} {'rustgrad':>10} {'numpy':>10} {'torch':>10} {'rg/np':>7} {'rg/torch':>8}"
    )
    for module in discover(Path(args.dir)):
        area = module.__name__.removeprefix("py_")
        print(f"\n[{area}]\n{header}")
        for name, impls in module.cases(rg, np, torch):
            key = f"{area}:{name}"
            if args.filter and args.filter not in key:
                continue
            times = time_side_by_side(impls, args.repeat, args.min_time)
            rg_t, np_t, th_t = (times[lib] for lib in LIBRARIES)
            print(
                f"{name:<40} {fmt_time(rg_t):>10} {fmt_time(np_t):>10} {fmt_time(th_t):>10} "
                f"{fmt_ratio(rg_t, np_t):>7} {fmt_ratio(rg_t, th_t):>8}",
                flush=True,
            )
            results.append(
                {
                    "module": area,
                    "case": name,
                    "seconds": times,
                    "rustgrad_over_numpy": None if None in (rg_t, np_t) else rg_t / np_t,
                    "rustgrad_over_torch": None if None in (rg_t, th_t) else rg_t / th_t,
                }
            )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--filter", help="run only cases whose 'module:name' contains this")
    parser.add_argument("--json", help="write the results as JSON to this file ('-': stdout)")
    parser.add_argument("--repeat", type=int, default=7, help="measurements per case (7)")
    parser.add_argument(
        "--min-time", type=float, default=0.05, help="seconds per measurement, at least (0.05)"
    )
    parser.add_argument("--dir", default=str(Path(__file__).parent), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    results = run(args)
    if args.json:
        text = json.dumps(results, indent=2)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
