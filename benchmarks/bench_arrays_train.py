"""One training step of the two-layer network: gradcli beside hand NumPy and PyTorch eager.

    python3 benchmarks/bench_arrays_train.py           # hidden 64 and 256; batch 10^3, 10^4, 10^5
    python3 benchmarks/bench_arrays_train.py --quick   # a smoke run
    python3 benchmarks/bench_arrays_train.py --hidden 256 --rows 100000   # one cell

The network of SPEC §6 on two features and two classes (the moons):

    h = relu(W1 @ [x1, x2] + b1); s = W2 @ h + b2; cross_entropy(s, y)

one step = forward, backward and an SGD update of W1 (H, 2), b1 (H,), W2 (2, H), b2 (2,),
the loss the mean over the batch's rows.

- gradcli rows: `gradcli.training.loop.train` with --data's columns x1, x2, y and the
  program written for one row, as `gradcli train --data` runs it (the row domain:
  every row at once, shared matrices through one matrix product).
- gradcli batch: the same network written for the whole batch, X bound as an (N, 2)
  matrix, trained at one point: `cross_entropy(relu(X @ transpose(W1) + b1) @
  transpose(W2) + b2, y)`.
- numpy: the step written by hand, gradients derived by hand, as in CS231n.
- torch: PyTorch eager autograd, CPU, float64, torch.set_num_threads(1).

A step's time is the median, over a few runs of k + 1 steps, of the CPU time from the
end of one step to the end of the next (gradcli's on_step callback): setting up
(compiling, binding, the first step, the final loss) is not counted.
Times are CPU times (time.process_time: steadier than wall time on a shared machine),
one thread everywhere (set before NumPy and PyTorch load).

Each contender of each cell runs in a process of its own (this script again, with
--contender): how one contender's allocations have left the C library's heap (glibc
moves its mmap threshold as large blocks are freed) must not speed up or slow down
the next one's. The table is printed from that one run; the last column compares
every contender's final parameters with hand NumPy's.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

ROWS_PROGRAM = "h = relu(W1 @ [x1, x2] + b1); s = W2 @ h + b2; cross_entropy(s, y)"
BATCH_PROGRAM = "h = relu(X @ transpose(W1) + b1); s = h @ transpose(W2) + b2; cross_entropy(s, y)"
LR = 0.1


def data(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    return X, y


def init(hidden: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    return {"W1": 0.5 * rng.standard_normal((hidden, 2)), "b1": np.zeros(hidden),
            "W2": 0.5 * rng.standard_normal((2, hidden)), "b2": np.zeros(2)}


def numpy_step(p, X, y):
    """One SGD step by hand (CS231n's two_layer_net, with W stored as (out, in))."""
    n = X.shape[0]
    z1 = X @ p["W1"].T + p["b1"]
    h = np.maximum(z1, 0)
    s = h @ p["W2"].T + p["b2"]
    s = s - s.max(axis=1, keepdims=True)
    e = np.exp(s)
    prob = e / e.sum(axis=1, keepdims=True)
    yi = y.astype(np.intp)
    loss = -np.log(prob[np.arange(n), yi]).mean()
    ds = prob
    ds[np.arange(n), yi] -= 1
    ds /= n
    dW2 = ds.T @ h
    db2 = ds.sum(axis=0)
    dh = ds @ p["W2"]
    dz1 = dh * (z1 > 0)
    dW1 = dz1.T @ X
    db1 = dz1.sum(axis=0)
    for k, g in (("W1", dW1), ("b1", db1), ("W2", dW2), ("b2", db2)):
        p[k] = p[k] - LR * g
    return loss


def time_numpy(hidden, X, y, k):
    def run(steps):
        p, stamps = init(hidden), []
        for _ in range(steps):
            numpy_step(p, X, y)
            stamps.append(time.process_time())
        return stamps, p
    return _per_step(run, k)


def time_torch(hidden, X, y, k):
    import torch

    torch.set_num_threads(1)
    Xt = torch.tensor(X)
    yt = torch.tensor(y.astype(np.int64))

    def run(steps):
        p = {n: torch.tensor(v, requires_grad=True) for n, v in init(hidden).items()}
        opt = torch.optim.SGD(list(p.values()), lr=LR)
        stamps = []
        for _ in range(steps):
            opt.zero_grad()
            h = torch.relu(Xt @ p["W1"].T + p["b1"])
            s = h @ p["W2"].T + p["b2"]
            loss = torch.nn.functional.cross_entropy(s, yt)
            loss.backward()
            opt.step()
            stamps.append(time.process_time())
        return stamps, {n: v.detach().numpy() for n, v in p.items()}
    return _per_step(run, k)


def time_gradcli_rows(hidden, X, y, k):
    from gradcli.data.dataset import Dataset
    from gradcli.training.loop import train

    ds = Dataset.from_columns({"x1": X[:, 0], "x2": X[:, 1], "y": y})

    def run(steps):
        stamps = []
        r = train(ROWS_PROGRAM, init(hidden), None, ds, lr=LR, steps=steps,
                  on_step=lambda *_: stamps.append(time.process_time()))
        return stamps, r.params
    return _per_step(run, k)


def time_gradcli_batch(hidden, X, y, k):
    from gradcli.training.loop import train

    def run(steps):
        stamps = []
        r = train(BATCH_PROGRAM, init(hidden), {"X": X, "y": y}, lr=LR, steps=steps,
                  on_step=lambda *_: stamps.append(time.process_time()))
        return stamps, r.params
    return _per_step(run, k)


def _per_step(run, k, repeats=3):
    """(seconds per step, the parameters after 1 + k steps): the median, over a few runs of
    1 + k steps, of the CPU time between the ends of consecutive steps (the first step,
    which also compiles and first touches memory, is not counted)."""
    times, params = [], None
    for _ in range(repeats):
        stamps, params = run(1 + k)
        times += [b - a for a, b in zip(stamps, stamps[1:])]
    return statistics.median(times), params


RUNNERS = {"gradcli rows": time_gradcli_rows, "gradcli batch": time_gradcli_batch,
           "numpy": time_numpy, "torch": time_torch}


def steps_for(hidden: int, n: int) -> int:
    return max(2, min(20, 2_000_000 // (n * hidden // 16)))


def contender(name: str, hidden: int, n: int, out: str) -> None:
    """One contender at one cell, in this process: seconds per step and the final
    parameters, written to `out` (.npz)."""
    X, y = data(n)
    seconds, params = RUNNERS[name](hidden, X, y, steps_for(hidden, n))
    np.savez(out, seconds=seconds, **{k: np.asarray(v) for k, v in params.items()})


def cell(hidden: int, n: int, workdir: str) -> tuple[dict, dict]:
    """Every contender at one cell, each in a fresh process: (ms per step, final params)."""
    ms, params = {}, {}
    for name in RUNNERS:
        out = os.path.join(workdir, f"{name.replace(' ', '_')}-{hidden}-{n}.npz")
        subprocess.run([sys.executable, os.path.abspath(__file__), "--contender", name,
                        "--hidden", str(hidden), "--rows", str(n), "--out", out], check=True)
        with np.load(out) as f:
            ms[name] = float(f["seconds"]) * 1e3
            params[name] = {k: f[k] for k in f.files if k != "seconds"}
    return ms, params


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only")
    ap.add_argument("--hidden", type=int, nargs="*", help="hidden sizes (default 64 256)")
    ap.add_argument("--rows", type=int, nargs="*", help="batch sizes (default 10^3 10^4 10^5)")
    ap.add_argument("--contender", choices=list(RUNNERS), help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.contender:
        contender(args.contender, args.hidden[0], args.rows[0], args.out)
        return
    hiddens = args.hidden or ([64] if args.quick else [64, 256])
    sizes = args.rows or ([1000] if args.quick else [1000, 10_000, 100_000])
    names = list(RUNNERS)
    print("one SGD step of the two-layer network (2 → H → 2), ms per step (CPU), one thread, "
          "each contender in its own process")
    print(f"{'H':>4} {'rows':>7} " + " ".join(f"{name:>14}" for name in names)
          + f" {'rows/numpy':>11} {'batch/numpy':>12} {'rows/torch':>11} {'batch/torch':>12} {'same params':>12}")
    with tempfile.TemporaryDirectory() as workdir:
        for hidden in hiddens:
            for n in sizes:
                ms, params = cell(hidden, n, workdir)
                ref = params["numpy"]
                same = all(np.allclose(res[p], ref[p], rtol=1e-7, atol=1e-10)
                           for res in params.values() for p in ref)
                print(f"{hidden:>4} {n:>7} " + " ".join(f"{ms[name]:>14.3f}" for name in names)
                      + f" {ms['gradcli rows'] / ms['numpy']:>11.2f} {ms['gradcli batch'] / ms['numpy']:>12.2f}"
                      + f" {ms['gradcli rows'] / ms['torch']:>11.2f} {ms['gradcli batch'] / ms['torch']:>12.2f}"
                      + f" {'yes' if same else 'NO':>12}", flush=True)


if __name__ == "__main__":
    main()
