"""`grad --check` and `grad --mode forward` on big arrays: why they sample and refuse.

    python benchmarks/bench_check_sampling.py     # about half a minute

Rows of `gradcli grad "sum(X * X)" -X "randn(n, n)" --check-sample 500` (a new process each, as a
user runs it; an array of more than 500 elements is checked at 500 random ones) and
`--mode forward` (one tangent pass per element; refused above 10,000 elements). The
middle column is a lower bound on checking every element: the time of two forward
passes over the whole array, times its number of elements.
"""

from __future__ import annotations

import subprocess
import time

import numpy as np

from common import gradcli_command
from gradcli.passes.array_domain import forward
from gradcli.passes.shapes import infer
from gradcli.program.program import Program


def wall(*args: str) -> tuple[float, int]:
    start = time.perf_counter()
    run = subprocess.run(gradcli_command() + list(args), capture_output=True)
    return time.perf_counter() - start, run.returncode


def every_element_estimate(n: int) -> float:
    """Seconds for a check of every element: 2 forward passes per element."""
    p = Program("sum(X * X)")
    x = np.random.default_rng(0).standard_normal((n, n))
    shapes = infer(p.graph, {"X": x.shape})
    reps = 20
    start = time.perf_counter()
    for _ in range(reps):
        forward(p.graph, {"X": x}, shapes)
    return 2 * x.size * (time.perf_counter() - start) / reps


def main() -> None:
    print(f"{'n x n':>11} {'elements':>10} {'--check s':>10} {'exit':>5} "
          f"{'every element, at least':>24} {'--mode forward s':>17} {'exit':>5}")
    for n in (30, 100, 300, 1000):
        check, rc = wall("grad", "sum(X * X)", "-X", f"randn({n}, {n})", "--check-sample", "500")
        fwd, frc = wall("grad", "sum(X * X)", "-X", f"randn({n}, {n})", "--mode", "forward")
        est = every_element_estimate(n)
        shown = f"{est:.1f} s" if est < 120 else f"{est / 60:.0f} min"
        print(f"{n:>5} x {n:<5} {n * n:>10,} {check:>10.2f} {rc:>5} {shown:>24} {fwd:>17.2f} {frc:>5}")


if __name__ == "__main__":
    main()
