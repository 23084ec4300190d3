"""Gradient formulas (`grad --symbolic`) against SymPy, and their round trip through the grammar.

The oracle is SymPy's `diff` of the program written from the functions'
definitions (tests/formula_oracle.py). Every printed formula is read back
twice: by gradcli's own parser and forward pass (the round trip) and by the
SymPy bridge, and both must give SymPy's derivative.
"""

from __future__ import annotations

import math
import random

import pytest
import sympy as sp

import gradcli
from formula_oracle import close, random_point, random_program, symbol, to_sympy, value_at
from gradcli.ops import table as O
from gradcli.errors import GradNameError
from gradcli.symbolic.formulas import gradient_formulas

PIECEWISE = {"relu", "leaky_relu", "abs", "sign", "step", "max", "min"}


def program_for(op: O.Op) -> str:
    if op is O.ALIAS:
        return "q = x\nq * y"
    if op.form == "infix":
        return f"x {op.symbol} y"
    if op.form == "prefix":
        return f"{op.symbol}x"
    return f"{op.name}(x)" if op.arity == 1 else f"{op.name}(x, y)"


OPERATIONS = [op for op in O.ALL_OPS if op not in (O.INPUT, O.CONST)]


def round_trip(formulas, name: str, point: dict) -> float:
    """The formula for name, parsed and run by gradcli itself."""
    program = gradcli.compile(formulas.program(name))
    return program.evaluate({n: point[n] for n in program.inputs}).value


def check_formulas(text: str, point: dict, rel: float = 1e-9) -> None:
    f = gradient_formulas(text)
    expr = to_sympy(text)
    for name in gradcli.compile(text).inputs:
        want = value_at(sp.diff(expr, symbol(name)), point)
        assert want == want, f"bad test point for {text} at {point}"
        by_gradcli = round_trip(f, name, point)
        by_sympy = value_at(to_sympy(f.program(name)), point)
        assert close(by_gradcli, want, rel), (text, name, f.program(name), by_gradcli, want)
        assert close(by_sympy, want, rel), (text, name, f.program(name), by_sympy, want)


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: f"{op.name}/{op.arity}")
def test_every_operation_matches_sympy(op):
    rng = random.Random(op.name)
    text = program_for(op)
    for _ in range(4):
        point = {"x": rng.uniform(0.15, 0.85), "y": rng.uniform(0.15, 0.85)}
        check_formulas(text, point)
        if op.name in PIECEWISE or op.form != "call" and op is not O.POW:
            check_formulas(text, {"x": -point["x"], "y": point["y"]})


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.name not in PIECEWISE],
                         ids=lambda op: f"{op.name}/{op.arity}")
def test_every_smooth_operation_simplifies_to_sympy(op):
    """simplify(formula - diff) == 0: the formula is the derivative, not just close to it."""
    text = program_for(op)
    f = gradient_formulas(text)
    expr = to_sympy(text)
    for name in gradcli.compile(text).inputs:
        diff = to_sympy(f.program(name)) - sp.diff(expr, symbol(name))
        assert sp.simplify(diff.rewrite(sp.exp)) == 0, (text, name, f.text[name])


@pytest.mark.parametrize("seed", range(40))
def test_random_programs_match_sympy(seed):
    rng = random.Random(seed)
    text = random_program(rng, statements=rng.randint(3, 9))
    for _ in range(3):
        check_formulas(text, random_point(rng), rel=1e-8)


@pytest.mark.parametrize("seed", range(12))
def test_random_rational_programs_simplify_to_sympy(seed):
    rng = random.Random(1000 + seed)
    text = random_program(rng, statements=rng.randint(2, 5), variables=("x", "y"), polynomial=True)
    f = gradient_formulas(text)
    expr = to_sympy(text)
    for name in ("x", "y"):
        diff = to_sympy(f.program(name)) - sp.diff(expr, symbol(name))
        assert sp.cancel(sp.together(diff)) == 0, (text, name, f.program(name))


# -- what a person reads (expected texts derived by hand) ---------------------------------

@pytest.mark.parametrize("text, name, formula", [
    ("x^2", "x", "2*x"),
    ("x^2 * sin(y)", "x", "2*x*sin(y)"),
    ("x^2 * sin(y)", "y", "x^2*cos(y)"),
    ("(-x^2)", "x", "-2*x"),
    ("x*1 + 0*y + y^1 - --x", "x", "0"),
    ("x + x + x", "x", "3"),
    ("x*x*x", "x", "3*x^2"),
    ("x/3", "x", "1/3"),
    ("1/x", "x", "-1/x^2"),
    ("sqrt(x)", "x", "1/(2*sqrt(x))"),
    ("exp(2*x)", "x", "2*exp(2*x)"),
    ("(x+y)*z", "z", "x + y"),
    ("p = x + y; g = p * z", "x", "z"),
    ("sin(x)^2 + cos(x)^2", "x", "0"),
    ("relu(x)", "x", "step(x)"),
    ("abs(x)", "x", "sign(x)"),
    ("leaky_relu(x)", "x", "0.99*step(x) + 0.01"),      # constants last
    ("atan(x)", "x", "1/(x^2 + 1)"),
    ("asin(x)", "x", "1/sqrt(1 - x^2)"),
    ("2^x", "x", "2^x*log(2)"),
])
def test_readable_forms(text, name, formula):
    assert gradient_formulas(text).text[name] == formula


@pytest.mark.parametrize("text, printed", [
    ("x - (y - z)", "x - (y - z)"),
    ("(x - y) - z", "x - y - z"),
    ("x + (y - z)", "x + y - z"),
    ("x/(y*z)", "x/(y*z)"),
    ("(x/y)*z", "x/y*z"),
    ("x*(y + z)", "x*(y + z)"),
    ("-(x^2)", "-x^2"),
    ("(-x)^2", "(-x)^2"),
    ("x^(y^z)", "x^y^z"),
    ("(x^y)^z", "(x^y)^z"),
    ("x^-y", "x^-y"),
    ("x^(-y)", "x^-y"),
    ("x - (-y)", "x - -y"),
    ("-(x*y)", "-(x*y)"),
    ("(x*y)^2", "(x*y)^2"),
    ("sin(x + y)^(1/3)", "sin(x + y)^(1/3)"),
    ("(2/3)^x", "(2/3)^x"),
    ("x*(-2)", "x*-2"),
])
def test_fewest_parentheses(text, printed):
    """The printer alone (no simplification): each program printed back with the parentheses it needs."""
    from gradcli.language.expr import from_graph
    from gradcli.symbolic.printing import TextStyle, name_nodes, render
    from gradcli.language.parse import parse

    g = parse(text)
    e, where = from_graph(g)
    root = where[g.output]
    assert render(name_nodes(e, {0: root}, set()), TextStyle(), root) == printed
    a, b = gradcli.compile(text), gradcli.compile(printed)
    point = {"x": 1.3, "y": 0.7, "z": 2.1}
    assert a.evaluate({n: point[n] for n in a.inputs}).value == pytest.approx(
        b.evaluate({n: point[n] for n in b.inputs}).value, rel=1e-15)


def test_pow_masks_are_noted_and_constant_exponents_need_none():
    f = gradient_formulas("x^y")
    assert f.text == {"x": "y*x^(y - 1)", "y": "x^y*log(x)"}
    assert any("y = 0" in n for n in f.notes) and any("x = 0 and y ≥ 0" in n for n in f.notes)
    assert gradient_formulas("x^2").notes == []


def test_kink_notes_come_from_the_table():
    assert gradient_formulas("relu(x) + abs(x)").notes == [O.FUNCTIONS["abs"][1].kink_note,
                                                         O.FUNCTIONS["relu"][1].kink_note]


def test_wrt_an_assigned_name_is_its_own_gradient():
    # p and q are equal expressions; ∂out/∂p is q = x + y, not the adjoint of both.
    f = gradient_formulas("p = x + y; q = x + y; out = p * q", wrt=["p", "x"])
    assert f.text["p"] == "x + y"
    point = {"x": 0.5, "y": 1.25}
    assert round_trip(f, "x", point) == pytest.approx(2 * (0.5 + 1.25))


def test_unknown_wrt_is_a_name_error():
    with pytest.raises(GradNameError):
        gradient_formulas("x*y", wrt=["w"])


# -- shared subexpressions and size ------------------------------------------------------

def test_shared_nodes_are_named_not_copied():
    """A chain of 40 squarings: as a tree the formula would have 2^40 leaves."""
    lines = ["a0 = sin(x) + x"] + [f"a{k} = cos(a{k - 1}) * a{k - 1} + x" for k in range(1, 41)]
    text = "\n".join(lines)
    f = gradient_formulas(text)
    program = f.program("x")
    assert len(program) < 200 * 41
    a, da = math.sin(0.3) + 0.3, math.cos(0.3) + 1          # the chain rule by hand
    for _ in range(40):
        a, da = math.cos(a) * a + 0.3, (math.cos(a) - math.sin(a) * a) * da + 1
    assert round_trip(f, "x", {"x": 0.3}) == pytest.approx(da, rel=1e-9)
    # the definitions take the program's own names where they can
    assert any(name.startswith("a") for name in f.definitions)


def test_ten_thousand_deep_nesting():
    depth = 10_000
    text = "sin(" * depth + "x" + ")" * depth
    f = gradient_formulas(text)
    s, want = 0.5, 1.0                       # d/dx sin(sin(...)) = Π cos(inner), by hand
    for _ in range(depth):
        s, want = math.sin(s), want * math.cos(s)
    assert round_trip(f, "x", {"x": 0.5}) == pytest.approx(want, rel=1e-9)


def test_ten_thousand_term_sum():
    text = " + ".join(f"x^{k % 7 + 1}*y" for k in range(10_000))
    f = gradient_formulas(text)
    # like terms gathered: 10,000 terms of 7 kinds become 7 (hand count: 1429 of k=0..2, 1428 else)
    assert f.text["y"].count("+") == 6
    want = sum((k % 7 + 1) * 0.9 ** (k % 7) * 1.1 for k in range(10_000))
    assert round_trip(f, "x", {"x": 0.9, "y": 1.1}) == pytest.approx(want, rel=1e-9)
