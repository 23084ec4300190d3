"""The picture's column order: inputs in program order, fewer crossings, deterministic.

Crossings are counted on the drawn wires (svg.wire_crossings), whose counting is
first checked on hand-made wires. benchmarks/bench_crossings.py prints the
before/after table; here only what must hold every time is asserted.
"""

from __future__ import annotations

import os
import subprocess
import sys

from hypothesis import HealthCheck, given, settings

from gradcli.program.program import Program
from gradcli.program.trace import trace
from gradcli.views import svg as svg_view
from gradcli.views.svg import Path, Picture, draw, wire_crossings
from test_trace_pictures import graphs

MAZUR = """h1 = sigmoid(w1*i1 + w2*i2 + b1)
h2 = sigmoid(w3*i1 + w4*i2 + b1)
o1 = sigmoid(w5*h1 + w6*h2 + b2)
o2 = sigmoid(w7*h1 + w8*h2 + b2)
E = 0.5*(t1 - o1)^2 + 0.5*(t2 - o2)^2"""
MAZUR_VALUES = dict(i1=.05, i2=.10, w1=.15, w2=.20, w3=.25, w4=.30, w5=.40, w6=.45, w7=.50,
                    w8=.55, b1=.35, b2=.60, t1=.01, t2=.99)


def picture(*paths) -> Picture:
    return Picture(100, 100, [], list(paths), [], "")


def test_counting_crossings_on_hand_made_wires():
    a = Path((0, 0), [("L", 10, 10)])
    b = Path((0, 10), [("L", 10, 0)])
    assert wire_crossings(picture(a, b)) == 1                     # an X
    assert wire_crossings(picture(a, Path((0, 5), [("L", 10, 15)]))) == 0   # parallel
    fork = Path((0, 0), [("L", 5, 0), ("L", 10, -10)])              # one source, two ways
    assert wire_crossings(picture(Path((0, 0), [("L", 5, 0), ("L", 10, 10)]), fork)) == 0
    zigzag = Path((0, 5), [("L", 4, -5), ("L", 8, 15)])            # crosses a twice
    assert wire_crossings(picture(Path((0, 2), [("L", 10, 2)]), zigzag)) == 2
    # two curves that swap heights between columns, as the layout draws them: one crossing
    c1, c2 = Path((0, 0)), Path((0, 40))
    c1.curve_to(50, 40)
    c2.curve_to(50, 0)
    assert wire_crossings(picture(c1, c2)) == 1


def input_order_on_the_picture(t) -> list[str]:
    pic = draw(t)
    shapes = [s for s in pic.shapes if t.nodes[s.node].op.name == "input"]
    return [t.nodes[s.node].label for s in sorted(shapes, key=lambda s: s.cy)]


def test_mazur_inputs_stay_in_program_order():
    t = trace(MAZUR, MAZUR_VALUES)
    assert input_order_on_the_picture(t) == Program(MAZUR).inputs
    assert Program(MAZUR).inputs[:5] == ["w1", "i1", "w2", "i2", "b1"]   # first use


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_random_programs_inputs_stay_in_program_order(text):
    p = Program(text)
    t = trace(p, {name: 0.5 for name in p.inputs})
    assert input_order_on_the_picture(t) == p.inputs


def program_order(items):
    """The columns in program order, with no sweeps: what the ordering starts from."""
    depth = max(it.layer for it in items) + 1
    order = [[] for _ in range(depth)]
    for k, it in enumerate(items):
        order[it.layer].append(k)
    for col in order:
        col.sort(key=lambda k: items[k].key)
    return order


def crossings_with(t, ordering) -> int:
    current = svg_view.order_columns
    svg_view.order_columns = ordering
    try:
        return wire_crossings(draw(t))
    finally:
        svg_view.order_columns = current


def test_the_ordering_removes_crossings_on_mazur():
    t = trace(MAZUR, MAZUR_VALUES)
    before, after = crossings_with(t, program_order), wire_crossings(draw(t))
    assert after < before


def test_the_ordering_never_adds_crossings_overall():
    import random

    rng = random.Random(5)
    before = after = 0
    for _ in range(12):
        names, lines = ["a", "b", "c", "d"], []
        for k in range(rng.randint(10, 25)):
            rhs = (f"{rng.choice(['exp', 'sin', 'relu'])}({rng.choice(names)})" if rng.random() < .3
                   else f"{rng.choice(names)} {rng.choice('+-*')} {rng.choice(names)}")
            names.append(f"v{k}")
            lines.append(f"v{k} = {rhs}")
        p = Program("; ".join(lines))
        t = trace(p, {n: 0.5 for n in p.inputs})
        before += crossings_with(t, program_order)
        after += wire_crossings(draw(t))
    assert after < before


def test_the_layout_is_the_same_in_every_process():
    script = ("import sys; sys.path.insert(0, %r)\n"
              "from test_layout_crossings import MAZUR, MAZUR_VALUES\n"
              "from gradcli.program.trace import trace\n"
              "from gradcli.views.svg import svg\n"
              "sys.stdout.write(svg(trace(MAZUR, MAZUR_VALUES)))\n") % os.path.dirname(__file__)
    outs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             env=env, timeout=120)
        assert run.returncode == 0, run.stderr
        outs.append(run.stdout)
    assert outs[0] == outs[1] and outs[0].startswith("<svg")
