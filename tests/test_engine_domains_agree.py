"""Every domain runs the same passes: one program's gradient in each of them, against SymPy.

The engine's backward pass (engine.backward) in floats, exact fractions,
NumPy rows, formulas (the derivative graph, evaluated) and the training plan
must give SymPy's derivative; the hand-tuned float loop that the one-shot
path keeps (passes.backward) must agree with the generic pass exactly, bit for
bit, on every random program of tests/test_random_expressions.py and on
programs drawn from the grammar itself; forward mode (engine.tangents) gives
the same gradients.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings

import gradcli
from gradcli.passes import floats as passes
from gradcli.passes.arrays import NUMPY, backward_arrays, forward_arrays
from gradcli.passes.domains import FLOATS, RATIONALS
from gradcli.passes.engine import backward, forward, tangents
from gradcli.errors import GradcliError, GradMathError
from gradcli.symbolic.derivative_graph import gradient_graph
from gradcli.passes.evaluate import evaluate
from test_random_expressions import (ERROR_PROGRAMS, PROGRAMS, PROGRAMS_OF_THE_GRAMMAR, SYMBOLS,
                                     assert_close, exact)


def _same(a: float, b: float) -> bool:
    return a == b or (a != a and b != b)


def _generic(g, vals):
    adj = backward(g, vals, FLOATS).adjoints
    return [0.0 if v is None else v for v in adj]


@pytest.mark.parametrize("seed", range(len(PROGRAMS)))
def test_the_fast_float_loop_agrees_exactly_with_the_generic_pass(seed):
    p = PROGRAMS[seed]
    g = gradcli.compile(p.text).graph
    vals = passes.forward(g, p.point)
    assert forward(g, p.point, FLOATS) == vals
    fast, generic = passes.backward(g, vals), _generic(g, vals)
    assert all(_same(a, b) for a, b in zip(fast, generic)), p.text


@pytest.mark.parametrize("seed", range(len(ERROR_PROGRAMS)))
def test_the_generic_forward_pass_names_the_same_math_error(seed):
    p = ERROR_PROGRAMS[seed]
    g = gradcli.compile(p.text).graph
    with pytest.raises(GradMathError) as fast:
        passes.forward(g, p.point)
    with pytest.raises(GradMathError) as generic:
        forward(g, p.point, FLOATS)
    assert generic.value.message == fast.value.message


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(PROGRAMS_OF_THE_GRAMMAR)
def test_the_fast_float_loop_agrees_with_the_generic_pass_on_programs_of_the_grammar(text):
    try:
        g = gradcli.compile(text).graph
        if g.arrays:
            return   # an array program (literal, @, index): the arrays domain, not floats
        vals = passes.forward(g, {name: 0.75 for name in g.inputs})
    except GradcliError:
        return
    fast, generic = passes.backward(g, vals), _generic(g, vals)
    assert all(_same(a, b) for a, b in zip(fast, generic)), text


@pytest.mark.parametrize("seed", range(0, len(PROGRAMS), 3))
def test_floats_rows_formulas_the_plan_and_forward_mode_agree_with_sympy(seed):
    from gradcli.training.engines import ColumnEngine

    p = PROGRAMS[seed]
    g = gradcli.compile(p.text).graph
    grads = {v: exact(sp.diff(p.expr, SYMBOLS[v]), p.point) for v in p.point}
    scale = max([p.largest, 1.0, *(float(abs(d)) for d in grads.values())])
    vals = forward(g, p.point, FLOATS)
    reverse = _generic(g, vals)
    # NumPy rows: the point in row 1 of three (the others shifted a little)
    columns = {v: np.array([x * 1.001, x, x * 0.999]) for v, x in p.point.items()}
    try:
        rows = backward_arrays(g, forward_arrays(g, columns))
    except GradcliError:
        rows = None                  # a shifted row left a domain: only the middle one counts
    # formulas: the derivative graph, evaluated in floats
    gg = gradient_graph(p.text, list(p.point))
    at = evaluate(gg.expr, p.point)
    # the training plan: every variable a parameter, no data
    names = list(g.inputs)
    _, plan = ColumnEngine(g, names, {}, _OneRow(names)).evaluate([p.point[n] for n in names])
    for v, want in grads.items():
        i = g.inputs[v]
        assert_close(reverse[i], want, scale, f"floats d/d{v} of {p.text!r}")
        t, _ = tangents(g, vals, FLOATS, i)
        assert_close(0.0 if t[g.output] is None else t[g.output], want, scale, f"tangents d/d{v}")
        if rows is not None:
            assert_close(float(np.broadcast_to(rows[i], (3,))[1]), want, scale, f"rows d/d{v}")
        assert_close(float(at[gg.nodes[v]]), want, scale, f"formula d/d{v}")
        assert_close(plan[names.index(v)], want, scale, f"plan d/d{v}")


# Programs whose values stay rational, so that the exact domain computes them exactly.
RATIONAL_PROGRAMS = [
    "(x + y) * z",
    "u = x * y - z / x; u * u + relu(u - y) + abs(z) * max(x, y)",
    "x^3 / (1 + y^2) - min(x, z) * 2",
    "h = x / (y - z); h ^ 2 * x + leaky_relu(-h) + sign(y) * x",
]
POINT = {"x": Fraction(3, 2), "y": Fraction(-2, 5), "z": Fraction(7, 4)}


@pytest.mark.parametrize("text", RATIONAL_PROGRAMS)
def test_every_domain_gives_sympys_gradient_of_a_rational_program(text):
    from gradcli.training.engines import ColumnEngine

    g = gradcli.compile(text).graph
    names = list(g.inputs)
    x, y, z = sp.symbols("x y z", real=True)
    expr = _sympy(text, {"x": x, "y": y, "z": z})
    point = {n: POINT[n] for n in names}
    subs = {sp.Symbol(n, real=True): sp.Rational(v.numerator, v.denominator) for n, v in point.items()}
    want = {n: sp.Rational(sp.diff(expr, sp.Symbol(n, real=True)).subs(subs)) for n in names}
    # exact fractions: equal, not close
    vals = forward(g, point, RATIONALS)
    adj = backward(g, vals, RATIONALS, targets=list(g.inputs.values())).adjoints   # no log(a) of a constant exponent
    assert {n: adj[g.inputs[n]] for n in names} == {n: Fraction(int(w.p), int(w.q)) for n, w in want.items()}
    floats = {n: float(v) for n, v in point.items()}
    fvals = forward(g, floats, FLOATS)
    got = {
        "floats": _generic(g, fvals),
        "fast": passes.backward(g, fvals),
        "rows": [float(np.broadcast_to(a, (2,))[0]) for a in
                 backward_arrays(g, forward_arrays(g, {n: np.array([v, v]) for n, v in floats.items()}))],
    }
    gg = gradient_graph(text)
    at = evaluate(gg.expr, floats)
    got["formulas"] = {g.inputs[n]: float(at[gg.nodes[n]]) for n in names}
    fx = evaluate(gg.expr, point, exact=True)
    assert {n: fx[gg.nodes[n]] for n in names} == {n: adj[g.inputs[n]] for n in names}
    # the training plan: every input a parameter, no data (one row)
    plan_engine = ColumnEngine(g, names, {}, _OneRow(names))
    _, plan_grads = plan_engine.evaluate([floats[n] for n in names])
    got["plan"] = {g.inputs[n]: v for n, v in zip(names, plan_grads)}
    for domain, grads in got.items():
        for n in names:
            w = float(want[n])
            assert grads[g.inputs[n]] == pytest.approx(w, rel=1e-12, abs=1e-14), (domain, n, text)


class _OneRow:
    """A data set of one row and no columns (the plan then trains on scalars)."""

    def __init__(self, names):
        self.rows, self.columns = 1, {}


def _sympy(text: str, symbols: dict):
    """The program as a SymPy expression, statement by statement (a test's own small reader)."""
    env = dict(symbols)
    env.update(relu=lambda a: sp.Max(a, 0), abs=sp.Abs, max=sp.Max, min=sp.Min, sign=sp.sign,
               leaky_relu=lambda a: sp.Piecewise((a, a > 0), (a / 100, True)))
    value = None
    for statement in text.split(";"):
        statement = statement.replace("^", "**")
        if "=" in statement:
            name, rhs = statement.split("=")
            env[name.strip()] = value = sp.sympify(rhs, locals=env)
        else:
            value = sp.sympify(statement, locals=env)
    return value
