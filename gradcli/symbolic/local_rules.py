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
from gradcli.language.rules import rule_graph
from gradcli.symbolic.simplify import simplify

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
    """The rule over a, b and out with names[...] put in, simplified: (graph, root)."""
    t = rule_graph(rule)
    e = Expr()
    built: list[int] = []
    for i, op in enumerate(t.ops):
        if op is O.INPUT:
            built.append(leaf(e, names[t.names[i]]))
        elif op is O.CONST:
            name = t.names.get(i)
            built.append(e.named_const(name, t.consts[i]) if name else e.const(t.consts[i]))
        else:
            built.append(e.apply(op, tuple(built[j] for j in t.args[i])))
    readable, roots = simplify(e, {0: built[t.output]})
    return readable, roots[0]


def show_local(rule: str, names: dict, style) -> str:
    """The simplified rule printed in a style (printing.TextStyle, latex.LatexStyle, ...)."""
    e, root = local_rule(rule, names)
    return render(Naming(e, {0: root}, {}, []), style, root)   # a rule is short: nothing named
