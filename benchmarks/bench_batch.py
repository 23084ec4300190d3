"""`grad --batch`: 100,000 points through the command line, beside its alternatives.

    python benchmarks/bench_batch.py            # about a minute
    python benchmarks/bench_batch.py --quick    # no 10^6-line run, fewer repeats

Rows (points per second, end to end; medians of several runs, the machine is shared):

- `grad --batch` on 100,000 points of the seed expression (x+y)*z, JSON Lines and CSV
  in, JSON Lines out, one process, as a user runs it (stdout to a file);
- one process per point: `grad EXPR -x .. -y .. -z .. --json`, ~50 processes timed
  and extrapolated;
- SymPy's `lambdify` of the same value and gradient on NumPy arrays: compute only,
  and with the same JSON in and out written with the standard library (in-process,
  no start-up counted);
- where gradcli's time goes, phase by phase, in-process;
- memory: the peak RSS of the 10^6-line run beside the 10^5 one (chunks keep it flat).

Two kinds of points: "short" values with two decimals, as homework has, and "long"
doubles drawn uniformly (17 significant digits: the slowest case to write).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import gradcli_command

PY = sys.executable
EXPR = "(x+y)*z"
TARGET = 100_000  # points per second (issue 5)


def make_points(n: int, kind: str, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    if kind == "short":
        return [{"x": round(rng.uniform(-10, 10), 2), "y": round(rng.uniform(-10, 10), 2),
                 "z": round(rng.uniform(-10, 10), 2)} for _ in range(n)]
    return [{"x": rng.uniform(-10, 10), "y": rng.uniform(-10, 10), "z": rng.uniform(-10, 10)}
            for _ in range(n)]


def write_points(folder: Path, points: list[dict], name: str) -> tuple[Path, Path]:
    jsonl = folder / f"{name}.jsonl"
    jsonl.write_text("".join(json.dumps(p) + "\n" for p in points))
    csv = folder / f"{name}.csv"
    csv.write_text("x,y,z\n" + "".join(f"{p['x']!r},{p['y']!r},{p['z']!r}\n" for p in points))
    return jsonl, csv


def timed_run(argv: list[str], out: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one process, stdout to a file."""
    with open(out, "w") as f:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=f, stderr=subprocess.PIPE)
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {err.decode()[:500]}")
    return wall, usage.ru_utime + usage.ru_stime


def peak_rss_mib(argv: list[str], out: Path) -> float | None:
    """Peak RSS of a process, from /usr/bin/time (a child's ru_maxrss also counts the
    parent's pages it held between fork and exec, so it cannot be trusted here)."""
    if not Path("/usr/bin/time").exists():
        return None
    with open(out, "w") as f:
        proc = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, stdout=f, stderr=subprocess.PIPE)
    return int(proc.stderr.decode().split()[-1]) / 1024


def median_time(argv, out, repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds."""
    runs = [timed_run(argv, out) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def per_process(points: list[dict], count: int) -> float:
    """Points per second with one `grad --json` process per point."""
    cmd = gradcli_command()
    start = time.perf_counter()
    for p in points[:count]:
        argv = cmd + ["grad", EXPR] + [f"{k}={v!r}" for k, v in p.items()] + ["--json"]
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    return count / (time.perf_counter() - start)


def sympy_rows(points: list[dict], repeat: int) -> tuple[float, float]:
    """Points per second of SymPy's lambdify: compute only, and with stdlib JSON in and out."""
    import numpy as np
    import sympy as sp

    x, y, z = sp.symbols("x y z")
    f = (x + y) * z
    fn = sp.lambdify([x, y, z], [f, sp.diff(f, x), sp.diff(f, y), sp.diff(f, z)], "numpy")
    cols = [np.array([p[k] for p in points]) for k in "xyz"]
    n = len(points)
    compute = statistics.median(_timed(lambda: fn(*cols)) for _ in range(repeat))
    text = "".join(json.dumps(p) + "\n" for p in points)

    def end_to_end():
        rows = [json.loads(line) for line in io.StringIO(text)]
        xs, ys, zs = (np.array([r[k] for r in rows], dtype=float) for k in "xyz")
        value, gx, gy, gz = (np.broadcast_to(a, xs.shape).tolist() for a in fn(xs, ys, zs))
        out = io.StringIO()
        for r, v, a, b, c in zip(rows, value, gx, gy, gz):
            out.write(json.dumps({"expression": EXPR, "inputs": r, "value": v,
                                  "gradient": {"x": a, "y": b, "z": c}}, separators=(",", ":")) + "\n")

    full = statistics.median(_timed(end_to_end) for _ in range(repeat))
    return n / compute, n / full


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def phases(path: Path, repeat: int) -> dict[str, float]:
    """Seconds per phase of one batch, in-process (the chunks read first, then each step)."""
    import numpy as np

    from gradcli.homework.batch import Batch, Results
    from gradcli.data.points import open_points, read_chunks
    from gradcli.views.json_lines import BatchLines

    def once():
        t = {}
        start = time.perf_counter()
        batch = Batch(EXPR)
        t["parse the program"] = time.perf_counter() - start
        stream, fmt = open_points(str(path))
        start = time.perf_counter()
        chunks = list(read_chunks(stream, fmt))
        t["read and parse JSON"] = time.perf_counter() - start
        stream.close()
        t["columns"] = t["forward+backward"] = t["write numbers and lines"] = 0.0
        sink = io.StringIO()
        lines = BatchLines(batch)
        for chunk in chunks:
            start = time.perf_counter()
            cols, errors = batch.columns(chunk)
            mid = time.perf_counter()
            n = len(chunk)
            value, grads = np.zeros(n), [np.zeros(n) for _ in batch.wrt]
            batch._run(cols, n, value, grads)  # what compute() does once the columns are made
            end = time.perf_counter()
            sink.write(lines(chunk, Results(n, cols, value, grads, errors)))
            t["columns"] += mid - start
            t["forward+backward"] += end - mid
            t["write numbers and lines"] += time.perf_counter() - end
        return t

    runs = [once() for _ in range(repeat)]
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def startup(repeat: int) -> tuple[float, float]:
    cmd = gradcli_command()
    gradcli = statistics.median(_timed(lambda: subprocess.run(
        cmd + ["eval", "x", "-x", "1"], stdout=subprocess.DEVNULL, check=True)) for _ in range(repeat))
    numpy = statistics.median(_timed(lambda: subprocess.run(
        [PY, "-c", "import numpy"], check=True)) for _ in range(repeat))
    bare = statistics.median(_timed(lambda: subprocess.run([PY, "-c", "pass"], check=True))
                             for _ in range(repeat))
    return gradcli, numpy - bare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="no 10^6-line run, fewer repeats")
    parser.add_argument("--points", type=int, default=100_000)
    args = parser.parse_args()
    repeat = 3 if args.quick else 5
    n = args.points
    cmd = gradcli_command()
    print(f"gradcli grad \"{EXPR}\" --batch: {n:,} points; medians of {repeat} runs; "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}\n")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        out = folder / "out.jsonl"
        rows = []
        data = {}
        for kind in ("short", "long"):
            pts = make_points(n, kind)
            data[kind] = (pts, *write_points(folder, pts, kind))
            jsonl, csv = data[kind][1:]
            for fmt, path in (("JSON Lines", jsonl), ("CSV", csv)):
                t, cpu = median_time(cmd + ["grad", EXPR, "--batch", str(path)], out, repeat)
                rows.append((f"grad --batch, {fmt}, {kind} values", n / t, t, n / cpu))
        short = data["short"][0]
        pp = per_process(short, 20 if args.quick else 50)
        rows.append(("one process per point (extrapolated)", pp, n / pp, None))
        compute, full = sympy_rows(short, repeat)
        rows.append(("SymPy lambdify, NumPy, compute only", compute, n / compute, None))
        rows.append(("SymPy lambdify + stdlib JSON in/out", full, n / full, None))

        print(f"{'how':<44} {'points/s':>12} {'s per 10^5':>11} {'points/CPU s':>13}")
        for label, rate, secs, per_cpu in rows:
            cpu = "" if per_cpu is None else f"{per_cpu:,.0f}"
            print(f"{label:<44} {rate:>12,.0f} {secs * 100_000 / n:>11.3f} {cpu:>13}")
        worst = min(r[1] for r in rows[:2])
        worst_cpu = min(r[3] for r in rows[:2])
        print(f"\ntarget: >= {TARGET:,} points/s for {EXPR} (short values, JSON Lines and CSV): "
              f"{'met' if worst >= TARGET else 'NOT met'} by wall time ({worst:,.0f}); "
              f"{worst_cpu:,.0f} per CPU second (wall time suffers when the machine is shared)")

        print("\nwhere the time goes (in-process, short / long values, seconds per 10^5 points):")
        ph = {kind: phases(data[kind][1], repeat) for kind in ("short", "long")}
        start, numpy = startup(repeat)
        print(f"  {'process start-up (gradcli eval, no NumPy)':<34} {start:>8.3f} {start:>8.3f}")
        print(f"  {'import NumPy':<34} {numpy:>8.3f} {numpy:>8.3f}")
        for k in ph["short"]:
            print(f"  {k:<34} {ph['short'][k] * 1e5 / n:>8.3f} {ph['long'][k] * 1e5 / n:>8.3f}")

        if not args.quick:
            big = folder / "big.jsonl"
            with open(big, "w") as f:
                line = data["short"][1].read_text()
                for _ in range(max(1, 1_000_000 // n)):
                    f.write(line)
            lines = sum(1 for _ in open(big))
            rss_small = peak_rss_mib(cmd + ["grad", EXPR, "--batch", str(data["short"][1])], out)
            t_big, cpu_big = timed_run(cmd + ["grad", EXPR, "--batch", str(big)], out)
            rss_big = peak_rss_mib(cmd + ["grad", EXPR, "--batch", str(big)], out)
            print(f"\n{lines:,} points: {t_big:.2f} s ({lines / t_big:,.0f} points/s; "
                  f"{lines / cpu_big:,.0f} per CPU second)")
            if rss_big is not None:
                print(f"memory: peak RSS {rss_small:.0f} MiB for {n:,} points, "
                      f"{rss_big:.0f} MiB for {lines:,}")


if __name__ == "__main__":
    main()
