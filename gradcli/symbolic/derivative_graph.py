"""Derivative graphs: the engine's backward pass run in the domain of formulas.

The numeric backward pass multiplies each node's upstream gradient by its
local derivatives, numbers from the rules of `ops.py`. Here the same pass
(`engine.backward`) runs in the `FormulaDomain` domain, whose kernels *build*
nodes: each rule ("b * a^(b - 1)", "out * sigmoid(-a)", ...) is compiled
once per Expr by `engine.local_rule` and called at every node with the
node's inputs in place of `a` and `b` and the node itself in place of `out`.
The result lives in the same `Expr` as the program, so evaluating it gives
the gradient, printing it gives the formula, and running this again on a
gradient node gives second derivatives.

Conventions carry over: the kink rules are written in the language already
(relu' is step(a), abs' is sign(a)); a mask of `zero_where` (pow's) becomes
a GUARD node, or 0, or nothing, depending on whether its predicate can be
decided from constants (`predicates.verdict`); adjoint × local is a CHAIN node (0 where the adjoint
is 0). Only what the asked gradients need is built: no adjoint flows into a
node that depends on none of the targets (the exponent 2 of x^2 gets none,
so its log(x)·out is never made).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from gradcli.ops import table as O
from gradcli.ops import predicates
from gradcli.passes.engine import Domain, backward, local_rule, rule_graph
from gradcli.language.expr import CHAIN, GUARD, Expr, from_graph
from gradcli.language.graph import Graph
from gradcli.ops.predicates import MAYBE


@lru_cache(maxsize=None)
def template(op: O.Op, k: int) -> Graph:
    """The rule ∂out/∂input_k of op, parsed once into a graph over a, b and out."""
    return rule_graph(op.grads[k])


def _guard_backward(domain, e: Expr, i: int, g: int) -> list:
    """masked_fill: the adjoint flows to the value, masked the same way."""
    masked_op, k = e.masks[i]
    ins = e.args[i]
    return [(ins[0], e.guard(g, masked_op, k, ins[1:]))]


class FormulaDomain(Domain):
    """Nodes of one Expr: a kernel makes a node, chain is a CHAIN node, a mask a GUARD node.

    The backward pass in this domain builds the derivative graph (see the
    module's docstring); evaluating it in floats or fractions gives numbers.
    """

    name = "formulas"
    special = {GUARD: _guard_backward}

    def __init__(self, e: Expr):
        super().__init__(None)
        self.e = e

    def find_kernel(self, op):
        apply = self.e.apply
        return lambda *xs: apply(op, xs)

    def const(self, v, name=None):
        return self.e.named_const(name, v) if name else self.e.const(v)

    def leaf(self, graph, i):
        return i

    def is_zero(self, v) -> bool:
        return v == self.e.zero

    def chain(self, g, local):
        return self.e.apply(CHAIN, (g, local))

    def add(self, x, y):
        return self.e.apply(O.ADD, (x, y))

    def mask(self, op, k, rule):
        """GUARD, 0, or the rule itself, as the predicate can be decided from constants."""
        e, pred = self.e, op.zero_where[k]

        def masked(a, b=None, out=None, x=None, *more):
            local = rule(a, b, out, x, *more) if callable(rule) else rule
            ins = (a,) if b is None else (a, b, *more)
            # True: the mask holds for all values (local derivative 0); False: never; MAYBE: it depends
            verdict = predicates.verdict(pred, *(e.consts[j] if e.ops[j] is O.CONST else None for j in ins))
            if verdict is True:
                return e.zero
            return e.guard(local, op, k, ins) if verdict is MAYBE else local

        return masked


def formulas(e: Expr) -> FormulaDomain:
    """The domain of e's nodes (one per Expr: its compiled rules made nodes of e)."""
    domain = getattr(e, "domain", None)
    if domain is None:
        domain = e.domain = FormulaDomain(e)
    return domain


def local_derivative(e: Expr, op: O.Op, k: int, node: int) -> int:
    """∂node/∂(its input k), built from the operation table's rule."""
    ins = e.args[node]
    rule = local_rule(op, k, formulas(e))
    if not callable(rule):
        return rule
    return rule(ins[0], ins[1] if len(ins) > 1 else None, node)


def differentiate(e: Expr, root: int, targets: list[int]) -> dict[int, int]:
    """∂root/∂t for every target node t, built into e: the engine's backward pass in formulas."""
    found = backward(e, range(root + 1), formulas(e), targets, root)
    adj, dep = found.adjoints, found.depends
    for i in range(root + 1):      # the kink conventions the derivative used
        op = e.ops[i]
        if (op.kink is not None and not op.zero_where and adj[i] is not None and adj[i] != e.zero
                and any(dep[j] for j in e.args[i])):
            e.kinks.add(op)
    return {t: e.zero if adj[t] is None else adj[t] for t in targets}


@dataclass
class GradientGraph:
    """A program and the nodes of ∂output/∂name for each name asked for, in one Expr."""

    program: object                  # api.Program
    expr: Expr
    output: int                      # the output's node in expr
    nodes: dict[str, int]            # name -> node of ∂output/∂name
    where: list[int]                 # expr node of every node of the program's graph


def gradient_graph(program, wrt=None) -> GradientGraph:
    """The derivative graph of a program (an api.Program or its text).

    wrt: input variables or assigned names (default: every input variable).
    """
    from gradcli.program.program import Program

    if isinstance(program, str):
        program = Program(program)
    g = program.graph
    names = list(program.inputs if wrt is None else wrt)
    targets = {name: program.node_of(name) for name in names}   # unknown names fail here
    raw = {i for i in targets.values() if g.ops[i] is not O.INPUT}
    e, where = from_graph(g, raw)
    output = where[g.output]
    found = differentiate(e, output, [where[i] for i in targets.values()])
    return GradientGraph(program, e, output, {n: found[where[i]] for n, i in targets.items()}, where)
