"""Exact mode (`--exact`): fractions all the way, checked against SymPy's rationals."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
import sympy as sp

from conftest import assert_clean_error
from formula_oracle import random_program, symbol, to_sympy
from gradcli.errors import GradMathError, GradValueError
from gradcli.symbolic.exact import exact_evaluate, exact_grad

# micrograd's test_more_ops, in gradcli's language (a name is assigned once, so c, d, g get twins).
MICROGRAD = """
c = a + b
d = a*b + b^3
c2 = c + c + 1
c3 = c2 + 1 + c2 + (-a)
d2 = d + d*2 + relu(b + a)
d3 = d2 + 3*d2 + relu(b - a)
e1 = c3 - d3
f = e1^2
g = f/2.0
g2 = g + 10.0/f
"""


def sympy_exact(text: str, point: dict[str, Fraction]):
    """Value and gradient from SymPy, with every input an exact Rational."""
    expr = to_sympy(text)
    subs = {symbol(n): sp.Rational(v.numerator, v.denominator) for n, v in point.items()}
    value = expr.subs(subs)
    grads = {n: sp.diff(expr, symbol(n)).subs(subs) for n in point}
    return value, grads


def as_fraction(r) -> Fraction:
    r = sp.nsimplify(r)
    assert r.is_Rational, r
    return Fraction(int(r.p), int(r.q))


def test_micrograd_more_ops():
    r = exact_grad(MICROGRAD, a=-4, b=2)
    # the numbers micrograd's test states (it checks them against PyTorch)
    assert r.value == Fraction(2421, 98)
    assert r.gradient == {"a": Fraction(47620, 343), "b": Fraction(221433, 343)}
    value, grads = sympy_exact(MICROGRAD, {"a": Fraction(-4), "b": Fraction(2)})
    assert r.value == as_fraction(value)
    assert r.gradient == {n: as_fraction(g) for n, g in grads.items()}


def test_micrograd_through_the_cli(cli):
    run = cli("grad", "-", "-a", "-4", "-b", "2", "--exact", "--json", input=MICROGRAD)
    assert run.exit_code == 0, run.stderr
    assert run.json["exact"] == {"inputs": {"a": "-4", "b": "2"}, "value": "2421/98",
                                 "gradient": {"a": "47620/343", "b": "221433/343"}}
    assert run.json["value"] == pytest.approx(2421 / 98, rel=1e-15)
    assert run.json["gradient"] == {"a": pytest.approx(47620 / 343, rel=1e-15),
                                    "b": pytest.approx(221433 / 343, rel=1e-15)}


def test_the_issue_example(cli):
    run = cli("grad", "(x+y)/(x*y)", "-x", "1/3", "-y", "2", "--exact", "--json")
    assert run.json == {"expression": "(x+y)/(x*y)", "inputs": {"x": 1 / 3, "y": 2.0}, "value": 3.5,
                        "gradient": {"x": -9.0, "y": -0.25},
                        "exact": {"inputs": {"x": "1/3", "y": "2"}, "value": "7/2",
                                  "gradient": {"x": "-9", "y": "-1/4"}}}
    human = cli("grad", "(x+y)/(x*y)", "-x", "1/3", "-y", "2", "--exact")
    assert human.exit_code == 0
    assert "7/2" in human.stdout and "-1/4" in human.stdout and "1/3" in human.stdout


@pytest.mark.parametrize("seed", range(15))
def test_random_rational_programs_equal_sympy_exactly(seed):
    rng = random.Random(2000 + seed)
    text = random_program(rng, statements=rng.randint(2, 6), variables=("x", "y"), polynomial=True)
    point = {"x": Fraction(rng.randint(-9, 9), rng.randint(1, 7)),
             "y": Fraction(rng.randint(-9, 9), rng.randint(1, 7))}
    r = exact_grad(text, {n: str(v) for n, v in point.items()})
    value, grads = sympy_exact(text, point)
    assert r.value == as_fraction(value)
    assert r.gradient == {n: as_fraction(grads[n]) for n in r.gradient}


@pytest.mark.parametrize("text, values, value, gradient", [
    ("sqrt(x)", {"x": "9/4"}, Fraction(3, 2), {"x": Fraction(1, 3)}),       # 1/(2·3/2)
    ("x^0.5", {"x": 4}, Fraction(2), {"x": Fraction(1, 4)}),                # 0.5·4^-0.5
    ("x^(1/3)", {"x": "8/27"}, Fraction(2, 3), {"x": Fraction(3, 4)}),      # (1/3)(8/27)^(-2/3)
    ("x^-2", {"x": "2/3"}, Fraction(9, 4), {"x": Fraction(-27, 4)}),        # -2(2/3)^-3
    ("x^2", {"x": -3}, Fraction(9), {"x": Fraction(-6)}),                   # no log(-3)·out made
    ("x^y", {"x": 2, "y": 3}, Fraction(8), None),
    ("relu(x)", {"x": 0}, Fraction(0), {"x": Fraction(0)}),                 # relu'(0) = 0
    ("abs(x)", {"x": 0}, Fraction(0), {"x": Fraction(0)}),
    ("max(x, y)", {"x": 1, "y": 1}, Fraction(1), {"x": Fraction(1, 2), "y": Fraction(1, 2)}),
    ("max(sqrt(x), 5)", {"x": 0}, Fraction(5), {"x": Fraction(0)}),        # no 0·∞
    ("x^y", {"x": 0, "y": 2}, Fraction(0), {"x": Fraction(0), "y": Fraction(0)}),  # PyTorch masks
    ("leaky_relu(x)", {"x": "-1/2"}, Fraction(-1, 200), {"x": Fraction(1, 100)}),
    ("exp(x) + sigmoid(x)", {"x": 0}, Fraction(3, 2), {"x": Fraction(5, 4)}),  # 1 + σ(0)σ(-0)
    ("log2(x) + log10(y)", {"x": "1/8", "y": 1000}, Fraction(0), {"x": None, "y": None}),
])
def test_exact_cases_by_hand(text, values, value, gradient):
    if gradient is None or None in gradient.values():
        assert exact_evaluate(text, values).value == value
        return
    r = exact_grad(text, values)
    assert r.value == value
    assert r.gradient == gradient


def test_only_the_asked_gradient_is_computed():
    # ∂/∂y of x^y is log(x)·x^y: irrational at x = 2; asking for x alone never makes it.
    assert exact_grad("x^y", x=2, y=3, wrt=["x"]).gradient == {"x": Fraction(12)}   # 3·2^2
    with pytest.raises(GradValueError, match="gradient with respect to 'y'.*log"):
        exact_grad("x^y", x=2, y=3)


@pytest.mark.parametrize("value, expected", [
    ("2421/98", Fraction(2421, 98)), ("0.1", Fraction(1, 10)), ("1e-3", Fraction(1, 1000)),
    ("2^-3", Fraction(1, 8)), ("-7/2", Fraction(-7, 2)), ("0.1000000000000000055511151231257827",
                                                          Fraction("0.1000000000000000055511151231257827")),
])
def test_values_are_read_exactly(value, expected):
    assert exact_evaluate("x", x=value).value == expected


@pytest.mark.parametrize("args, kind, fragments", [
    (("sin(x)", "-x", "1"), "value", ["exact mode", "sin(1) is not a rational number", "drop --exact"]),
    (("x^0.5", "-x", "2"), "value", ["not a rational number", "2^(1/2)"]),
    (("x + pi",  "-x", "1"), "value", ["pi is not a rational number"]),
    (("x^2", "-x", "pi/4"), "value", ["the value of 'x'", "not a rational number"]),
    (("x^2", "-x", "abc"), "value", ["the value of 'x'"]),
    (("x^y", "-x", "2", "-y", "3"), "value", ["gradient with respect to 'y'", "log(2)"]),
    (("1/x", "-x", "0"), "math", ["'1/x' cannot be computed"]),
    (("sqrt(x)", "-x", "0"), "math", ["gradient with respect to 'x'", "division by zero"]),
    (("x^1000000", "-x", "3"), "math", ["'x^1000000'"]),
    (("x", "-x", "1", "--batch", "points.csv"), "usage", ["do not combine with --batch"]),
    (("x", "-x", "1", "--check"), "usage", ["do not combine with --check"]),
])
def test_exact_errors(cli, args, kind, fragments):
    run = cli("grad", *args, "--exact")
    assert_clean_error(run, 3 if kind == "math" else 2, *fragments)
    as_json = cli("grad", *args, "--exact", "--json")
    assert as_json.json["error"]["kind"] == kind


def test_exact_errors_have_the_right_kinds():
    with pytest.raises(GradValueError):
        exact_grad("exp(x)", x=1)
    with pytest.raises(GradMathError):
        exact_grad("sqrt(x)", x=0)


def test_exact_assigned_name_with_wrt(cli):
    run = cli("grad", "p = x*y; out = p^2", "-x", "1/2", "-y", "3", "--exact", "--wrt", "p", "--json")
    assert run.json["exact"]["gradient"] == {"p": "3"}        # 2p = 2·(3/2)
    human = cli("grad", "p = x*y; out = p^2", "-x", "1/2", "-y", "3", "--exact", "--wrt", "p")
    assert "3/2" in human.stdout                              # p's own value in the table
