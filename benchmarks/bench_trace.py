"""`gradcli trace` at 10^2, 10^3 and 10^4 nodes (human and JSON), and JSON at 10^5.

    python benchmarks/bench_trace.py            # about half a minute
    python benchmarks/bench_trace.py --repeat 1 # a quicker, noisier run

Each row runs the installed `gradcli` as a user would (a new process, the
program read from a file, stdout to a file) and prints the median wall time.
Two shapes of program: a sum `x*1.0001 + x*1.0001 + …` (a wide, shallow
graph; every term reads the same x) and `sin(sin(…sin(x)…))` (one chain as
deep as the graph is big). Above 300 nodes the human views switch to plain
text, so the human times stay linear.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from common import gradcli_command


def wide(n: int) -> str:
    """About n nodes: x, then 3 nodes a term (a constant, a product, a sum)."""
    terms = max(1, (n - 1) // 3)
    return "x" + "+x*1.0001" * terms


def deep(n: int) -> str:
    """n nodes: x under n - 1 nested sines."""
    return "sin(" * (n - 1) + "x" + ")" * (n - 1)


def run(cmd: list[str], repeat: int) -> tuple[float, int]:
    """Median seconds, and the bytes written to stdout."""
    times, size = [], 0
    with tempfile.TemporaryFile() as out:
        for _ in range(repeat):
            out.seek(0)
            out.truncate()
            start = time.perf_counter()
            done = subprocess.run(cmd, stdout=out, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
            if done.returncode != 0:
                raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd[:4])} …")
            size = out.tell()
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per row (the median is shown)")
    args = parser.parse_args()
    base = gradcli_command()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cases = [(shape, n, view) for n in (100, 1000, 10000)
                 for shape in ("wide", "deep") for view in ("human", "json")]
        cases += [("wide", 100000, "json"), ("deep", 100000, "json")]
        for shape, n, view in cases:
            path = os.path.join(tmp, f"{shape}{n}.txt")
            if not os.path.exists(path):
                with open(path, "w") as f:
                    f.write((wide if shape == "wide" else deep)(n))
            cmd = base + ["trace", f"@{path}", "-x", "0.5"] + (["--json"] if view == "json" else [])
            seconds, size = run(cmd, 1 if n >= 100000 else args.repeat)
            rows.append((shape, n, view, seconds, size))
            print(f"  {shape:>4} {n:>6} {view:>5}  {seconds:6.2f} s", file=sys.stderr)
    print()
    print("gradcli trace: wall time of one run (a new process each; median)")
    print(f"{'graph':<6} {'nodes':>7}  {'view':<6} {'seconds':>8}  {'stdout':>9}  {'µs/node':>8}")
    for shape, n, view, seconds, size in rows:
        print(f"{shape:<6} {n:>7}  {view:<6} {seconds:>8.2f}  {size / 1e6:>7.2f}MB  "
              f"{seconds / n * 1e6:>8.1f}")


if __name__ == "__main__":
    main()
