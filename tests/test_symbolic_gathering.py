"""--symbolic gathers like terms across a sum also when a part of it is shared (issue 9, item 5).

`(a+b)*(b+1)` has ∂/∂b = (b + 1) + (a + b), where b + 1 is shared (it is ∂/∂a
too); it used to print `a + b + b + 1`. The oracle is SymPy: the formula must
equal SymPy's derivative, and have no more terms than SymPy's expanded form
(SymPy would gather `b + b` itself, so the terms are counted on gradcli's own
parse of the printed text).
"""

from __future__ import annotations

import pytest
import sympy as sp

import gradcli
from formula_oracle import symbol, to_sympy
from gradcli.ops import table as O
from gradcli.symbolic.formulas import gradient_formulas
from gradcli.language.parse import parse


def printed_terms(text: str) -> int:
    """How many terms the printed formula's top-level sum has (read by gradcli's parser)."""
    g = parse(text)
    count, stack = 0, [g.output]
    while stack:
        i = stack.pop()
        if g.ops[i] in (O.ADD, O.SUB):
            stack += g.args[i]
        elif g.ops[i] is O.NEG and g.ops[g.args[i][0]] in (O.ADD, O.SUB):
            stack.append(g.args[i][0])
        else:
            count += 1
    return count


CASES = ["(a+b)*(b+1)", "(x+y)*(x-y)", "(a+b)*(a+b+1)", "(a - b + 1)*(b - a + 2)",
         "x*(x+1)", "(x+1)*(x+2)*(x+3)", "p = a + b; q = b + 1; p*q + 2*q", "(a+2*b)*(3 - b)"]


@pytest.mark.parametrize("text", CASES)
def test_each_formula_is_sympys_derivative_with_like_terms_gathered(text):
    f = gradient_formulas(text)
    expr = to_sympy(text)
    for name in gradcli.compile(text).inputs:
        want = sp.expand(sp.diff(expr, symbol(name)))
        program = f.program(name)
        got = to_sympy(program)
        assert sp.simplify(got - want) == 0, (text, name, program)
        if not f.uses.get(name):      # a formula on its own: count its terms
            assert printed_terms(f.text[name]) <= len(sp.Add.make_args(want)), (text, name, program)


def test_the_issues_example():
    f = gradient_formulas("(a+b)*(b+1)")
    assert f.text["b"] == "a + 2*b + 1"      # the issue's expected text
    assert f.text["a"] == "b + 1"
