"""Training speed: gradcli against hand-written NumPy and PyTorch autograd, one table.

    python3 benchmarks/bench_train.py           # 10^3 .. 10^6 rows (about three minutes)
    python3 benchmarks/bench_train.py --quick   # a smoke run
    python3 benchmarks/bench_train.py --whole   # only the whole-process table (issue 9)

100 full-batch steps of plain gradient descent on two losses:

    linear    (w*x + b - y)^2                                   w, b
    logistic  -(y*log(sigmoid(z)) + (1-y)*log(1 - sigmoid(z))),  z = w1*x1 + w2*x2 + b

- gradcli: the Python API, `gradcli.training.loop.train(...)`, in this process (no
  subprocess): compiling the plan, 100 steps and the final loss, each step's
  loss recorded.
- numpy: the same training written by hand, gradients derived by hand
  (2·mean(r·x); mean((p - y)·x)), the way one writes it in a notebook.
- torch: PyTorch eager autograd on CPU tensors (float64), torch.optim.SGD.

Then whole processes, as a user runs them, on a CSV file of linear data:
`gradcli train ... --data FILE --steps 100 --json` against peers/numpy_train.py
(np.loadtxt and the same 100 steps by hand), run alternately; the ratio of their
median wall times (and of their CPU times, steadier on a shared machine) at 10^5
and 10^6 rows; the time gradcli takes to read 10^6 rows (gradcli.data.dataset.load, in
process) beside np.loadtxt; and `grad --batch` over the same files (CSV and JSON
Lines), whole processes, in points per second.

All in float64. In process, one thread (the thread variables below are set
before NumPy and PyTorch load); whole processes run in the environment this
script was started in, as a user's shell would run them. Times are medians of several runs; the machine may be
shared, so expect noise. The last column checks that the three runs end at
the same parameters.
"""

from __future__ import annotations

import os

# Whole processes run in the environment as the user has it (see CHILD_ENV): saved
# before this process sets one thread for its own in-process timings.
USER_ENV = dict(os.environ)
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from common import gradcli_command  # noqa: E402

from gradcli.data import dataset as gradcli_data
from gradcli.program.program import Program
from gradcli.data.dataset import Dataset
from gradcli.training.loop import train

LINEAR = "(w*x + b - y)^2"
LOGISTIC = "-(y*log(sigmoid(w1*x1 + w2*x2 + b)) + (1-y)*log(1 - sigmoid(w1*x1 + w2*x2 + b)))"
LR = {"linear": 0.05, "logistic": 0.5}


def make_data(kind: str, n: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(n)
    if kind == "linear":
        x = rng.normal(size=n)
        return {"x": x, "y": 3 * x + 1 + 0.1 * rng.normal(size=n)}
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    return {"x1": x1, "x2": x2, "y": (x1 + 0.5 * x2 + 0.3 * rng.normal(size=n) > 0).astype(float)}


# -- gradcli ----------------------------------------------------------------------

def run_gradcli(kind, data, steps):
    program = Program(LINEAR if kind == "linear" else LOGISTIC)
    params = {"w": 0.0, "b": 0.0} if kind == "linear" else {"w1": 0.0, "w2": 0.0, "b": 0.0}
    dataset = Dataset.from_columns(data)   # checked once, outside the timing

    def go():
        return list(train(program, params, data=dataset, lr=LR[kind], steps=steps).params.values())
    return go


# -- NumPy by hand -----------------------------------------------------------------

def run_numpy(kind, data, steps):
    lr = LR[kind]
    if kind == "linear":
        x, y = data["x"], data["y"]

        def go():
            w = b = 0.0
            losses = []
            for _ in range(steps):
                r = w * x + b - y
                losses.append(float(np.mean(r * r)))
                gw, gb = 2 * np.mean(r * x), 2 * np.mean(r)
                w, b = w - lr * gw, b - lr * gb
            return [w, b]
        return go
    x1, x2, y = data["x1"], data["x2"], data["y"]

    def go():
        w1 = w2 = b = 0.0
        losses = []
        for _ in range(steps):
            p = 1 / (1 + np.exp(-(w1 * x1 + w2 * x2 + b)))
            losses.append(float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))))
            d = p - y
            g1, g2, gb = np.mean(d * x1), np.mean(d * x2), np.mean(d)
            w1, w2, b = w1 - lr * g1, w2 - lr * g2, b - lr * gb
        return [w1, w2, b]
    return go


# -- PyTorch eager autograd ----------------------------------------------------------

def run_torch(kind, data, steps):
    import torch

    t = {k: torch.from_numpy(v) for k, v in data.items()}
    names = ["w", "b"] if kind == "linear" else ["w1", "w2", "b"]

    def go():
        p = {n: torch.zeros((), dtype=torch.float64, requires_grad=True) for n in names}
        opt = torch.optim.SGD(list(p.values()), lr=LR[kind])
        losses = []
        for _ in range(steps):
            if kind == "linear":
                loss = ((p["w"] * t["x"] + p["b"] - t["y"]) ** 2).mean()
            else:
                z = p["w1"] * t["x1"] + p["w2"] * t["x2"] + p["b"]
                s = torch.sigmoid(z)
                loss = (-(t["y"] * torch.log(s) + (1 - t["y"]) * torch.log(1 - s))).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return [v.item() for v in p.values()]
    return go


def median_ms(fn, repeats: int):
    result, times = fn(), []  # one run to warm up (imports, caches, first allocations)
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3, result



# -- whole processes ---------------------------------------------------------------

HAND = Path(__file__).with_name("peers") / "numpy_train.py"


# Child processes get a private bytecode cache, as an installed package has its .pyc
# files: this environment sets PYTHONDONTWRITEBYTECODE, which would otherwise make every
# gradcli process compile its modules again (about 45 ms) and the hand script not.
# They do not get this process's one-thread settings: a user's shell has none, and
# gradcli's own choice of BLAS threads (gradcli/cli/start.py) is part of what is timed.
CHILD_ENV = {k: v for k, v in USER_ENV.items() if k != "PYTHONDONTWRITEBYTECODE"}
CHILD_ENV["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="gradcli-bench-pyc-")


def _process(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one process, stdout discarded."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=CHILD_ENV)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0,):
        raise SystemExit(f"{' '.join(argv)} failed: {err.decode()[:300]}")
    return wall, usage.ru_utime + usage.ru_stime


def _alternate(commands: dict[str, list[str]], repeats: int) -> dict[str, tuple[float, float]]:
    """Median wall and CPU seconds of each command, run in turn after a warm-up."""
    runs: dict[str, list] = {k: [] for k in commands}
    for argv in commands.values():
        _process(argv)
    for _ in range(repeats):
        for k, argv in commands.items():
            runs[k].append(_process(argv))
    return {k: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v))
            for k, v in runs.items()}


def _write_linear(folder: Path, n: int) -> tuple[Path, Path]:
    d = make_data("linear", n)
    xs, ys = d["x"].tolist(), d["y"].tolist()
    csv = folder / f"linear{n}.csv"
    csv.write_text("x,y\n" + "".join(f"{a!r},{b!r}\n" for a, b in zip(xs, ys)))
    jsonl = folder / f"linear{n}.jsonl"
    jsonl.write_text("".join(json.dumps({"x": a, "y": b}) + "\n" for a, b in zip(xs, ys)))
    return csv, jsonl


def whole_process(sizes: list[int], repeats: int, show_targets: bool = True) -> list[tuple[bool, str, str]]:
    """Print the whole-process table; return its verdicts (met, shown, what)."""
    cmd = gradcli_command()
    print(f"\nwhole processes: gradcli train --data FILE (linear, 100 steps, --json) against "
          f"{HAND.name} (np.loadtxt + the same steps); medians of {repeats} alternating runs")
    head = (f"{'rows':>9} {'gradcli s':>10} {'numpy s':>9} {'ratio':>7} {'CPU ratio':>10}  "
            f"{'--batch CSV pts/s':>18} {'--batch JSONL pts/s':>20}")
    print(head)
    print("-" * len(head))
    verdicts = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            csv, jsonl = _write_linear(Path(tmp), n)
            train = cmd + ["train", LINEAR, "--data", str(csv), "--param", "w=0", "--param", "b=0",
                           "--lr", "0.05", "--steps", "100", "--json"]
            batch = cmd + ["grad", LINEAR, "-w", "3", "-b", "1", "--wrt", "w,b", "--batch"]
            t = _alternate({"gradcli": train, "numpy": [sys.executable, str(HAND), str(csv)],
                            "csv": batch + [str(csv)], "jsonl": batch + [str(jsonl)]},
                           repeats if n < 10 ** 6 else max(3, repeats // 2))
            (g, gc), (h, hc) = t["gradcli"], t["numpy"]
            print(f"{n:>9,} {g:>10.3f} {h:>9.3f} {g / h:>6.2f}× {gc / hc:>9.2f}×  "
                  f"{n / t['csv'][0]:>18,.0f} {n / t['jsonl'][0]:>20,.0f}")
            if n >= 10 ** 5:  # the sizes issue 9 names
                verdicts.append((g / h <= 1.2, f"{g / h:.2f}× (CPU {gc / hc:.2f}×)",
                                 f"train --data at {n:,} rows ≤ 1.2× the hand NumPy script, whole processes"))
            if n == max(sizes):
                reads, loadtxt = [], []
                for _ in range(repeats):  # wall and CPU seconds: CPU is steadier on a shared machine
                    reads.append(_timed(lambda: gradcli_data.load(str(csv), ["x", "y"])))
                    loadtxt.append(_timed(lambda: np.loadtxt(csv, delimiter=",", skiprows=1)))
                (rw, rc), (lw, lc) = ([statistics.median(x[k] for x in runs) for k in (0, 1)]
                                      for runs in (reads, loadtxt))
                print(f"reading {n:,} rows (gradcli.data.dataset.load, in process): {rw:.3f} s "
                      f"(CPU {rc:.3f} s, with the children it reads in); np.loadtxt {lw:.3f} s "
                      f"(CPU {lc:.3f} s)")
                if n == 10 ** 6:
                    verdicts.append((rw < 0.5, f"{rw:.3f} s (CPU {rc:.3f} s)",
                                     "reading 10^6 rows of CSV < 0.5 s"))
    if show_targets:
        print("\nTARGETS (issue 9)")
        for met, shown, what in verdicts:
            print(f"  {'met' if met else 'MISSED':9} {shown:>24}  {what}")
    return verdicts


def _timed(fn) -> tuple[float, float]:
    """Wall and CPU seconds of fn(); CPU counts the children a big file is read in."""
    wall, cpu, kids = time.perf_counter(), time.process_time(), _children_cpu()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu + _children_cpu() - kids


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, 10 steps")
    parser.add_argument("--whole", action="store_true", help="only the whole-process table")
    parser.add_argument("--repeats", type=int, default=7, help="runs per whole-process median")
    args = parser.parse_args()
    if args.whole:
        whole_process([10 ** 4] if args.quick else [10 ** 5, 10 ** 6], args.repeats)
        return
    try:
        import torch

        torch.set_num_threads(1)
        torch_version = torch.__version__
    except ImportError:
        torch = None
        torch_version = "not installed"
    sizes = [10 ** 3, 10 ** 4] if args.quick else [10 ** 3, 10 ** 4, 10 ** 5, 10 ** 6]
    steps = 10 if args.quick else 100
    print(f"{steps} full-batch steps of gradient descent, float64, one thread; median ms of "
          f"several runs. numpy {np.__version__}, torch {torch_version}; gradcli through its Python API "
          f"(gradcli.training.loop.train, in process).")
    head = (f"{'loss':9} {'rows':>9} {'gradcli':>10} {'numpy':>10} {'torch':>10} "
            f"{'gradcli/numpy':>14} {'torch/numpy':>12} {'gradcli/torch':>14}  same result")
    print(head)
    print("-" * len(head))
    for kind in ("linear", "logistic"):
        for n in sizes:
            data = make_data(kind, n)
            repeats = 3 if args.quick else (3 if n >= 10 ** 6 else 7)
            ours, p_ours = median_ms(run_gradcli(kind, data, steps), repeats)
            hand, p_hand = median_ms(run_numpy(kind, data, steps), repeats)
            if torch is not None:
                eager, p_torch = median_ms(run_torch(kind, data, steps), repeats)
            else:
                eager, p_torch = float("nan"), p_hand
            same = np.allclose(p_ours, p_hand, rtol=1e-9, atol=1e-12) and \
                np.allclose(p_torch, p_hand, rtol=1e-9, atol=1e-12)
            print(f"{kind:9} {n:>9,} {ours:>10.2f} {hand:>10.2f} {eager:>10.2f} "
                  f"{ours / hand:>13.2f}× {eager / hand:>11.2f}× {ours / eager:>13.2f}×  "
                  f"{'yes' if same else 'NO'}")
    whole_process([10 ** 4] if args.quick else [10 ** 5, 10 ** 6], 3 if args.quick else args.repeats)


if __name__ == "__main__":
    main()
