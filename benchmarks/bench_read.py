"""Reading data: `train --data` and `--batch` on big CSV files, in process, beside np.loadtxt.

    python3 benchmarks/bench_read.py            # 10^5 and 10^6 rows (about two minutes)
    python3 benchmarks/bench_read.py --quick    # 10^5 rows, 3 runs

Files: 2 columns (the linear data of bench_train.py) and 4 columns, every number
written by repr (16-17 digits: the slow case for the parser float() and loadtxt share).
Columns, each the median of alternating runs, wall and CPU seconds (CPU counts the
children a big file is read in):

- load: gradcli.data.dataset.load (train --data), as the command runs it;
- load, 1 core: the same with the pieces turned off (parallel_csv.workers -> 1);
- load, pieces: the same with a piece per usable core (at most 4) whatever the load
  average says (on a busy machine the command itself reads on one core);
- np.loadtxt: NumPy's reader on the same file, the floor of one core;
- --batch: the points reader, every chunk turned into columns (batch.Batch.columns),
  no computing and no output; from a file of 4 MiB or more, with a core free, a helper
  process parses chunks beside it (csv_ahead.py);
- --batch, 1 core: the same with the helper turned off.

Run it with the gradcli of another tree first on PYTHONPATH to time that tree; columns
it lacks are left out. Issue 9's target: reading 10^6 rows in under 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from gradcli.data import dataset, points
from gradcli.homework.batch import Batch

parallel_csv = getattr(dataset, "parallel_csv", None)  # None: an older tree, read on one core
try:
    from gradcli.data import csv_ahead
except ImportError:  # an older tree: --batch on one core
    csv_ahead = None


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), _cpu()
    fn()
    return time.perf_counter() - wall, _cpu() - cpu


def write(folder: Path, n: int, width: int) -> tuple[Path, list[str]]:
    rng = np.random.default_rng(n + width)
    names = ["x", "y"] if width == 2 else [f"x{k}" for k in range(1, width)] + ["y"]
    values = rng.normal(size=(n, width))
    path = folder / f"w{width}_{n}.csv"
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        f.writelines(",".join(map(repr, row)) + "\n" for row in values.tolist())
    return path, names


def read_batch(path: Path, names: list[str]) -> int:
    batch = Batch("+".join(names), {}, names)
    src, fmt = points.open_points(str(path))
    rows = 0
    try:
        for chunk in points.read_chunks(src, fmt):
            batch.columns(chunk)
            rows += len(chunk)
    finally:
        src.close()
    return rows


def pieces(fn, n: int):
    def run():
        real = parallel_csv.workers
        parallel_csv.workers = lambda size: n if size >= parallel_csv.MIN_BYTES else 1
        try:
            fn()
        finally:
            parallel_csv.workers = real
    return run


def alone(fn):
    def run():
        real = csv_ahead.worth
        csv_ahead.worth = lambda stream: False
        try:
            fn()
        finally:
            csv_ahead.worth = real
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    sizes = [10 ** 5] if args.quick else [10 ** 5, 10 ** 6]
    repeats = 3 if args.quick else args.repeats
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"reading CSV in process; medians of {repeats} alternating runs, wall s (CPU s); "
          f"numpy {np.__version__}, Python {sys.version.split()[0]}, {cores} cores usable, "
          f"load average {os.getloadavg()[0]:.1f} at the start; gradcli from "
          f"{Path(dataset.__file__).parents[2]}")
    cols = ["load", "load, 1 core", "load, pieces", "np.loadtxt", "--batch", "--batch, 1 core"]
    head = f"{'rows':>9} {'columns':>7}  " + "  ".join(f"{c:>15}" for c in cols)
    print(head)
    print("-" * len(head))
    verdicts, ratios = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            for width in (2, 4):
                path, names = write(Path(tmp), n, width)
                runs = {
                    "load": lambda: dataset.load(str(path), names),
                    "np.loadtxt": lambda: np.loadtxt(path, delimiter=",", skiprows=1),
                    "--batch": lambda: read_batch(path, names),
                }
                if parallel_csv is not None:
                    runs["load, 1 core"] = pieces(runs["load"], 1)
                    runs["load, pieces"] = pieces(runs["load"], min(cores, parallel_csv.MAX_WORKERS))
                if csv_ahead is not None:
                    runs["--batch, 1 core"] = alone(runs["--batch"])
                got = dataset.load(str(path), names)  # the same numbers as NumPy's
                table = np.loadtxt(path, delimiter=",", skiprows=1)
                assert all(np.array_equal(got.columns[c], table[:, k]) for k, c in enumerate(names))
                assert read_batch(path, names) == n
                times = {k: [] for k in runs}
                for _ in range(repeats):
                    for k, fn in runs.items():
                        times[k].append(_timed(fn))
                med = {k: (statistics.median(t[0] for t in v), statistics.median(t[1] for t in v))
                       for k, v in times.items()}
                cells = [f"{med[c][0]:.3f} ({med[c][1]:.3f})" if c in med else "-" for c in cols]
                print(f"{n:>9,} {width:>7}  " + "  ".join(f"{c:>15}" for c in cells))
                if n == 10 ** 6:
                    ratios.append(f"{width} columns: " + ", ".join(
                        f"{k} {med[k][0] / med['np.loadtxt'][0]:.2f}×" for k in cols
                        if k in med and k != "np.loadtxt"))
                if n == 10 ** 6 and width == 2:
                    for k in ("load", "load, pieces", "--batch"):
                        if k not in med:
                            continue
                        verdicts.append((med[k][0] < 0.5, f"{med[k][0]:.3f} s (CPU {med[k][1]:.3f} s)",
                                         f"{k}: 10^6 rows of CSV (2 columns) read in < 0.5 s"))
    if ratios:
        print("\n10^6 rows, wall time ÷ np.loadtxt's (the floor of one core):")
        for line in ratios:
            print("  " + line)
    if verdicts:
        print("\nTARGETS (issue 9)")
        for met, shown, what in verdicts:
            print(f"  {'met' if met else 'MISSED':9} {shown:>26}  {what}")


if __name__ == "__main__":
    main()
