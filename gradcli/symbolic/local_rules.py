"""A node's local derivative for the step-by-step narration, simplified once for every view.

The operation table's rule (`b * a^(b - 1)` for ∂(a^b)/∂a) is built as a small
expression graph over the narration's terms (handles such as `#2` or `p`,
constants by their text) and simplified by `simplify.simplify`, so the rule of
x^2 reads `2*x` in the text (`trace --steps`) and `2 \\cdot x` in LaTeX
(`--steps --latex`): the two views print the same simplified graph, each in
its own style.

A node that depends on no input and is not a literal (the -1 of x^-1, the 1/2
of x^(1/2), both computed by the program) goes in as its exact value
(`exact_constants`: the program's constants folded by `Expr.apply`, as
`--symbolic` folds them), so x^-1's rule reads `-1/x^2` as `--symbolic` does,
not `#2*x^(#2 - 1)`. A constant that does not fold to a small fraction
(2*pi, log(2), 2^100) stays its handle `#id`, and a named one its name.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from gradcli.ops import table as O
from gradcli.language.expr import FOLD_LIMIT, Expr, as_fraction
from gradcli.symbolic.printing import Naming, render
from gradcli.passes.engine import call, compile_text, rule_graph
from gradcli.symbolic.simplify import simplify
from gradcli.symbolic.derivative_graph import formulas

NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)(e([+-]?\d+))?\Z")


def leaf(e: Expr, term) -> int:
    """A handle, a name, a constant's text (2, 0.5, pi) or an exact value (Fraction) as a leaf of e.

    A number folds with the rule's constants (2 * x^(2 - 1) is 2*x) where it is a
    small fraction; a huge or long one (1e30) stays as written, not 31 digits.
    """
    if isinstance(term, Fraction):
        return e.const(term)
    if term in O.CONSTANTS:
        return e.named_const(term, O.CONSTANTS[term])
    if NUMBER.match(term) and not term.startswith("-"):
        v = as_fraction(float(term))
        if abs(v.numerator) <= FOLD_LIMIT and v.denominator <= FOLD_LIMIT:
            return e.const(v)
    return e.input(term)


def exact_constants(graph) -> dict[int, Fraction]:
    """node -> its exact value, for each unnamed non-literal node of a program's graph
    that depends on no input and folds to a small fraction (-1 in x^-1, 1/2 in x^(1/2)).

    The constants are folded by `Expr.apply`, as `from_graph` folds them for
    `--symbolic`; one loop over the graph in id order (inputs before their users).
    """
    e = Expr()
    where: dict[int, int] = {}
    ops, args, names = graph.ops, graph.args, graph.names
    for i, op in enumerate(ops):
        if op is O.CONST:
            name, v = names.get(i), graph.consts[i]
            if name in O.CONSTANTS:
                where[i] = e.named_const(name, v)
            elif isinstance(v, (int, float, Fraction)) and math.isfinite(v):
                where[i] = e.const(v)
        elif op is not O.INPUT and args[i] and all(j in where for j in args[i]):
            where[i] = e.apply(op, tuple(where[j] for j in args[i]))
    found: dict[int, Fraction] = {}
    for i, node in where.items():
        if ops[i] is O.CONST or i in names:
            continue      # a literal is written as its text, a named node by its name
        v = e.value_of(node)
        if v is not None and abs(v.numerator) <= FOLD_LIMIT and v.denominator <= FOLD_LIMIT:
            found[i] = v
    return found


def local_rule(rule: str, names: dict) -> tuple[Expr, int]:
    """The rule over a, b and out with names[...] put in, simplified: (graph, root).

    names[...] are terms for `leaf`: text, or a Fraction for an exact constant.

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
