"""A name given to a number is replaced by the number in formulas (issue 9, item 13).

`grad "z = 0.1; b - w + x*z" --symbolic` printed ∂/∂x = z and never said what z
is. Now a named constant is its number (and folds like one: z = 2; z*x^2 gives
4*x), so every formula is a complete program over the inputs; pi and e stay
names. The oracle is SymPy's derivative of the program.
"""

from __future__ import annotations

import json

import pytest
import sympy as sp

import gradcli
from formula_oracle import symbol, to_sympy
from gradcli.symbolic.exact import exact_grad
from gradcli.symbolic.formulas import gradient_formulas

CASES = ["z = 0.1; b - w + x*z", "z = 2; z*x^2", "k = 3; m = 0.5; k*x^2 + m*y",
         "z = 0.1; q = z; q*x", "c = 2; y = c*x; y^c", "k = pi; k*x", "r = 1/3; sin(r*x)"]


@pytest.mark.parametrize("text", CASES)
def test_formulas_use_only_inputs_and_are_sympys_derivatives(text):
    f = gradient_formulas(text)
    expr = to_sympy(text)
    inputs = set(gradcli.compile(text).inputs)
    for name in inputs:
        program = f.program(name)
        assert set(gradcli.compile(program).inputs) <= inputs, (text, name, program)
        assert sp.simplify(to_sympy(program) - sp.diff(expr, symbol(name))) == 0, (text, name, program)


def test_the_issues_example_on_the_command_line(cli):
    r = cli("grad", "z = 0.1; b - w + x*z", "--symbolic")
    assert r.exit_code == 0
    assert "∂/∂x = 0.1" in r.stdout
    assert "= z" not in r.stdout
    r = cli("grad", "z = 2; z*x^2", "--symbolic", "--json")
    assert json.loads(r.stdout)["formulas"] == {"x": "4*x"}


def test_exact_mode_reads_a_named_constant_as_its_fraction():
    r = exact_grad("z = 0.1; b - w + x*z", b=1, w=2, x=3)
    want = sp.diff(to_sympy("z = 0.1; b - w + x*z"), symbol("x"))
    assert r.gradient["x"] == sp.Rational(want) == sp.Rational(1, 10)
    assert r.value == sp.Rational(1) - 2 + sp.Rational(3, 10)
