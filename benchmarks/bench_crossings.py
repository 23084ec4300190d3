"""Wire crossings in `trace --svg` pictures: the column ordering before and after.

    python benchmarks/bench_crossings.py            # a few seconds
    python benchmarks/bench_crossings.py --random 40

Crossings are counted geometrically, on the drawn wires' polylines
(gradcli.views.svg.wire_crossings), for Mazur's 2-2-2 network ("A Step by
Step Backpropagation Example"; also with --sigmoid-gates), the CS231n
sigmoid neuron, CS231n's staged computation (examples/cs231n_staged.gc: sigy, num,
sigx, xpy, xpysqr, den, invden, f at x = 3, y = -4) and random programs of 30-60
nodes (seeded, so every run draws the same ones). "before" is the ordering gradcli had
before issue 9 (8 barycentre sweeps, inputs free to move), kept below as a frozen copy;
"after" is gradcli.views.layout's; "program" is where both start, every column in
program order. "anneal" (with --anneal; a minute) is the drawn crossings of the best order
that simulated annealing finds (12 seeded runs) with the inputs in program order, the
layout's guarantee: a reference for how far "after" is from what these columns allow (not
a proof of the fewest). Times are draw()'s, in milliseconds.
"""

from __future__ import annotations

import argparse
import math
import random
from pathlib import Path
import statistics
import time

from gradcli.language.sigmoid_gates import expand_sigmoid
from gradcli.program.program import Program
from gradcli.program.trace import trace
from gradcli.views import svg as svg_view

MAZUR = """h1 = sigmoid(w1*i1 + w2*i2 + b1)
h2 = sigmoid(w3*i1 + w4*i2 + b1)
o1 = sigmoid(w5*h1 + w6*h2 + b2)
o2 = sigmoid(w7*h1 + w8*h2 + b2)
E = 0.5*(t1 - o1)^2 + 0.5*(t2 - o2)^2"""
MAZUR_VALUES = dict(i1=.05, i2=.10, w1=.15, w2=.20, w3=.25, w4=.30, w5=.40, w6=.45, w7=.50,
                    w8=.55, b1=.35, b2=.60, t1=.01, t2=.99)
CS231N = "1/(1+exp(-(w0*x0+w1*x1+w2)))"
CS231N_VALUES = dict(w0=2, x0=-1, w1=-3, x1=-2, w2=-3)
STAGED = (Path(__file__).resolve().parent.parent / "examples" / "cs231n_staged.gc").read_text()
STAGED_VALUES = dict(x=3, y=-4)

UNARY = ["exp", "sin", "tanh", "sigmoid", "relu"]


def random_program(rng: random.Random, statements: int) -> str:
    """Statements over a, b, c, d and the names before them, each a unary or binary op."""
    names = ["a", "b", "c", "d"]
    lines = []
    for k in range(statements):
        if rng.random() < 0.3:
            rhs = f"{rng.choice(UNARY)}({rng.choice(names)})"
        else:
            rhs = f"{rng.choice(names)} {rng.choice('+-*')} {rng.choice(names)}"
        names.append(f"v{k}")
        lines.append(f"v{k} = {rhs}")
    # every name feeds the output, so nothing is dead and the picture is one graph
    return "; ".join(lines) + "; out = " + " + ".join(names[4:][-3:])


def random_cases(count: int, seed: int = 12):
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        p = Program(random_program(rng, rng.randint(10, 45)))
        if 30 <= len(p.graph) <= 60:
            out.append(p)
    return out


def program_order(items) -> list[list[int]]:
    """Every column in program order, no sweeps: where both orderings start."""
    depth = max(it.layer for it in items) + 1
    order = [[] for _ in range(depth)]
    for k, it in enumerate(items):
        order[it.layer].append(k)
    for col in order:
        col.sort(key=lambda k: items[k].key)
    return order


def _crossings(order, items, L) -> int:
    """Frozen copy of the old layout._crossings."""
    pos = {it: k for k, it in enumerate(order[L + 1])}
    segs = [(a_pos, pos[b] + off / 1000) for a_pos, a in enumerate(order[L])
            for b, off in items[a].outs]
    return sum(1 for s in range(len(segs)) for t in range(s)
               if (segs[s][0] - segs[t][0]) * (segs[s][1] - segs[t][1]) < 0)


def baseline_order_columns(items) -> list[list[int]]:
    """The ordering as it was before this benchmark (frozen copy of layout.order_columns)."""
    depth = max(it.layer for it in items) + 1
    order = [[] for _ in range(depth)]
    for k, it in enumerate(items):
        order[it.layer].append(k)
    for col in order:
        col.sort(key=lambda k: items[k].key)
    if len(items) > 600:
        return order

    def total(o):
        return sum(_crossings(o, items, L) for L in range(depth - 1))

    best, best_count = [c[:] for c in order], total(order)
    for sweep in range(8):
        down = sweep % 2 == 0
        for L in (range(1, depth) if down else range(depth - 2, -1, -1)):
            near = order[L - 1] if down else order[L + 1]
            pos = {it: k for k, it in enumerate(near)}
            here = {it: k for k, it in enumerate(order[L])}

            def barycentre(k):
                links = items[k].ins if down else items[k].outs
                if not links:
                    return here[k]
                return sum(pos[o] + off / 100 for o, off in links) / len(links)

            order[L].sort(key=barycentre)
        count = total(order)
        if count < best_count:
            best, best_count = [c[:] for c in order], count
    return best


def measure(t, ordering) -> tuple[int, float]:
    """Crossings of the drawn picture and the seconds draw() took, with this ordering."""
    current = svg_view.order_columns
    svg_view.order_columns = ordering
    try:
        start = time.perf_counter()
        pic = svg_view.draw(t)
        seconds = time.perf_counter() - start
    finally:
        svg_view.order_columns = current
    return svg_view.wire_crossings(pic), seconds


def anneal(t, runs: int = 12, moves: int = 20000) -> int:
    """The drawn crossings of the best order simulated annealing finds over the orders of
    every column but the inputs' (seeded; counted between columns while it searches)."""
    from gradcli.views import layout

    _, items, _ = layout.build(t, None)
    start = program_order(items)
    depth = len(start)

    def total(o):
        return sum(layout._crossings(o, items, L) for L in range(depth - 1))

    rng = random.Random(0)
    movable = [L for L in range(1, depth) if len(start[L]) > 1]
    best, best_order = total(start), [col[:] for col in start]
    for _ in range(runs if movable else 0):
        order = [start[0][:]] + [rng.sample(col, len(col)) for col in start[1:]]
        count, heat = total(order), 3.0
        for _ in range(moves):
            col = order[rng.choice(movable)]
            i, j = rng.sample(range(len(col)), 2)
            col.insert(j, col.pop(i))
            new = total(order)
            if new <= count or rng.random() < math.exp((count - new) / heat):
                count = new
                if count < best:
                    best, best_order = count, [c[:] for c in order]
            else:
                col.insert(i, col.pop(j))
            heat = max(0.05, heat * 0.9997)
    return measure(t, lambda _: best_order)[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--random", type=int, default=20, help="how many random programs (30-60 nodes)")
    ap.add_argument("--anneal", action="store_true",
                    help="also anneal for the fewest crossings with the inputs in program order "
                         "(the named graphs only; a minute)")
    args = ap.parse_args()
    rows = [("Mazur 2-2-2 network", trace(MAZUR, MAZUR_VALUES)),
            ("CS231n sigmoid neuron", trace(CS231N, CS231N_VALUES)),
            ("Mazur, --sigmoid-gates", trace(expand_sigmoid(MAZUR), MAZUR_VALUES)),
            ("CS231n staged example", trace(STAGED, STAGED_VALUES))]
    named = len(rows)
    rows += [(f"random #{k + 1}", trace(p, {n: 0.5 for n in p.inputs}))
             for k, p in enumerate(random_cases(args.random))]
    print(f"{'graph':<24} {'nodes':>5} {'program':>8} {'before':>7} {'after':>6} "
          f"{'ms before':>10} {'ms after':>9}" + (f" {'anneal':>6}" if args.anneal else ""))
    befores, afters = [], []
    for k, (name, t) in enumerate(rows):
        p, _ = measure(t, program_order)
        b, tb = measure(t, baseline_order_columns)
        a, ta = measure(t, svg_view.order_columns)
        befores.append(b)
        afters.append(a)
        low = f" {anneal(t):>6}" if args.anneal and k < named else ""
        print(f"{name:<24} {len(t.nodes):>5} {p:>8} {b:>7} {a:>6} {tb * 1000:>10.1f} "
              f"{ta * 1000:>9.1f}{low}")
    rand_b, rand_a = befores[named:], afters[named:]
    if rand_b:
        print(f"{'random: total':<24} {'':>5} {'':>8} {sum(rand_b):>7} {sum(rand_a):>6}")
        print(f"{'random: median':<24} {'':>5} {'':>8} {statistics.median(rand_b):>7g} "
              f"{statistics.median(rand_a):>6g}")
        print(f"random programs where after < before: {sum(a < b for a, b in zip(rand_a, rand_b))}, "
              f"equal: {sum(a == b for a, b in zip(rand_a, rand_b))}, "
              f"worse: {sum(a > b for a, b in zip(rand_a, rand_b))}")


if __name__ == "__main__":
    main()
