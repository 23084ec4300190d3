"""A node's local derivative for the step-by-step narration, simplified once for every view.

The operation table's rule (`b * a^(b - 1)` for ∂(a^b)/∂a) is built as a small
expression graph over the narration's terms (handles such as `#2` or `p`,
constants by their text) and simplified by `simplify.simplify`, so the rule of
x^2 reads `2*x` in the text (`trace --steps`) and `2 \\cdot x` in LaTeX
(`--steps --latex`): the two views print the same simplified graph, each in
its own style.
"""

from __future__ import annotations

import re

from gradcli.ops import table as O
from gradcli.language.expr import FOLD_LIMIT, Expr, as_fraction
from gradcli.symbolic.printing import Naming, render
from gradcli.passes.engine import call, compile_text, rule_graph
from gradcli.symbolic.simplify import simplify
from gradcli.symbolic.derivative_graph import formulas

NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)(e([+-]?\d+))?\Z")


def leaf(e: Expr, term: str) -> int:
    """A handle, a name, or a constant's text (2, 0.5, pi) as a leaf of e.

    A number folds with the rule's constants (2 * x^(2 - 1) is 2*x) where it is a
    small fraction; a huge or long one (1e30) stays as written, not 31 digits.
    """
    if term in O.CONSTANTS:
        return e.named_const(term, O.CONSTANTS[term])
    if NUMBER.match(term) and not term.startswith("-"):
        v = as_fraction(float(term))
        if abs(v.numerator) <= FOLD_LIMIT and v.denominator <= FOLD_LIMIT:
            return e.const(v)
    return e.input(term)


def local_rule(rule: str, names: dict) -> tuple[Expr, int]:
    """The rule over a, b and out with names[...] put in, simplified: (graph, root).

    The rule is instantiated by the engine (`compile_text` in the formulas
    domain of a fresh Expr), as every derivative graph is; here its leaves are
    the narration's terms.
    """
    e = Expr()
    compiled = compile_text(rule, formulas(e))
    leaves = {name: leaf(e, names[name]) for name in rule_graph(rule).inputs}   # in order of use
    root = call(compiled, (leaves.get("a"), leaves.get("b")), leaves.get("out")) \
        if callable(compiled) else compiled
    readable, roots = simplify(e, {0: root})
    return readable, roots[0]


def show_local(rule: str, names: dict, style) -> str:
    """The simplified rule printed in a style (printing.TextStyle, latex.LatexStyle, ...)."""
    e, root = local_rule(rule, names)
    return render(Naming(e, {0: root}, {}, []), style, root)   # a rule is short: nothing named
