"""Forward and backward passes over a graph's flat node list, on plain floats.

Both are loops over node ids, never recursion. The forward pass fills every
node's value and stops at the first non-finite one with a math error that
names the node. The backward pass seeds the output with 1, walks the ids
downwards and adds each node's upstream gradient times its local derivative
into each of its inputs, so a node used several times gets the sum over its
uses. Every call starts from fresh zero gradients.
"""

from __future__ import annotations

import gc
import math
from contextlib import contextmanager

from . import kernels
from .errors import GradMathError
from .graph import Graph
from .numbers import fmt
from .ops import ALL_OPS
from .rules import local_rules

_FLOAT_KERNELS = {op: getattr(kernels, op.kernel) for op in ALL_OPS if op.kernel}


@contextmanager
def no_gc():
    """Big graphs allocate millions of acyclic objects; collecting them only costs time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def forward(g: Graph, bindings: dict[str, float]) -> list[float]:
    """Every node's value. bindings maps each input name to its value."""
    n = len(g)
    vals = [0.0] * n
    for i, v in g.consts.items():
        vals[i] = v
    for name, i in g.inputs.items():
        vals[i] = bindings[name]
    ops, args, kern, isfinite = g.ops, g.args, _FLOAT_KERNELS, math.isfinite
    for i in range(n):
        ins = args[i]
        if len(ins) == 2:
            v = kern[ops[i]](vals[ins[0]], vals[ins[1]])
        elif ins:
            v = kern[ops[i]](vals[ins[0]])
        else:
            continue
        if not isfinite(v):
            raise forward_error(g, i, vals, v)
        vals[i] = v
    return vals


def backward(g: Graph, vals: list[float]) -> list[float]:
    """∂output/∂node for every node (0 for nodes the output does not depend on).

    A zero upstream gradient is not propagated, so a dead branch's infinite
    local derivative (sqrt at 0 inside max(sqrt(x), 5)) never becomes 0·∞.
    """
    grads = [0.0] * len(g)
    out = g.output
    grads[out] = 1.0
    ops, args = g.ops, g.args
    rules = {}
    for i in range(out, -1, -1):
        gi = grads[i]
        ins = args[i]
        if gi == 0 or not ins:
            continue
        op = ops[i]
        locs = rules.get(op)
        if locs is None:
            locs = rules[op] = local_rules(op)
        if len(ins) == 2:
            a, b = vals[ins[0]], vals[ins[1]]
            r = locs[0]
            grads[ins[0]] += gi * r if r.__class__ is float else gi * r(a, b, vals[i])
            r = locs[1]
            grads[ins[1]] += gi * r if r.__class__ is float else gi * r(a, b, vals[i])
        else:
            r = locs[0]
            grads[ins[0]] += gi * r if r.__class__ is float else gi * r(vals[ins[0]], None, vals[i])
    return grads


def local_derivatives(g: Graph, vals: list[float], i: int) -> tuple[float, ...]:
    """∂node_i/∂input_k for each input k at these values (non-finite where the rule is).

    The one place outside the fast backward loop that evaluates a node's rules:
    the careful pass, the error that explains a non-finite gradient, and traces.
    """
    ins = g.args[i]
    if not ins:
        return ()
    a = vals[ins[0]]
    b = vals[ins[1]] if len(ins) == 2 else None
    return tuple(r if r.__class__ is float else r(a, b, vals[i]) for r in local_rules(g.ops[i]))


def backward_careful(g: Graph, vals: list[float]) -> list[float]:
    """The backward pass again, for when the fast one met a non-finite gradient.

    A local derivative can overflow where its product with the upstream
    gradient is finite: ∂(1/x)/∂x = -1/x^2 is -1e320 at x = 1e-160, but the
    upstream gradient in x*(1/x) is x itself. Such an edge's product is then
    taken exactly, in rationals, with the same rule on the exact kernels. Slow,
    so only called when the fast pass (`backward`) gave something non-finite.
    """
    grads = [0.0] * len(g)
    grads[g.output] = 1.0
    for i in range(g.output, -1, -1):
        gi = grads[i]
        if gi == 0:
            continue
        for k, (j, local) in enumerate(zip(g.args[i], local_derivatives(g, vals, i))):
            product = gi * local
            if not math.isfinite(product) and math.isfinite(gi):
                product = _exact_product(g, vals, i, k, gi, product)
            grads[j] += product
    return grads


def _exact_product(g: Graph, vals: list[float], i: int, k: int, upstream: float,
                   fallback: float) -> float:
    """upstream × ∂node_i/∂input_k computed in rationals; fallback where that cannot be done."""
    from fractions import Fraction

    from . import rational_kernels

    ins = g.args[i]
    a = Fraction(vals[ins[0]])
    b = Fraction(vals[ins[1]]) if len(ins) == 2 else None
    try:
        rule = local_rules(g.ops[i], rational_kernels)[k]
        local = rule(a, b, Fraction(vals[i])) if callable(rule) else rule
        return float(Fraction(upstream) * local)
    except ArithmeticError:  # the rule leaves the rationals (log, exp, ...), or the product overflows
        return fallback


def _inputs_text(g: Graph, i: int, vals) -> str:
    """x = -1, 2: an input whose text is its value (a constant, -1) is shown once."""
    shown = []
    for j in g.args[i]:
        label, value = g.label(j), fmt(vals[j])
        shown.append(value if label == value else f"{label} = {value}")
    return ", ".join(shown)


def forward_error(g: Graph, i: int, vals, value: float) -> GradMathError:
    op = g.ops[i]
    result = f", giving {fmt(value)}" if value == value else ""
    why = op.reason(tuple(vals[j] for j in g.args[i]), value)
    return GradMathError(f"{g.describe(i)} cannot be computed: {why} "
                         f"(it got {_inputs_text(g, i, vals)}{result})")


def gradient_error(g: Graph, vals: list[float], grads: list[float], target: int) -> GradMathError:
    """Explain a non-finite gradient: find the edge where it first became non-finite."""
    live = g.feeds_output()
    for i in range(g.output, -1, -1):
        gi = grads[i]
        if not live[i] or gi == 0 or not math.isfinite(gi) or not g.args[i]:
            continue
        for j, local in zip(g.args[i], local_derivatives(g, vals, i)):
            if not math.isfinite(gi * local):
                return GradMathError(
                    f"the gradient with respect to '{g.label(target)}' is not finite: the derivative "
                    f"of {g.describe(i)} with respect to '{g.label(j)}' is {fmt(local)} "
                    f"where {_inputs_text(g, i, vals)}")
    return GradMathError(f"the gradient with respect to '{g.label(target)}' is not finite "
                         f"({fmt(grads[target])})")
