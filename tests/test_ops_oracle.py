"""Every operation and function of SPEC §1 against SymPy's exact derivatives.

Each case is a tiny program, the same function written in SymPy from its
mathematical definition (SPEC §1's table), and points to try. At each point the
input is turned into the exact rational it stands for, SymPy's `diff` and
`evalf(50)` give the exact value and partial derivatives, and gradcli's doubles
must equal them rounded to a double, within a relative 1e-12: a few ulps,
room for the two or three roundings of a rule such as `1 / (a * log(10))`.

At the kinks SymPy's conventions differ from PyTorch's (it has Heaviside(0) =
1/2 where PyTorch's relu has 0), so the expected derivatives there are written
by hand from SPEC §1 and PyTorch's backward formulas, with the reason beside
each one.
"""

from __future__ import annotations

import math

import pytest
import sympy as sp
from sympy.core.evalf import PrecisionExhausted

import gradcli
from gradcli.errors import GradMathError

X, Y = sp.symbols("x y", real=True)
SYMBOLS = {"x": X, "y": Y}

SMALLEST_NORMAL = 2.2250738585072014e-308
SMALLEST_SUBNORMAL = 5e-324
DIGITS = 50


def evaluate_exactly(expr, values: dict, digits: int = DIGITS):
    """expr with each SymPy symbol in `values` set to the exact number its double holds.

    None when the result is not a finite real number (complex, infinite, undefined).
    """
    # Floats of 80 digits hold a double's binary value exactly (and, unlike Rationals,
    # never make SymPy factor 2^52-sized numerators in x^y). Substituted inside evalf,
    # which works at whatever precision it needs; strict: SymPy raises rather than
    # return digits lost to cancellation (1 - tanh(1000)^2 needs ~870 digits, hence maxn).
    subs = {sym: sp.Float(v, 80) for sym, v in values.items()}
    try:
        value = sp.sympify(expr).evalf(digits, subs=subs, maxn=4000, strict=True)
    except (PrecisionExhausted, ZeroDivisionError):  # an exact 0 somewhere (1 - x^2 at x = 1)
        value = sp.N(sp.sympify(expr).subs(subs), digits)  # 80-digit arithmetic; 1/0 is zoo
    if value.has(sp.zoo, sp.oo, -sp.oo, sp.nan, sp.I):
        return None
    if not value.is_number or not value.is_real:
        return None
    return value


def exact(expr, point: dict[str, float]):
    """expr at point (names of x and y), exactly; None when not a finite real number."""
    return evaluate_exactly(expr, {SYMBOLS[name]: v for name, v in point.items()})


def assert_matches(got: float, value, rel: float = 1e-12, what: str = "") -> None:
    """got equals the exact value rounded to a double: relative `rel` for normal
    numbers; below the normal range (where a double has fewer digits) within a
    few units of the smallest subnormal."""
    want = float(value)  # mpmath rounds to the nearest double
    assert math.isfinite(want), (what, value)
    assert isinstance(got, float) and math.isfinite(got), (what, got)
    if abs(want) >= SMALLEST_NORMAL:
        assert got == pytest.approx(want, rel=rel, abs=0), (what, got, want)
    else:
        assert abs(got - want) <= 4 * SMALLEST_SUBNORMAL, (what, got, want)


def check_against_sympy(text: str, expr, point: dict[str, float], rel: float = 1e-12) -> None:
    """gradcli's value and every partial derivative of `text` equal SymPy's for `expr`."""
    result = gradcli.grad(text, point)
    value = exact(expr, point)
    assert value is not None, f"bad test point: {text} at {point} is not finite in SymPy"
    assert_matches(result.value, value, rel, f"value of {text} at {point}")
    assert set(result.gradient) == set(point)
    for name in point:
        d = exact(sp.diff(expr, SYMBOLS[name]), point)
        assert d is not None, f"bad test point: d/d{name} of {text} at {point} is not finite"
        assert_matches(result.gradient[name], d, rel, f"d/d{name} of {text} at {point}")


# -- the definitions of SPEC §1, in SymPy --------------------------------------------------

def sigmoid(u):
    return 1 / (1 + sp.exp(-u))


def softplus(u):
    return sp.log(1 + sp.exp(u))


def leaky_relu(u, slope=sp.Rational(1, 100)):
    return sp.Piecewise((u, u > 0), (slope * u, True))


def step(u):
    return sp.Piecewise((1, u > 0), (0, True))


# (program, SymPy expression, points). Kinks are left to the hand-written table below.
UNARY = [
    ("exp(x)", sp.exp(X), [-745.0, -3.5, 0.0, 1.0, 20.0, 709.5]),
    ("log(x)", sp.log(X), [1e-300, 0.001, 1.0, 2.5, 1e300]),
    ("ln(x)", sp.log(X), [0.001, 2.5]),
    ("log2(x)", sp.log(X, 2), [1e-300, 0.125, 3.0, 1e308]),
    ("log10(x)", sp.log(X, 10), [1e-300, 0.125, 3.0, 1e300, 1e308]),
    ("sqrt(x)", sp.sqrt(X), [1e-300, 0.25, 2.0, 1e300]),
    ("sin(x)", sp.sin(X), [-2.0, 0.0, 0.5, math.pi / 2, math.pi, 100.0]),
    ("cos(x)", sp.cos(X), [-2.0, 0.0, 0.5, math.pi / 2, math.pi, 100.0]),
    ("tan(x)", sp.tan(X), [-1.0, 0.0, 0.5, math.pi / 2, 1.5]),
    ("asin(x)", sp.asin(X), [-0.99, -0.5, 0.0, 0.3, 0.9]),
    ("acos(x)", sp.acos(X), [-0.99, -0.5, 0.0, 0.3, 0.9]),
    # Not beyond 1.3e154: there a^2 in the rule 1/(1 + a^2) overflows and the subnormal
    # derivative flushes to 0, a limit the README states (the rule stays exact in the
    # ordinary range, where a form without overflow would lose an ulp).
    ("atan(x)", sp.atan(X), [-1e3, -1.0, 0.0, 0.5, 2.0, 1e100, 1e150]),
    ("sinh(x)", sp.sinh(X), [-3.0, 0.0, 0.7, 710.0]),
    ("cosh(x)", sp.cosh(X), [-710.0, -3.0, 0.0, 0.7]),
    ("tanh(x)", sp.tanh(X), [-1000.0, -20.0, -0.5, 0.0, 0.3, 20.0, 1000.0]),
    ("sech(x)", sp.sech(X), [-1000.0, -2.0, 0.0, 0.5, 1000.0]),
    ("sigmoid(x)", sigmoid(X), [-1000.0, -745.0, -30.0, -1.0, 0.0, 2.0, 30.0, 1000.0]),
    ("softplus(x)", softplus(X), [-1000.0, -30.0, -1.0, 0.0, 2.0, 30.0, 1000.0]),
    ("relu(x)", sp.Max(0, X), [-2.0, 1e-300, 3.0]),
    ("leaky_relu(x)", leaky_relu(X), [-2.0, -1e-300, 3.0]),
    ("abs(x)", sp.Abs(X), [-2.0, 1e-300, 3.0]),
    ("sign(x)", sp.sign(X), [-2.0, 3.0]),
    ("step(x)", step(X), [-2.0, 3.0]),
    ("-x", -X, [-2.0, 0.0, 3.5]),
    ("+x", X, [-2.0, 3.5]),
    ("- -x", X, [-2.0, 3.5]),
]

BINARY = [
    ("x + y", X + Y, [(1.5, -2.25), (1e300, 1e300), (0.1, 0.2)]),
    ("x - y", X - Y, [(1.5, -2.25), (0.3, 0.1)]),
    ("x * y", X * Y, [(1.5, -2.25), (1e-200, 1e100)]),
    ("x / y", X / Y, [(1.0, 3.0), (-2.5, 0.1), (1e-300, 1e10)]),
    ("x ^ y", X ** Y, [(2.0, 3.0), (2.0, 0.5), (0.5, -2.0), (3.0, 0.0), (10.0, 300.0), (1e-3, 2.5)]),
    ("x ** y", X ** Y, [(2.0, 3.0), (0.5, -2.0)]),
    ("pow(x, y)", X ** Y, [(2.0, 3.0), (0.5, -2.0)]),
    # Any slope, also a large one: the slope of x itself is 1 where x > 0, whatever a is.
    ("leaky_relu(x, y)", leaky_relu(X, Y), [(-2.0, 0.2), (3.0, 0.2), (-1.5, 3.0), (2.0, -0.5),
                                            (2.0, 1e17), (-2.0, 1e17), (2.0, 0.7)]),
    ("max(x, y)", sp.Max(X, Y), [(1.0, 2.0), (2.0, 1.0), (-3.0, -2.5), (1e308, -1e308)]),
    ("min(x, y)", sp.Min(X, Y), [(1.0, 2.0), (2.0, 1.0), (-3.0, -2.5), (1e308, -1e308)]),
]

# A power with a constant exponent takes any base where the real result exists.
CONST_EXPONENT = [
    ("x^3", X ** 3, [-2.0, 0.5, 0.0]),
    ("x^2", X ** 2, [-3.0, 0.0]),
    ("x^-1", 1 / X, [-4.0, 0.5]),
    ("x^0.5", sp.sqrt(X), [0.25, 2.0]),
    ("2^x", 2 ** X, [-3.0, 0.5, 10.0]),
]


@pytest.mark.parametrize(("text", "expr", "x"), [
    pytest.param(text, expr, x, id=f"{text}@{x!r}") for text, expr, xs in UNARY + CONST_EXPONENT for x in xs
])
def test_unary_against_sympy(text, expr, x):
    check_against_sympy(text, expr, {"x": x})


@pytest.mark.parametrize(("text", "expr", "x", "y"), [
    pytest.param(text, expr, x, y, id=f"{text}@{x!r},{y!r}") for text, expr, pts in BINARY for x, y in pts
])
def test_binary_against_sympy(text, expr, x, y):
    check_against_sympy(text, expr, {"x": x, "y": y})


# -- saturation: SPEC §1 says these are exact, gradients too -------------------------------

@pytest.mark.parametrize(("text", "x", "value", "slope"), [
    # sigmoid(1000) = 1/(1+e^-1000) rounds to 1; its slope e^-1000/(1+e^-1000)^2 ~ 5e-435 to 0.
    ("sigmoid(x)", 1000.0, 1.0, 0.0),
    ("sigmoid(x)", -1000.0, 0.0, 0.0),
    # softplus(1000) = 1000 + log1p(e^-1000) rounds to 1000; slope sigmoid(1000) to 1.
    ("softplus(x)", 1000.0, 1000.0, 1.0),
    ("softplus(x)", -1000.0, 0.0, 0.0),
    # tanh(±1000) rounds to ±1; slope sech(1000)^2 ~ 4e-869 to 0.
    ("tanh(x)", 1000.0, 1.0, 0.0),
    ("tanh(x)", -1000.0, -1.0, 0.0),
])
def test_saturation_is_exact(text, x, value, slope):
    r = gradcli.grad(text, x=x)
    assert r.value == value and r.gradient == {"x": slope}


def test_sigmoid_slope_is_exact_where_one_minus_sigmoid_cancels():
    # σ'(30) = σ(30)·σ(-30); the naive σ(1-σ) loses ~3 digits here (1 - 0.9999999999999064).
    r = gradcli.grad("sigmoid(x)", x=30.0)
    want = sp.N(sp.exp(-30) / (1 + sp.exp(-30)) ** 2, DIGITS)
    assert_matches(r.gradient["x"], want)


# -- kinks: PyTorch's conventions (SPEC §1), derived by hand -------------------------------

KINKS = [
    # relu(x) = max(0, x); torch's relu backward is grad * (x > 0): 0 at x = 0.
    ("relu(x)", {"x": 0.0}, 0.0, {"x": 0.0}),
    # abs backward is grad * sign(x); sign(0) = 0.
    ("abs(x)", {"x": 0.0}, 0.0, {"x": 0.0}),
    # leaky_relu backward is grad where x > 0 else grad * slope: the slope 0.01 at 0.
    ("leaky_relu(x)", {"x": 0.0}, 0.0, {"x": 0.01}),
    # With an explicit slope a: ∂/∂x = a at 0; ∂/∂a = x where x < 0, else 0 (SPEC §1).
    ("leaky_relu(x, y)", {"x": 0.0, "y": 0.2}, 0.0, {"x": 0.2, "y": 0.0}),
    ("leaky_relu(x, y)", {"x": -3.0, "y": 0.2}, 0.2 * -3.0, {"x": 0.2, "y": -3.0}),
    # sign and step are flat everywhere; their derivative at 0 is taken as 0.
    ("sign(x)", {"x": 0.0}, 0.0, {"x": 0.0}),
    ("step(x)", {"x": 0.0}, 0.0, {"x": 0.0}),
    # torch.maximum / torch.minimum split the gradient evenly on a tie.
    ("max(x, y)", {"x": 1.5, "y": 1.5}, 1.5, {"x": 0.5, "y": 0.5}),
    ("min(x, y)", {"x": -1.5, "y": -1.5}, -1.5, {"x": 0.5, "y": 0.5}),
    # A shared variable on both sides: the two halves sum to the slope 1 of max(x, x) = x.
    ("max(x, x)", {"x": 2.0}, 2.0, {"x": 1.0}),
    ("min(x, x)", {"x": 2.0}, 2.0, {"x": 1.0}),
    ("max(x, 0)", {"x": 0.0}, 0.0, {"x": 0.5}),
    # pow at base 0 (torch's pow_backward): ∂/∂a = b·a^(b-1), masked to 0 where b = 0;
    # ∂/∂b = log(a)·a^b, masked to 0 where a = 0 and b >= 0.
    ("x ^ y", {"x": 0.0, "y": 2.0}, 0.0, {"x": 0.0, "y": 0.0}),
    ("x ^ y", {"x": 0.0, "y": 1.0}, 0.0, {"x": 1.0, "y": 0.0}),
    ("x ^ y", {"x": 0.0, "y": 0.0}, 1.0, {"x": 0.0, "y": 0.0}),
    ("x ^ 0", {"x": 0.0}, 1.0, {"x": 0.0}),
    ("x ^ 0", {"x": -2.0}, 1.0, {"x": 0.0}),
    ("pow(x, y)", {"x": 0.0, "y": 3.0}, 0.0, {"x": 0.0, "y": 0.0}),
]


@pytest.mark.parametrize(("text", "point", "value", "gradient"), [
    pytest.param(*case, id=f"{case[0]}@{case[1]}") for case in KINKS
])
def test_kink_conventions(text, point, value, gradient):
    r = gradcli.grad(text, point)
    assert r.value == value
    assert r.gradient == gradient


# -- where SymPy says the answer is not a finite real number: a math error ------------------

VALUE_ERRORS = [
    ("log(x)", sp.log(X), 0.0), ("log(x)", sp.log(X), -1.0), ("ln(x)", sp.log(X), -2.0),
    ("log2(x)", sp.log(X, 2), 0.0), ("log10(x)", sp.log(X, 10), -1.0),
    ("sqrt(x)", sp.sqrt(X), -1.0), ("asin(x)", sp.asin(X), 1.5), ("acos(x)", sp.acos(X), -2.0),
    ("1 / x", 1 / X, 0.0), ("x ^ -1", 1 / X, 0.0), ("x ^ 0.5", sp.sqrt(X), -4.0),
    ("x ^ (1/3)", X ** sp.Rational(1, 3), -8.0),
]

OVERFLOWS = [
    ("exp(x)", sp.exp(X), 710.0), ("sinh(x)", sp.sinh(X), 711.0), ("cosh(x)", sp.cosh(X), -711.0),
    ("x ^ 2", X ** 2, 1e200), ("x * x", X ** 2, 1e200), ("x + x", 2 * X, 1e308),
    ("1 / x", 1 / X, 1e-310),
]


@pytest.mark.parametrize(("text", "expr", "x"), [
    pytest.param(*case, id=f"{case[0]}@{case[2]!r}") for case in VALUE_ERRORS
])
def test_no_real_value_is_a_math_error(text, expr, x):
    assert exact(expr, {"x": x}) is None  # the oracle agrees there is no real value
    with pytest.raises(GradMathError):
        gradcli.evaluate(text, x=x)


@pytest.mark.parametrize(("text", "expr", "x"), [
    pytest.param(*case, id=f"{case[0]}@{case[2]!r}") for case in OVERFLOWS
])
def test_overflow_is_a_math_error(text, expr, x):
    assert abs(exact(expr, {"x": x})) > sp.Float(1.7976931348623157e308)
    with pytest.raises(GradMathError):
        gradcli.evaluate(text, x=x)


GRADIENT_ERRORS = [
    # The value exists; a derivative is infinite or not real (SPEC §4: a math error).
    ("sqrt(x)", {"x": 0.0}, sp.sqrt(X), "x"),
    ("asin(x)", {"x": 1.0}, sp.asin(X), "x"),
    ("acos(x)", {"x": -1.0}, sp.acos(X), "x"),
    ("log(x)", {"x": 5e-324}, sp.log(X), "x"),
    ("x ^ 0.5", {"x": 0.0}, sp.sqrt(X), "x"),
    # (-2)^3 is -8, but ∂/∂y of x^y there is (-8)·log(-2): not real.
    ("x ^ y", {"x": -2.0, "y": 3.0}, X ** Y, "y"),
]


@pytest.mark.parametrize(("text", "point", "expr", "name"), [
    pytest.param(*case, id=f"{case[0]}@{case[1]}") for case in GRADIENT_ERRORS
])
def test_non_finite_gradient_is_a_math_error(text, point, expr, name):
    assert exact(expr, point) is not None  # the value itself is fine
    d = exact(sp.diff(expr, SYMBOLS[name]), point)
    assert d is None or abs(d) > sp.Float(1.7976931348623157e308)
    gradcli.evaluate(text, point)  # the forward pass alone succeeds
    with pytest.raises(GradMathError):
        gradcli.grad(text, point)


def test_every_function_of_the_spec_is_covered():
    """The cases above name every function in the SPEC §1 table, and the extras."""
    spec = {"exp", "log", "ln", "log2", "log10", "sqrt", "sin", "cos", "tan", "asin", "acos",
            "atan", "sinh", "cosh", "tanh", "sigmoid", "relu", "leaky_relu", "softplus", "abs",
            "max", "min", "pow", "sign", "step", "sech"}
    texts = " ".join(t for t, *_ in UNARY + BINARY + KINKS)
    assert all(f"{name}(" in texts for name in spec)
    from gradcli.ops.table import FUNCTIONS

    assert spec <= set(FUNCTIONS)
