"""`--batch` lines that bind arrays: points per second through the command line.

    python benchmarks/bench_batch_arrays.py            # 2,000 points per row
    python benchmarks/bench_batch_arrays.py --quick    # 500 points, fewer repeats

Each line is one point of its own shapes, computed on its own in the arrays domain
(README "Arrays in a batch"). Rows (points per second, end to end, JSON Lines in, JSON
Lines out to a file, one process; medians, CPU seconds of the child beside wall time):

- the CS231n two-layer net, `h = relu(X @ W1 + b1); s = h @ W2 + b2; cross_entropy(s, y)`,
  N 1–8 rows, D 2–4 inputs, H 4–16 hidden, C 2–3 classes drawn per line; grad and eval;
- the same points all of one shape (what stacking lines of one shape would vectorise);
- a least-squares fit `mean((X @ w + b - t)^2)`, N 1–8, D 1–4;
- for scale: hand-written NumPy of the net's value and gradients, point by point, in-process,
  with the same JSON in and out (the stdlib's json), no start-up counted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from common import gradcli_command

NET = "h = relu(X @ W1 + b1); s = h @ W2 + b2; L = cross_entropy(s, y)"
FIT = "L = mean((X @ w + b - t)^2)"


def net_points(n: int, rng, same: bool) -> list[dict]:
    out = []
    for _ in range(n):
        N, D, H, C = (4, 3, 8, 3) if same else (int(rng.integers(1, 9)), int(rng.integers(2, 5)),
                                               int(rng.integers(4, 17)), int(rng.integers(2, 4)))
        out.append({"X": rng.normal(size=(N, D)).round(3).tolist(),
                    "W1": rng.normal(size=(D, H)).round(3).tolist(), "b1": rng.normal(size=H).round(3).tolist(),
                    "W2": rng.normal(size=(H, C)).round(3).tolist(), "b2": rng.normal(size=C).round(3).tolist(),
                    "y": rng.integers(0, C, size=N).tolist()})
    return out


def fit_points(n: int, rng) -> list[dict]:
    out = []
    for _ in range(n):
        N, D = int(rng.integers(1, 9)), int(rng.integers(1, 5))
        out.append({"X": rng.normal(size=(N, D)).round(3).tolist(), "w": rng.normal(size=D).round(3).tolist(),
                    "b": round(float(rng.normal()), 3), "t": rng.normal(size=N).round(3).tolist()})
    return out


def child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(argv: list[str], out: Path) -> tuple[float, float]:
    before, start = child_cpu(), time.perf_counter()
    with out.open("w") as f:
        subprocess.run(argv, stdout=f, check=True)
    return time.perf_counter() - start, child_cpu() - before


def hand_numpy(lines: list[str]) -> float:
    """The net's value and gradients by hand, point by point, JSON in and out: seconds."""
    start = time.perf_counter()
    sink = []
    for line in lines:
        p = json.loads(line)
        X, W1, b1, W2, b2 = (np.asarray(p[k], dtype=float) for k in ("X", "W1", "b1", "W2", "b2"))
        y = np.asarray(p["y"], dtype=int)
        n = len(X)
        z1 = X @ W1 + b1
        h = np.maximum(z1, 0)
        s = h @ W2 + b2
        e = np.exp(s - s.max(axis=1, keepdims=True))
        pr = e / e.sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(pr[np.arange(n), y]))
        ds = pr.copy()
        ds[np.arange(n), y] -= 1
        ds /= n
        dz1 = (ds @ W2.T) * (z1 > 0)
        sink.append(json.dumps({"value": float(loss), "gradient": {
            "X": (dz1 @ W1.T).tolist(), "W1": (X.T @ dz1).tolist(), "b1": dz1.sum(0).tolist(),
            "W2": (h.T @ ds).tolist(), "b2": ds.sum(0).tolist()}}))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 500 if args.quick else 2000
    repeat = 2 if args.quick else 3
    rng = np.random.default_rng(0)
    cmd = gradcli_command()
    print(f"--batch with arrays: {n:,} points per row; medians of {repeat} runs; "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}\n")
    print(f"{'how':52}{'points/s':>10}{'points/CPU s':>14}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sets = {"net": net_points(n, rng, False), "net, one shape": net_points(n, rng, True),
                "fit": fit_points(n, rng)}
        paths = {}
        for name, pts in sets.items():
            paths[name] = folder / (name.replace(", ", "_").replace(" ", "_") + ".jsonl")
            paths[name].write_text("".join(json.dumps(p) + "\n" for p in pts))
        rows = [("grad --batch, two-layer net, shapes differ by line", "grad", NET, "net"),
                ("eval --batch, two-layer net, shapes differ by line", "eval", NET, "net"),
                ("grad --batch, two-layer net, one shape", "grad", NET, "net, one shape"),
                ("grad --batch, least-squares fit", "grad", FIT, "fit")]
        for label, command, text, which in rows:
            runs = [timed(cmd + [command, text, "--batch", str(paths[which])], folder / "out.jsonl")
                    for _ in range(repeat)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            print(f"{label:52}{n / wall:>10,.0f}{n / cpu:>14,.0f}")
        lines = paths["net"].read_text().splitlines()
        hand = statistics.median(hand_numpy(lines) for _ in range(repeat))
        print(f"{'hand NumPy, the net point by point (in-process)':52}{n / hand:>10,.0f}")


if __name__ == "__main__":
    main()
