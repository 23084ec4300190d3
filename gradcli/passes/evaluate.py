"""Evaluate a `Graph` or an `Expr` on floats, or exactly on fractions.

One loop over node ids (children first), as the forward pass. Float kernels
never raise (IEEE nan and inf); the exact kernels raise where a result leaves
the rationals or is undefined, and that failure is kept as a `Failed` value
that flows on to the nodes using it: a node that nothing asked for may fail
without harm (the log(a)·out of an exponent no input reaches), and a failed
value under a zero adjoint (CHAIN) or a mask (GUARD) is never looked at.
Callers decide what to do with a failed value they need.
"""

from __future__ import annotations

import math
from fractions import Fraction

from gradcli.ops import floats as kernels
from gradcli.ops import table as O
from gradcli.ops import rationals as R
from gradcli.language.expr import CHAIN, GUARD, as_fraction
from gradcli.ops.predicates import holds

_FLOAT = {op: getattr(kernels, op.kernel) for op in O.ALL_OPS if op.kernel}
_FLOAT[CHAIN] = kernels.mul
_EXACT = {op: getattr(R, op.kernel) for op in O.ALL_OPS if op.kernel}
_EXACT[CHAIN] = R.mul


class Failed:
    """A value that could not be computed exactly, and why (node id, exception)."""

    __slots__ = ("node", "error")

    def __init__(self, node: int, error: ArithmeticError):
        self.node = node
        self.error = error


def to_float(v) -> float:
    """A fraction as the nearest float (±inf beyond the largest double)."""
    try:
        return float(v)
    except OverflowError:
        return math.copysign(math.inf, v)


def _const(g, i: int, exact: bool):
    v = g.consts[i]
    if not exact:
        return to_float(v)
    if g.names.get(i) in O.CONSTANTS:  # pi and e (not z of `z = 0.1`: that is 1/10)
        return Failed(i, R.Irrational(f"{g.names[i]} is not a rational number"))
    return as_fraction(v)


def evaluate(g, inputs: dict, *, exact: bool = False, needed: list[bool] | None = None) -> list:
    """Every node's value (None for nodes not needed); inputs maps names to numbers.

    With exact=True values are Fractions, and a value that cannot be computed
    exactly is a `Failed`.
    """
    n = len(g.ops)
    kern = _EXACT if exact else _FLOAT
    zero = Fraction(0) if exact else 0.0
    vals: list = [None] * n
    ops, args = g.ops, g.args
    for i in range(n):
        if needed is not None and not needed[i]:
            continue
        op = ops[i]
        ins = args[i]
        if op is O.INPUT:
            vals[i] = inputs[g.names[i]]
            continue
        if op is O.CONST:
            vals[i] = _const(g, i, exact)
            continue
        if op is GUARD:
            value, *on = (vals[j] for j in ins)
            masked_op, k = g.masks[i]
            if any(isinstance(v, Failed) for v in on):
                vals[i] = next(v for v in on if isinstance(v, Failed))
            elif holds(masked_op.zero_where[k], *on):
                vals[i] = zero
            else:
                vals[i] = value
            continue
        xs = [vals[j] for j in ins]
        if op is CHAIN and not isinstance(xs[0], Failed) and xs[0] == 0:
            vals[i] = zero          # no adjoint flows: the local derivative is not looked at
            continue
        bad = next((x for x in xs if isinstance(x, Failed)), None)
        if bad is not None:
            vals[i] = bad
            continue
        try:
            vals[i] = kern[op](*xs)
        except ArithmeticError as exc:   # exact kernels only
            vals[i] = Failed(i, exc)
    return vals


def needed_for(g, roots) -> list[bool]:
    """The nodes the roots depend on (one sweep downwards from the highest root)."""
    need = [False] * len(g.ops)
    top = -1
    for r in roots:
        need[r] = True
        top = max(top, r)
    args = g.args
    for i in range(top, -1, -1):
        if need[i]:
            for j in args[i]:
                need[j] = True
    return need
