"""`trace --steps` prints each local derivative simplified, as `--steps --latex` does (issue 9, item 5).

The text used to print the table's rule with names put in (`2 * x^(2 - 1)`)
while the LaTeX sheet printed it simplified (`2 \\cdot x`). Both now print one
simplified graph. Checked for every rule of every operation: the text, read
back by gradcli's parser and printed in LaTeX, is the LaTeX sheet's formula;
and its value is SymPy's derivative of the operation's definition.
"""

from __future__ import annotations

import pytest
import sympy as sp

import gradcli
from formula_oracle import DEFINITIONS, symbol, value_at
from gradcli.ops import table as O
from gradcli.symbolic.printing import TextStyle
from gradcli.symbolic.local_rules import show_local
from gradcli.views.steps_latex import local, source

RULES = [(op, k, b) for op in O.ALL_OPS if op.grads and op is not O.ALIAS
         for k in range(op.arity) for b in (["y", "2"] if op.arity == 2 else [""])]
POINT = {"x": 0.7, "y": 1.3}


@pytest.mark.parametrize("op,k,b", RULES, ids=lambda v: getattr(v, "name", str(v)))
def test_text_and_latex_print_the_same_simplified_rule_and_it_is_sympys(op, k, b):
    names = {"a": "x", "b": b, "out": "f"}
    text = show_local(op.grads[k], names, TextStyle())
    graph = gradcli.compile(text).graph
    assert source(graph, graph.output) == local(op.grads[k], names), text
    args = [symbol("x"), symbol("y")][:op.arity]
    definition = DEFINITIONS[op.name](*args)
    derivative = sp.diff(definition, args[k])
    point = dict(POINT, y=2.0) if b == "2" else POINT     # b = "2": the constant 2 is y's value
    want = value_at(derivative, point)
    program = gradcli.compile(text)
    point = {"f": value_at(definition, point), **point}
    got = program.evaluate({n: point[n] for n in program.inputs}).value
    assert abs(got - want) <= 1e-9 * max(1, abs(want)), (op.name, k, b, text, got, want)


def test_the_square_reads_2x_in_the_text_as_in_latex(cli):
    text = cli("trace", "y = x^2", "-x", "3", "--steps").stdout
    assert "∂y/∂x = 2*x)" in text and "2 - 1" not in text
    latex = cli("trace", "y = x^2", "-x", "3", "--steps", "--latex").stdout
    assert r"\frac{\partial y}{\partial x} = 2 \cdot x" in latex


def test_a_huge_constant_stays_as_written():
    names = {"a": "x", "b": "1e30", "out": "f"}
    assert show_local("b", names, TextStyle()) == "1e30"
    assert local("b", names) == r"1 \times 10^{30}"
