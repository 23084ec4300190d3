"""The JSON of `grad`/`hessian` with --symbolic and --exact comes from result objects.

Formulas.to_json gives the --symbolic keys (a Hessian's as a full matrix) and
FormulaAnswer.to_json the whole answer, with the fractions last; the commands
only print it. Numbers are checked against SymPy and hand-worked fractions.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
import sympy as sp
from conftest import run_cli

import gradcli
from gradcli.symbolic.exact import exact_grad
from gradcli.symbolic.formulas import FormulaAnswer, gradient_formulas, format_roots, reserved_names
from gradcli.symbolic.hessian import hessian, hessian_graph

X, Y = sp.symbols("x y", real=True)
POINT = {"x": 0.7, "y": -1.3}


def value_of(formula: str, definitions: dict[str, str]) -> float:
    """A formula of the JSON, run by gradcli with the definitions it may use."""
    lines = [f"{name} = {text}" for name, text in definitions.items()] + [formula]
    return gradcli.evaluate("\n".join(lines), POINT).value


def hessian_formulas(program):
    hg = hessian_graph(program)
    roots = {(x, y): hg.matrix[x][y] for i, x in enumerate(hg.names) for y in hg.names[i:]}
    return hg.names, format_roots(hg.expr, roots, reserved_names(program))


@pytest.mark.parametrize("text, expr", [
    ("sin(x*y) + x^3*y", sp.sin(X * Y) + X**3 * Y),
    ("exp(x*y)^2 / (1 + exp(x*y))", sp.exp(X * Y)**2 / (1 + sp.exp(X * Y))),
])
def test_hessian_formulas_json_is_the_full_matrix_of_second_derivatives(text, expr):
    program = gradcli.compile(text)
    names, formulas = hessian_formulas(program)
    obj = FormulaAnswer(program, None, formulas, names=names).to_json()
    assert obj["expression"] == text
    matrix = obj["formulas"]
    assert list(matrix) == ["x", "y"] and all(list(row) == ["x", "y"] for row in matrix.values())
    at = {X: POINT["x"], Y: POINT["y"]}
    for a, sa in (("x", X), ("y", Y)):
        for b, sb in (("x", X), ("y", Y)):
            want = float(sp.diff(expr, sa, sb).subs(at))
            got = value_of(matrix[a][b], obj.get("definitions", {}))
            assert got == pytest.approx(want, rel=1e-12, abs=1e-12), (a, b)


def test_gradient_formulas_json_keys():
    formulas = gradient_formulas("x^2 * sin(y)")
    obj = formulas.to_json(latex=True)
    assert list(obj) == ["formulas", "latex"]
    for name, sym in (("x", X), ("y", Y)):
        want = float(sp.diff(X**2 * sp.sin(Y), sym).subs({X: POINT["x"], Y: POINT["y"]}))
        assert value_of(obj["formulas"][name], {}) == pytest.approx(want, rel=1e-12)
    assert formulas.to_json() == {"formulas": obj["formulas"]}  # LaTeX only when asked


def test_exact_fractions_come_last_after_the_formulas():
    # (x+y)/(x*y) at x = 1/3, y = 2: value 7/2, ∂/∂x = -1/x^2 = -9, ∂/∂y = -1/y^2 = -1/4.
    program = gradcli.compile("(x+y)/(x*y)")
    answer = FormulaAnswer(program, exact_grad(program, x="1/3", y=2),
                           gradient_formulas(program)).to_json()
    assert list(answer) == ["expression", "inputs", "value", "gradient", "formulas", "exact"]
    assert answer["exact"] == {"inputs": {"x": "1/3", "y": "2"}, "value": "7/2",
                               "gradient": {"x": "-9", "y": "-1/4"}}


def test_hessian_exact_answer_json():
    # x^2*y at x = 1/3, y = 2: value 2/9; ∂²/∂x² = 2y = 4, ∂²/∂x∂y = 2x = 2/3, ∂²/∂y² = 0.
    program = gradcli.compile("x^2*y")
    names, formulas = hessian_formulas(program)
    answer = FormulaAnswer(program, hessian(program, x="1/3", y=2, exact=True), formulas,
                           latex=True, names=names).to_json()
    assert list(answer)[-1] == "exact"
    assert answer["exact"]["hessian"] == {"x": {"x": "4", "y": "2/3"}, "y": {"x": "2/3", "y": "0"}}
    assert answer["formulas"]["y"]["x"] == answer["formulas"]["x"]["y"]
    assert answer["latex"]["y"]["x"] == answer["latex"]["x"]["y"]


def test_the_commands_print_the_answer_objects_json():
    run = run_cli("hessian", "x^2*y", "-x", "1/3", "-y", "2", "--exact", "--symbolic", "--json")
    program = gradcli.compile("x^2*y")
    names, formulas = hessian_formulas(program)
    want = FormulaAnswer(program, hessian(program, x="1/3", y=2, exact=True), formulas,
                         names=names).to_json()
    assert json.loads(run.stdout) == want
    run = run_cli("grad", "(x+y)/(x*y)", "-x", "1/3", "-y", "2", "--exact", "--symbolic", "--json")
    assert json.loads(run.stdout)["exact"]["gradient"] == {"x": "-9", "y": "-1/4"}


def test_exact_result_keeps_every_nodes_value():
    # y = x/3; y^2 at x = 1: y = 1/3, and ∂(y^2)/∂y = 2y = 2/3.
    program = gradcli.compile("y = x/3; y^2")
    result = exact_grad(program, x=1, wrt=["y"])
    assert result.values[program.node_of("y")] == Fraction(1, 3)
    assert result.gradient == {"y": Fraction(2, 3)}
    run = run_cli("grad", "y = x/3; y^2", "-x", "1", "--exact", "--wrt", "y")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.split()[-3:] == ["y", "1/3", "2/3"]
