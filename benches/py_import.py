"""Import time: ``import rustgrad`` against ``import numpy`` and ``import torch``.

Each call starts a fresh interpreter (``sys.executable``, same environment), times the import
statement inside it with ``time.perf_counter`` (interpreter start-up excluded) and returns that
time; the runner reports the median of ``--repeat`` such runs. A second case adds the first
print of an array, which is when rustgrad imports NumPy.
"""

import subprocess
import sys


def fresh_interpreter(statements: str):
    """A callable that runs ``statements`` in a new interpreter and returns their seconds.

    Example:
        >>> seconds = fresh_interpreter("import math")()
        >>> 0 < seconds < 10
        True
    """
    code = (
        "import time\n"
        "t = time.perf_counter()\n"
        f"{statements}\n"
        "print(repr(time.perf_counter() - t))\n"
    )

    def run() -> float:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        return float(done.stdout.strip().splitlines()[-1])

    run.measures_itself = True  # the runner uses the returned time, not its own timer
    return run


def cases(rg, np, torch):
    return [
        (
            "import (fresh interpreter)",
            {
                "rustgrad": fresh_interpreter("import rustgrad"),
                "numpy": fresh_interpreter("import numpy"),
                "torch": fresh_interpreter("import torch") if torch else None,
            },
        ),
        (
            "import + first print of [1., 2.]",
            {
                "rustgrad": fresh_interpreter("import rustgrad\nrepr(rustgrad.tensor([1.0, 2.0]))"),
                "numpy": fresh_interpreter("import numpy\nrepr(numpy.array([1.0, 2.0]))"),
                "torch": fresh_interpreter("import torch\nrepr(torch.tensor([1.0, 2.0]))")
                if torch
                else None,
            },
        ),
    ]
