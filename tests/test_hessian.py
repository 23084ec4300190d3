"""Second derivatives (`gradcli hessian`) against sympy.hessian and hand derivations."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest
import sympy as sp

from conftest import assert_clean_error
from formula_oracle import close, random_point, random_program, symbol, to_sympy, value_at
from gradcli.symbolic.hessian import hessian, hessian_graph

ISSUE = "x^3 + 2*x^2*y - 3*y"


def test_issue_example_json(cli):
    run = cli("hessian", ISSUE, "-x", "1", "-y", "2", "--json")
    assert run.exit_code == 0, run.stderr
    # by hand: f_xx = 6x + 4y, f_xy = 4x, f_yy = 0
    assert run.json == {"expression": ISSUE, "inputs": {"x": 1.0, "y": 2.0}, "value": -1.0,
                        "hessian": {"x": {"x": 14.0, "y": 4.0}, "y": {"x": 4.0, "y": 0.0}}}
    assert run.stdout.count("\n") == 1


def test_issue_example_table(cli):
    run = cli("hessian", ISSUE, "-x", "1", "-y", "2")
    assert run.exit_code == 0
    rows = [line.split() for line in run.stdout.splitlines()]
    assert ["x", "14", "4"] in rows and ["y", "4", "0"] in rows
    assert "\x1b[" not in run.stdout          # no colour codes in a pipe


@pytest.mark.parametrize("seed", range(25))
def test_random_programs_match_sympy_hessian(seed):
    rng = random.Random(3000 + seed)
    names = ("x", "y", "z")
    text = random_program(rng, statements=rng.randint(3, 8), variables=names)
    expr = to_sympy(text)
    want = sp.hessian(expr, [symbol(n) for n in names])
    for _ in range(2):
        point = random_point(rng, names)
        got = hessian(text, point).matrix
        for i, x in enumerate(names):
            for j, y in enumerate(names):
                w = value_at(want[i, j], point)
                assert close(got[x][y], w, rel=1e-7, abs_=1e-8), (text, point, x, y, got[x][y], w)


@pytest.mark.parametrize("seed", range(10))
def test_random_rational_programs_exact_hessian(seed):
    rng = random.Random(4000 + seed)
    text = random_program(rng, statements=rng.randint(2, 5), variables=("x", "y"), polynomial=True)
    point = {"x": Fraction(rng.randint(-9, 9), rng.randint(1, 5)),
             "y": Fraction(rng.randint(-9, 9), rng.randint(1, 5))}
    h = hessian(text, {n: str(v) for n, v in point.items()}, exact=True)
    want = sp.hessian(to_sympy(text), [symbol("x"), symbol("y")])
    subs = {symbol(n): sp.Rational(v.numerator, v.denominator) for n, v in point.items()}
    for i, x in enumerate("xy"):
        for j, y in enumerate("xy"):
            w = sp.nsimplify(want[i, j].subs(subs))
            assert h.exact["matrix"][x][y] == Fraction(int(w.p), int(w.q)), (text, x, y)


def test_symmetric_by_construction():
    hg = hessian_graph("sin(x*y) + x^2*z/y + exp(z - x)")
    for x in hg.names:
        for y in hg.names:
            assert hg.matrix[x][y] == hg.matrix[y][x]          # the same node


def test_wrt_selects_and_orders(cli):
    run = cli("hessian", "x^2*y^3 + z", "-x", "2", "-y", "1", "-z", "5", "--wrt", "y,x", "--json")
    # by hand: f_yy = 6x^2 y = 24, f_yx = 6x y^2 = 12, f_xx = 2y^3 = 2
    assert run.json["hessian"] == {"y": {"y": 24.0, "x": 12.0}, "x": {"y": 12.0, "x": 2.0}}
    assert list(run.json["hessian"]) == ["y", "x"]


def test_exact_hessian_json(cli):
    run = cli("hessian", "(x+y)/(x*y)", "-x", "1/3", "-y", "2", "--exact", "--json")
    # (x+y)/(xy) = 1/y + 1/x: f_xx = 2/x^3 = 54, f_xy = 0, f_yy = 2/y^3 = 1/4
    assert run.json["exact"] == {"inputs": {"x": "1/3", "y": "2"}, "value": "7/2",
                                 "hessian": {"x": {"x": "54", "y": "0"}, "y": {"x": "0", "y": "1/4"}}}
    assert run.json["hessian"] == {"x": {"x": 54.0, "y": 0.0}, "y": {"x": 0.0, "y": 0.25}}


@pytest.mark.parametrize("text, x, want", [
    ("relu(x)^2", -1.0, 0.0),          # relu'' = step' = 0; (relu^2)'' = 2·step^2 = 0 left of 0
    ("relu(x)^2", 1.5, 2.0),
    ("abs(x)*x", 2.0, 2.0),            # (x|x|)'' = 2·sign(x)
    ("abs(x)*x", 0.0, 0.0),            # sign(0) = 0: abs'(0) = 0 (PyTorch)
    ("max(x, 1)^2", 1.0, 0.5),         # a tie: m' = (1 + sign(0))/2 = 1/2, so 2·m'^2 + 2·m·0
    ("leaky_relu(x)^2", -2.0, 2e-4),   # 2·0.01^2
])
def test_kinks_follow_the_first_derivative_conventions(text, x, want):
    assert hessian(text, x=x).matrix["x"]["x"] == pytest.approx(want, abs=1e-15)


def test_ten_thousand_deep_nesting():
    depth = 10_000
    text = "sin(" * depth + "x" + ")" * depth
    s, d1, d2 = 0.5, 1.0, 0.0        # value, first and second derivative of the chain, by hand
    for _ in range(depth):
        s, d1, d2 = math.sin(s), math.cos(s) * d1, -math.sin(s) * d1 ** 2 + math.cos(s) * d2
    assert hessian(text, x=0.5).matrix["x"]["x"] == pytest.approx(d2, rel=1e-9)


def test_symbolic_hessian(cli):
    run = cli("hessian", ISSUE, "--symbolic", "--json")
    assert run.json["formulas"]["x"]["y"] == run.json["formulas"]["y"]["x"] == "4*x"
    assert run.json["formulas"]["y"]["y"] == "0"
    assert "value" not in run.json
    human = cli("hessian", ISSUE, "--symbolic")
    assert "∂²/∂x∂y = 4*x" in human.stdout and "∂²/∂y² = 0" in human.stdout
    latex = cli("hessian", ISSUE, "--latex")
    assert r"\frac{\partial^{2} f}{\partial x \, \partial y} = 4 \cdot x" in latex.stdout


@pytest.mark.parametrize("args, code, kind, fragments", [
    (("p = x*y; p^2", "-x", "1", "-y", "2", "--wrt", "p"), 2, "name", ["'p' is assigned"]),
    (("x*y", "-x", "1", "-y", "2", "--wrt", "w"), 2, "name", ["'w'"]),
    (("x*y", "-x", "1"), 2, "name", ["no value for variable 'y'"]),
    (("sqrt(x)", "-x", "0"), 3, "math", ["∂²/∂x²", "not finite"]),
    (("log(x)", "-x", "-1"), 3, "math", ["log needs a positive number"]),
    (("sin(x)", "-x", "1", "--exact"), 2, "value", ["not a rational number"]),
])
def test_hessian_errors(cli, args, code, kind, fragments):
    run = cli("hessian", *args)
    assert_clean_error(run, code, *fragments)
    assert cli("hessian", *args, "--json").json["error"]["kind"] == kind


def test_help_has_an_example(cli):
    run = cli("hessian", "--help")
    assert run.exit_code == 0 and "gradcli hessian" in run.stdout
