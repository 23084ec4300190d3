"""Derivative graphs: the backward pass run as graph construction.

The numeric backward pass multiplies each node's upstream gradient by its
local derivatives, numbers from the rules of `ops.py`. Here the same loop
*builds* those products as nodes: each rule ("b * a^(b - 1)", "out *
sigmoid(-a)", ...) is parsed once by gradcli's own parser into a template
graph over the leaves `a`, `b` and `out`, and instantiated at every node
with the node's inputs in place of `a` and `b` and the node itself in place
of `out`. The result lives in the same `Expr` as the program, so evaluating
it gives the gradient, printing it gives the formula, and running this again
on a gradient node gives second derivatives.

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
from gradcli.language.expr import CHAIN, GUARD, Expr, from_graph
from gradcli.language.graph import Graph
from gradcli.ops.predicates import MAYBE
from gradcli.language.rules import rule_graph


@lru_cache(maxsize=None)
def template(op: O.Op, k: int) -> Graph:
    """The rule ∂out/∂input_k of op, parsed once into a graph over a, b and out."""
    return rule_graph(op.grads[k])


def _mask_verdict(e: Expr, pred, inputs: tuple[int, ...]):
    """True: the mask holds for all values (local derivative 0); False: never; MAYBE: it depends."""
    known = [e.consts[j] if e.ops[j] is O.CONST else None for j in inputs]   # None: not known
    return predicates.verdict(pred, *known)


def local_derivative(e: Expr, op: O.Op, k: int, node: int) -> int:
    """∂node/∂(its input k), built from the operation table's rule."""
    t = template(op, k)
    ins = e.args[node]
    leaf = {"a": ins[0], "b": ins[1] if len(ins) > 1 else None, "out": node}
    built: list[int] = []
    for ti, top in enumerate(t.ops):
        if top is O.INPUT:
            built.append(leaf[t.names[ti]])
        elif top is O.CONST:
            name = t.names.get(ti)
            built.append(e.named_const(name, t.consts[ti]) if name else e.const(t.consts[ti]))
        else:
            built.append(e.apply(top, tuple(built[j] for j in t.args[ti])))
    local = built[t.output]
    if op.kink is not None and not op.zero_where:   # pow's conventions are its masks, below
        e.kinks.add(op)
    pred = op.zero_where[k] if k < len(op.zero_where) else None
    if pred is not None:
        verdict = _mask_verdict(e, pred, ins)
        if verdict is True:
            return e.zero
        if verdict is MAYBE:
            local = e.guard(local, op, k, ins)
    return local


def differentiate(e: Expr, root: int, targets: list[int]) -> dict[int, int]:
    """∂root/∂t for every target node t, built into e; a loop over node ids, downwards."""
    wanted = set(targets)
    args, ops = e.args, e.ops
    dep = [False] * (root + 1)       # depends on some target: only these get an adjoint
    for i in range(root + 1):
        dep[i] = i in wanted or any(dep[j] for j in args[i])
    found = {t: e.zero for t in targets}
    if not dep[root]:
        return found
    adjoint = {root: e.one}
    for i in range(root, -1, -1):
        gi = adjoint.pop(i, None)
        if gi is None or gi == e.zero:
            continue
        if i in wanted:
            found[i] = gi
        ins = args[i]
        if not ins:
            continue
        op = ops[i]
        if op is GUARD:              # masked_fill: the adjoint flows to the value, masked the same way
            masked_op, k = e.masks[i]
            contributions = [(ins[0], e.guard(gi, masked_op, k, ins[1:]))]
        else:
            contributions = [(j, e.apply(CHAIN, (gi, local_derivative(e, op, k, i))))
                             for k, j in enumerate(ins) if dep[j]]
        for j, c in contributions:
            if not dep[j]:
                continue
            before = adjoint.get(j)
            adjoint[j] = c if before is None else e.apply(O.ADD, (before, c))
    return found


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
