"""Formulas and Hessians (issue 6): gradcli beside SymPy's `diff` and `hessian`, 10^2 to 10^4 nodes.

    python benchmarks/bench_symbolic.py           # about 10 minutes (SymPy's timeouts dominate)
    python benchmarks/bench_symbolic.py --quick   # up to 10^3 nodes, short timeouts
    python benchmarks/bench_symbolic.py --scaling # towers and long products only (issue 9)

Two families of programs over x, y, z, each at about 30, 10^2, 10^3 and 10^4 graph nodes:

- chain: h_k = tanh(h_{k-1}*x + y*sin(h_{k-1}) + z), a deep recurrence (every
  step uses the one before twice: as a tree it doubles at every step);
- dag:   a seeded random program of assignments reusing earlier names.

Columns (seconds; gradcli in-process, the median of a few runs where quick):

- formula: `formulas.gradient_formulas` (parse, derivative graph, simplify, name
  the shared parts, print) for all three inputs; chars: the length of the
  printed program for ∂/∂x, definitions included;
- hessian: `hessian.hessian` at a point (second-derivative graph and its
  numbers); H formulas: the six Hessian formulas printed;
- SymPy, in a subprocess with a timeout, on the same program (turned into a
  SymPy expression by gradcli's parser and SPEC's definitions, not timed):
  `diff` for x, y, z; diff+str: the same and printing the three results;
  `hessian` of the 3×3 matrix. "> T" means it did not finish in T seconds
  (then it is not tried again on the bigger programs of the family).

A second table (issue 9) shows that `--symbolic` is linear on the programs
that used to make it quadratic: towers x^x^…^x of 500 to 4,000 levels and
products (1 + x/1)*(1 + x/2)*… and x0*x1*… of 250 to 4,000 factors
(`formulas.gradient_formulas`, seconds, one run; chars: all formulas and
definitions printed; s/1000: seconds per 1,000 levels or factors, flat when linear).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SYMPY_SCRIPT = r'''
import json, sys, time
import sympy as sp
from gradcli.language.parse import parse

task, path = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
S = {n: sp.Symbol(n, real=True) for n in "xyz"}
DEF = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
       "div": lambda a, b: a / b, "neg": lambda a: -a, "pow": lambda a, b: a ** b,
       "id": lambda a: a, "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "sin": sp.sin,
       "cos": sp.cos, "tanh": sp.tanh, "atan": sp.atan,
       "sigmoid": lambda a: 1 / (1 + sp.exp(-a)), "softplus": lambda a: sp.log(1 + sp.exp(a))}
g = parse(text)
built = []
for i, op in enumerate(g.ops):
    if op.name == "input":
        built.append(S[g.names[i]])
    elif op.name == "const":
        built.append(sp.Rational(repr(g.consts[i])))
    else:
        built.append(DEF[op.name](*(built[j] for j in g.args[i])))
expr = built[g.output]
start = time.perf_counter()
if task == "diff":
    ds = [sp.diff(expr, S[n]) for n in "xyz"]
elif task == "diff+str":
    ds = [str(sp.diff(expr, S[n])) for n in "xyz"]
else:
    ds = sp.hessian(expr, [S[n] for n in "xyz"])
print(json.dumps({"seconds": time.perf_counter() - start}))
'''


def chain(steps: int) -> str:
    lines = ["h0 = tanh(x*y + z)"]
    lines += [f"h{k} = tanh(h{k - 1}*x + y*sin(h{k - 1}) + z)" for k in range(1, steps)]
    return "\n".join(lines)


def dag(statements: int, seed: int = 6) -> str:
    rng = random.Random(seed)
    unary = ["sin({})", "cos({})", "tanh({})", "sigmoid({})", "atan({})", "exp(sin({}))",
             "log({}^2 + 1)", "sqrt({}^2 + 1)", "softplus({})", "({})^2", "-({})"]
    binary = ["({}) + ({})", "({}) - ({})", "({}) * ({})", "({}) / (({})^2 + 1)"]
    pool, lines, unused = ["x", "y", "z", "2", "0.5"], [], []
    for k in range(statements):
        operands = [rng.choice(pool[-12:] + ["x", "y", "z"]) for _ in range(2)]
        body = (rng.choice(unary).format(operands[0]) if rng.random() < 0.4
                else rng.choice(binary).format(*operands))
        unused = [n for n in unused if n not in operands] + [f"v{k}"]
        lines.append(f"v{k} = {body}")
        pool.append(f"v{k}")
    lines.append("out = " + " + ".join(unused + ["x", "y", "z"]))
    return "\n".join(lines)


def nodes_of(text: str) -> int:
    from gradcli.language.parse import parse

    return len(parse(text))


def sized(family, target: int) -> str:
    """The smallest program of the family with at least `target` nodes."""
    n = 1
    while nodes_of(family(n)) < target:
        n = max(n + 1, int(n * target / nodes_of(family(n))))
    return family(n)


def timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def gradcli_row(text: str, repeats: int) -> dict:
    from gradcli.symbolic.formulas import format_roots, gradient_formulas, reserved_names
    from gradcli.symbolic.hessian import hessian

    point = {"x": 0.3, "y": -0.2, "z": 0.1}
    formula = timed(lambda: gradient_formulas(text), repeats)
    chars = len(gradient_formulas(text).program("x"))
    hess = timed(lambda: hessian(text, point), repeats)
    hg = hessian(text, point).graph

    def hessian_formulas():
        roots = {(a, b): hg.matrix[a][b] for i, a in enumerate(hg.names) for b in hg.names[i:]}
        return format_roots(hg.expr, roots, reserved_names(hg.program))

    return {"formula": formula, "chars": chars, "hessian": hess,
            "hessian_formulas": timed(hessian_formulas, repeats)}


def sympy_time(text: str, task: str, timeout: float) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "program.txt"
        path.write_text(text, encoding="utf-8")
        try:
            run = subprocess.run([sys.executable, "-c", SYMPY_SCRIPT, task, str(path)],
                                 capture_output=True, text=True, timeout=timeout, cwd=ROOT)
        except subprocess.TimeoutExpired:
            return f"> {timeout:g}"
        if run.returncode != 0:
            return "error"
        return f"{json.loads(run.stdout)['seconds']:.3f}"


def tower(n: int) -> str:
    return "^".join(["x"] * n)


def product(n: int) -> str:
    return "*".join(f"(1 + x/{k})" for k in range(1, n + 1))


def inputs_product(n: int) -> str:
    return "*".join(f"x{k}" for k in range(n))


def scaling() -> None:
    from gradcli.symbolic.formulas import gradient_formulas

    head = f"{'family':<16} {'n':>5} | {'formulas s':>10} {'s/1000':>7} {'chars':>8}"
    print(head)
    print("-" * len(head))
    for name, family, sizes in (("x^x^…^x", tower, [500, 1000, 2000, 4000]),
                                ("Π (1 + x/k)", product, [250, 500, 1000, 2000, 4000]),
                                ("x0*x1*…", inputs_product, [250, 500, 1000, 2000, 4000])):
        for n in sizes:
            text = family(n)
            start = time.perf_counter()
            f = gradient_formulas(text)
            seconds = time.perf_counter() - start
            chars = sum(map(len, f.text.values())) + sum(map(len, f.definitions.values()))
            print(f"{name:<16} {n:>5} | {seconds:>10.3f} {1000 * seconds / n:>7.3f} {chars:>8}",
                  flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--scaling", action="store_true", help="only the towers and products")
    opts = parser.parse_args()
    scaling()
    if opts.scaling:
        return
    print()
    sizes = [30, 100, 1000] if opts.quick else [30, 100, 1000, 10_000]   # 30: where SymPy finishes
    timeout = 20.0 if opts.quick else 60.0
    head = (f"{'family':<6} {'nodes':>6} | {'formula':>8} {'chars':>8} {'hessian':>8} {'H formulas':>10}"
            f" | {'sympy diff':>10} {'diff+str':>9} {'hessian':>8}")
    print(head)
    print("-" * len(head))
    for name, family in (("chain", chain), ("dag", dag)):
        gave_up: set[str] = set()      # a task that timed out is not tried on bigger programs
        for target in sizes:
            text = sized(family, target)
            repeats = 3 if target <= 1000 else 1
            if opts.quick and target > 100:
                repeats = 1
            g = gradcli_row(text, repeats)
            s = []
            for task in ("diff", "diff+str", "hessian"):
                s.append(f"> {timeout:g}" if task in gave_up else sympy_time(text, task, timeout))
                if s[-1].startswith(">"):
                    gave_up.add(task)
            print(f"{name:<6} {nodes_of(text):>6} | {g['formula']:>8.3f} {g['chars']:>8} "
                  f"{g['hessian']:>8.3f} {g['hessian_formulas']:>10.3f} | {s[0]:>10} {s[1]:>9} {s[2]:>8}",
                  flush=True)


if __name__ == "__main__":
    main()
