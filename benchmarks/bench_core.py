"""gradcli's core benchmark: start-up beside Python and its peers, and scale up to 10^6 tokens.

    python benchmarks/bench_core.py              # the full run (about 5 minutes)
    python benchmarks/bench_core.py --quick      # a smoke run (under a minute)
    python benchmarks/bench_core.py --json FILE  # also save every number

Prints plain tables (see benchmarks/README.md for what each column means) and,
at the end, where gradcli stands against the targets of issues 2 and 9. Times are
medians: the machine is shared, so single runs are noisy.

Start-up is measured as a user gets it (issue 9): a non-editable `pip install .`
of this checkout into a fresh virtual environment, beside `python -c pass` of that
same environment, run round-robin. `--this-env` measures the running environment
instead (no install, e.g. offline).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import platform
import shutil
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import gradcli_command

PEERS = Path(__file__).resolve().parent / "peers"
REPO = Path(__file__).resolve().parents[1]
PY = sys.executable
EXAMPLE = ["grad", "(x+y)*z", "-x", "1", "-y", "3", "-z", "-3"]
N_VARS = 100

# Start-up targets of issue 9 (issue 2 had 7× and 9×); the scale targets of issue 2.
JSON_TARGET, HUMAN_TARGET, HELP_TARGET = 6.0, 8.0, 4.0
BIG_TARGET_S, SYMPY_TARGET = 10.0, 100.0


def fresh_install(workdir: str) -> tuple[str, list[str]] | None:
    """(python, gradcli command) of a fresh venv with a non-editable `pip install` of
    this checkout (its dependencies from the package index), or None if that fails."""
    venv = os.path.join(workdir, "venv")
    bindir = os.path.join(venv, "Scripts" if os.name == "nt" else "bin")
    python = os.path.join(bindir, "python")
    print("  … installing this checkout into a fresh venv (pip install .)", file=sys.stderr, flush=True)
    source = os.path.join(workdir, "src")  # a copy: the build leaves nothing in the checkout
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis"))
    for cmd in ([sys.executable, "-m", "venv", venv],
                [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", source]):
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"  … could not install ({' '.join(cmd[:3])}…): {done.stderr.strip()[-300:]}",
                  file=sys.stderr)
            return None
    return python, [os.path.join(bindir, "gradcli")]


def child_env(as_is: bool, pycache: str) -> dict[str, str]:
    """Children read bytecode from a private cache, as an installed package would.

    The cache is a fresh temporary folder: never a /tmp path that anyone could guess and fill.
    """
    env = dict(os.environ)
    if not as_is:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def quartiles(xs: list[float]) -> tuple[float, float, float]:
    if len(xs) < 2:
        return xs[0], xs[0], xs[0]
    q1, q2, q3 = statistics.quantiles(xs, n=4, method="inclusive")
    return q1, q2, q3


# -- (a) start-up ---------------------------------------------------------------

def startup_cases(py: str, cli: list[str]) -> list[tuple[str, list[str] | None, str]]:
    """(label, command or None when the peer is not installed, kind).

    py and cli are the Python and the gradcli under test; the peers run with this Python.
    """
    sympy_script = [PY, str(PEERS / "sympy_grad.py")] if importlib.util.find_spec("sympy") else None
    torch_script = [PY, str(PEERS / "torch_grad.py")] if importlib.util.find_spec("torch") else None
    return [
        ("python -c pass", [py, "-c", "pass"], "base"),
        ("gradcli --help", cli + ["--help"], "gradcli"),
        ("gradcli train --help", cli + ["train", "--help"], "gradcli"),
        ("gradcli grad … --json", cli + EXAMPLE + ["--json"], "gradcli"),
        ("gradcli grad … (Rich table)", cli + EXAMPLE, "gradcli"),
        ("SymPy script (parse, diff, evalf)", sympy_script, "peer"),
        ("PyTorch script (CPU, backward)", torch_script, "peer"),
        ("ref: python -c 'import click'", [py, "-c", "import click"], "ref"),
        ("ref: python -c 'import click, lark'", [py, "-c", "import click, lark"], "ref"),
        ("ref: … + rich.console, rich.table", [py, "-c", "import click, lark, rich.console, rich.table"], "ref"),
    ]


def run_quiet(cmd: list[str], env: dict) -> tuple[float, int]:
    t0 = time.perf_counter()
    rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env).returncode
    return time.perf_counter() - t0, rc


def bench_startup(repeats: int, warmup: int, env: dict, py: str, cli: list[str]) -> list[dict]:
    cases = startup_cases(py, cli)
    times: dict[str, list[float]] = {label: [] for label, cmd, _ in cases if cmd}
    failed: set[str] = set()
    for _ in range(warmup):  # fills the bytecode cache and the OS file cache
        for label, cmd, _ in cases:
            if cmd and run_quiet(cmd, env)[1] != 0:
                failed.add(label)
    for _ in range(repeats):  # round-robin, so a burst of load from elsewhere hits every row alike
        for label, cmd, _ in cases:
            if cmd and label not in failed:
                times[label].append(run_quiet(cmd, env)[0])
    base = statistics.median(times["python -c pass"])
    rows = []
    for label, cmd, kind in cases:
        row = {"what": label, "kind": kind, "command": cmd}
        if cmd is None:
            row["status"] = "n/a"
        elif label in failed:
            row["status"] = "fails"
        else:
            q1, med, q3 = quartiles(times[label])
            row.update(status="ok", median_ms=med * 1e3, q1_ms=q1 * 1e3, q3_ms=q3 * 1e3,
                       ratio=med / base, extra_ms=(med - base) * 1e3, runs=len(times[label]))
        rows.append(row)
    return rows


def print_startup(rows: list[dict], repeats: int, where: str) -> None:
    print(f"\n(a) START-UP: one-shot `gradcli grad \"(x+y)*z\" -x 1 -y 3 -z -3`, wall time of a whole "
          f"process, median of {repeats} runs after a warm-up; {where}")
    print(f"  {'what':38} {'median ms':>10} {'× python':>9} {'+ms':>7} {'q1–q3 ms':>15}")
    for r in rows:
        if r["status"] != "ok":
            print(f"  {r['what']:38} {r['status']:>10}")
            continue
        spread = f"{r['q1_ms']:.1f}–{r['q3_ms']:.1f}"
        print(f"  {r['what']:38} {r['median_ms']:10.1f} {r['ratio']:8.1f}× {r['extra_ms']:7.1f} {spread:>15}")


def probe(args: list[str], env: dict, py: str) -> dict:
    out = subprocess.run([py, str(PEERS / "startup_probe.py"), *args], capture_output=True,
                         text=True, env=env, check=True, cwd=PEERS).stdout
    return json.loads(out.strip().splitlines()[-1])  # a help page may come before it


def bench_breakdown(runs: int, env: dict, py: str) -> dict:
    """Median time of each step of the grad path in fresh processes, and what each path imports."""
    samples = [probe(["phases"], env, py) for _ in range(runs)]
    steps = {k: statistics.median(s[k] for s in samples) * 1e3 for k in samples[0] if k != "tables"}
    cli_args = {"gradcli --help": ["--help"], "gradcli train --help": ["train", "--help"],
                "grad --json": EXAMPLE + ["--json"], "grad (Rich table)": EXAMPLE}
    imports = {label: probe(["modules", *a], env, py) for label, a in cli_args.items()}
    return {"steps_ms": steps, "tables": samples[0]["tables"], "imports": imports, "runs": runs}


def print_breakdown(b: dict) -> None:
    print(f"\n(c) WHERE START-UP GOES: the grad path step by step inside one process "
          f"(median of {b['runs']} fresh processes; parse tables: {b['tables']})")
    for step, ms in b["steps_ms"].items():
        print(f"  {ms:7.2f} ms  {step}")
    print("  heavy packages loaded by each path (from sys.modules after the command ran):")
    for label, info in b["imports"].items():
        print(f"  {label:20} {', '.join(info['loaded']) or '-':32} {info['modules']} modules")


# -- (b) scale ------------------------------------------------------------------

def wide(n_tokens: int, rng: random.Random) -> tuple[str, int]:
    """x3*x71+x5*x12+…: a sum of products over N_VARS variables; 4 tokens a term."""
    terms = max(1, (n_tokens + 1) // 4)
    text = "+".join(f"x{rng.randrange(N_VARS)}*x{rng.randrange(N_VARS)}" for _ in range(terms))
    return text, 4 * terms - 1


def deep(n_tokens: int, rng: random.Random) -> tuple[str, int]:
    """((x0+tanh(x4*x9))+tanh(x1*x7))…: N/9 levels of nested parentheses; 9 tokens a level.

    The chain from the output down to x0 has local derivatives of exactly 1, so no
    gradient underflows to 0 on the way (a zero gradient would let backward skip nodes).
    """
    levels = max(1, (n_tokens - 1) // 9)
    tail = "".join(f"+tanh(x{rng.randrange(N_VARS)}*x{rng.randrange(N_VARS)}))" for _ in range(levels))
    return "(" * levels + "x0" + tail, 1 + 9 * levels


def gradcli_phases(text: str, repeats: int) -> dict:
    """Median seconds of parse (gradcli.compile), forward and backward, as Program.grad runs them."""
    import gradcli
    from gradcli.passes.floats import floats as passes

    parse_t, fwd_t, bwd_t = [], [], []
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        program = gradcli.compile(text)
        t1 = time.perf_counter()
        g = program.graph
        bindings = {name: 0.5 + int(name[1:]) % 10 / 20 for name in g.inputs}
        with passes.no_gc():
            t2 = time.perf_counter()
            vals = passes.forward(g, bindings)
            t3 = time.perf_counter()
            passes.backward(g, vals)
            t4 = time.perf_counter()
        parse_t.append(t1 - t0)
        fwd_t.append(t3 - t2)
        bwd_t.append(t4 - t3)
        nodes = len(g)
        del program, g, vals
    med = statistics.median
    return {"nodes": nodes, "parse_s": med(parse_t), "forward_s": med(fwd_t), "backward_s": med(bwd_t),
            "total_s": med(parse_t) + med(fwd_t) + med(bwd_t), "runs": repeats}


def sympy_case(text: str, limit: float, env: dict, workdir: str) -> dict:
    """SymPy's parse + diff by every variable, in a subprocess so a hang or a crash stays there."""
    path = os.path.join(workdir, "expr.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    try:  # a few seconds on top of the limit for Python and `import sympy`
        done = subprocess.run([PY, str(PEERS / "sympy_scale.py"), path], capture_output=True,
                              text=True, env=env, timeout=limit + 5)
    except subprocess.TimeoutExpired:
        return {"status": "timeout"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"status": "fails", "error": f"exit {done.returncode}"}
    info = json.loads(lines[-1])
    if "error" in info:
        return {"status": "fails", "error": info["error"]}
    total = info["parse"] + info["diff"]
    if total > limit:
        return {"status": "timeout"}
    return {"status": "ok", "total_s": total, **info}


def bench_scale(sizes: list[int], repeats_for, limit: float, env: dict) -> list[dict]:
    rng = random.Random(2)
    gradcli_phases(wide(200, rng)[0] + "+" + deep(200, rng)[0], 1)  # load the parser, compile the rules
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for shape, make in (("wide", wide), ("deep", deep)):
            sympy_gave_up = None
            for n in sizes:
                text, tokens = make(n, random.Random(n))
                row = {"shape": shape, "size": n, "tokens": tokens, **gradcli_phases(text, repeats_for(n))}
                if importlib.util.find_spec("sympy") is None:
                    row["sympy"] = {"status": "n/a"}
                elif sympy_gave_up and (sympy_gave_up == "timeout" or n > 10**4):  # failing fast is cheap
                    row["sympy"] = {"status": "not run", "after": sympy_gave_up}
                else:
                    row["sympy"] = sympy_case(text, limit, env, workdir)
                    if row["sympy"]["status"] != "ok":
                        sympy_gave_up = row["sympy"]["status"]
                s = row["sympy"]
                if s["status"] == "ok":
                    row["speedup"], row["speedup_is_bound"] = s["total_s"] / row["total_s"], False
                elif s["status"] == "timeout":
                    row["speedup"], row["speedup_is_bound"] = limit / row["total_s"], True  # SymPy took longer
                rows.append(row)
                print(f"  … {shape} 10^{len(str(n)) - 1}: gradcli {row['total_s']:.3f} s, SymPy {s['status']}",
                      file=sys.stderr, flush=True)
                del text
    return rows


def print_scale(rows: list[dict], limit: float) -> None:
    print(f"\n(b) SCALE: through the Python API, median of `runs`; parse, fwd, bwd in µs per graph node; "
          f"SymPy = parse_expr + diff by every variable, one run, limit {limit:g} s")
    print(f"  {'shape':5} {'tokens':>9} {'nodes':>9} {'parse':>6} {'fwd':>5} {'bwd':>5} "
          f"{'µs/token':>8} {'total s':>8} {'runs':>4}  {'SymPy s':>22} {'speed-up':>8}")
    for r in rows:
        n = r["nodes"]
        per = {k: r[k] / n * 1e6 for k in ("parse_s", "forward_s", "backward_s")}
        s = r["sympy"]
        sym = s["status"]
        if sym == "ok":
            sym = f"{s['total_s']:.3f}"
        elif sym == "fails":
            sym = f"fails: {s['error']}"
        speed = f"{'>' if r['speedup_is_bound'] else ''}{r['speedup']:.0f}×" if "speedup" in r else "-"
        print(f"  {r['shape']:5} {r['tokens']:9,} {n:9,} {per['parse_s']:6.2f} {per['forward_s']:5.2f} "
              f"{per['backward_s']:5.2f} {r['total_s'] / r['tokens'] * 1e6:8.2f} {r['total_s']:8.3f} "
              f"{r['runs']:4}  {sym:>22} {speed:>8}")


# -- targets ----------------------------------------------------------------------

def targets(startup: list[dict], scale: list[dict]) -> list[dict]:
    by = {r["what"]: r for r in startup}
    out = []

    def check(what, value, goal, ok, shown):
        out.append({"target": what, "value": value, "goal": goal, "met": ok, "shown": shown})

    for label, goal in (("gradcli grad … --json", JSON_TARGET), ("gradcli grad … (Rich table)", HUMAN_TARGET),
                        ("gradcli --help", HELP_TARGET), ("gradcli train --help", HELP_TARGET)):
        r = by[label]
        if r["status"] == "ok":
            ratio = r["ratio"]
            check(f"{label} ≤ {goal:g}× python -c pass", ratio, goal, ratio <= goal, f"{ratio:.2f}×")
    for r in scale:
        if r["size"] == 10**6:
            check(f"{r['shape']} 10^6 tokens: parse+forward+backward < {BIG_TARGET_S:g} s", r["total_s"],
                  BIG_TARGET_S, r["total_s"] < BIG_TARGET_S, f"{r['total_s']:.2f} s")
        if r["size"] == 10**4:
            if "speedup" not in r:  # SymPy failed or did not run: no ratio to judge
                s = r["sympy"]
                check(f"{r['shape']} 10^4 tokens: ≥ {SYMPY_TARGET:g}× faster than SymPy", None, SYMPY_TARGET,
                      None, f"SymPy {s['status']}" + (f" ({s['error']})" if "error" in s else ""))
                continue
            bound = r["speedup_is_bound"]  # a lower bound can prove the target, never disprove it
            met = r["speedup"] >= SYMPY_TARGET or (None if bound else False)
            what = f"{r['shape']} 10^4 tokens: ≥ {SYMPY_TARGET:g}× faster than SymPy"
            check(what, r["speedup"], SYMPY_TARGET, met, f"{'>' if bound else ''}{r['speedup']:.0f}×")
    return out


def print_targets(rows: list[dict]) -> None:
    print("\nTARGETS (start-up: issue 9; scale: issue 2)")
    for t in rows:
        verdict = {True: "met", False: "MISSED", None: "no ratio"}[t["met"]]
        print(f"  {verdict:9} {t['shown']:>12}  {t['target']}")


def machine(as_is: bool) -> dict:
    import gradcli

    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "load_before": load, "gradcli": gradcli.__version__, "gradcli_command": gradcli_command(),
            "bytecode": "as the environment says" if as_is else "private .pyc cache for child processes",
            "date": time.strftime("%Y-%m-%d %H:%M:%S")}


def peak_memory_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats, sizes 10^3 and 10^4 only")
    ap.add_argument("--json", metavar="FILE", help="also write every number to FILE")
    ap.add_argument("--sympy-timeout", type=float, metavar="S", help="per-case limit for SymPy (60; quick 10)")
    ap.add_argument("--env-as-is", action="store_true",
                    help="children inherit the environment unchanged (e.g. PYTHONDONTWRITEBYTECODE=1)")
    ap.add_argument("--this-env", action="store_true",
                    help="time start-up in this environment, not in a fresh venv with `pip install .`")
    opts = ap.parse_args()
    quick = opts.quick
    repeats, warmup, probes = (5, 1, 3) if quick else (40, 3, 9)
    sizes = [10**3, 10**4] if quick else [10**3, 10**4, 10**5, 10**6]
    limit = opts.sympy_timeout or (10.0 if quick else 60.0)

    def repeats_for(n):
        return 1 if quick and n > 10**3 else {10**3: 7, 10**4: 5, 10**5: 3}.get(n, 1)

    with tempfile.TemporaryDirectory(prefix="gradcli-bench-pyc-") as pycache, \
            tempfile.TemporaryDirectory(prefix="gradcli-bench-venv-") as venv_dir:
        env = child_env(opts.env_as_is, pycache)
        info = machine(opts.env_as_is)
        print(f"gradcli {info['gradcli']} core benchmark, {info['date']}: Python {info['python']} on "
              f"{info['platform']}, {info['cpus']} CPUs, load average before {info['load_before']}")
        print(f"  command: {' '.join(info['gradcli_command'])}; bytecode: {info['bytecode']}"
              f"{'; QUICK run' if quick else ''}")
        installed = None if opts.this_env else fresh_install(venv_dir)
        if installed is not None:  # as installed: pip's own .pyc files, nothing from this checkout
            start_py, start_cli = installed
            start_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPYCACHEPREFIX", "PYTHONPATH")}
            where = "a fresh venv with a non-editable `pip install .`"
        else:
            start_py, start_cli, start_env = PY, gradcli_command(), env
            where = "this environment" + ("" if opts.this_env else " (the fresh install failed)")
        info["startup_in"] = where
        startup = bench_startup(repeats, warmup, start_env, start_py, start_cli)
        print_startup(startup, repeats, where)
        scale = bench_scale(sizes, repeats_for, limit, env)
        print_scale(scale, limit)
        peak_mb = peak_memory_mb()
        print(f"  peak memory of this process (the largest case): {peak_mb:,.0f} MB")
        breakdown = bench_breakdown(probes, start_env, start_py)
        print_breakdown(breakdown)
    goals = targets(startup, scale)
    print_targets(goals)
    if opts.json:
        with open(opts.json, "w", encoding="utf-8") as f:
            json.dump({"machine": info, "startup": startup, "scale": scale, "breakdown": breakdown, "peak_mb": peak_mb,
                       "targets": goals, "quick": quick}, f, indent=2)
        print(f"\nnumbers saved to {opts.json}")


if __name__ == "__main__":
    main()
