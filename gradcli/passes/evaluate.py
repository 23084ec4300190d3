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

from fractions import Fraction

from gradcli.numbers import to_float
from gradcli.ops import floats as kernels
from gradcli.ops import table as O
from gradcli.ops import rationals as R
from gradcli.passes.engine import Domain, forward
from gradcli.language.expr import CHAIN, GUARD, as_fraction
from gradcli.language.nodes import reaches
from gradcli.ops.predicates import holds


class Failed:
    """A value that could not be computed exactly, and why (node id, exception)."""

    __slots__ = ("node", "error")

    def __init__(self, node: int | None, error: ArithmeticError):
        self.node = node
        self.error = error


def _guard(domain, g, i: int, xs: list):
    value, *on = xs
    masked_op, k = g.masks[i]
    bad = next((v for v in on if isinstance(v, Failed)), None)
    if bad is not None:
        return bad
    return domain.const(0) if holds(masked_op.zero_where[k], *on) else value


def _chain(domain, g, i: int, xs: list):
    if not isinstance(xs[0], Failed) and xs[0] == 0:
        return domain.const(0)      # no adjoint flows: the local derivative is not looked at
    return domain.apply(CHAIN, xs)


class _Values(Domain):
    """Numbers for a Graph or an Expr, CHAIN and GUARD included; no checks (callers decide)."""

    special_forward = {GUARD: _guard, CHAIN: _chain}


class _FloatValues(_Values):
    name = "floats, unchecked"

    def leaf(self, g, i):
        return to_float(g.consts[i])


class _ExactValues(_Values):
    """Fractions; a value that cannot be computed exactly is a `Failed` that flows on."""

    name = "rationals, failures kept"

    def const(self, v, name=None):
        return Fraction(v)

    def leaf(self, g, i):
        if g.names.get(i) in O.CONSTANTS:  # pi and e (not z of `z = 0.1`: that is 1/10)
            return Failed(i, R.Irrational(f"{g.names[i]} is not a rational number"))
        return as_fraction(g.consts[i])

    def apply(self, op, xs):
        bad = next((x for x in xs if isinstance(x, Failed)), None)
        if bad is not None:
            return bad
        try:
            return self.kernel(op)(*xs)
        except ArithmeticError as exc:
            return Failed(None, exc)

    def check(self, g, i, vals, v):
        if isinstance(v, Failed) and v.node is None:
            v.node = i
        return v


FLOAT_VALUES, EXACT_VALUES = _FloatValues(kernels), _ExactValues(R)


def evaluate(g, inputs: dict, *, exact: bool = False, needed: list[bool] | None = None) -> list:
    """Every node's value (None for nodes not needed); inputs maps names to numbers.

    With exact=True values are Fractions, and a value that cannot be computed
    exactly is a `Failed`. The engine's forward pass in one of two domains.
    """
    return forward(g, inputs, EXACT_VALUES if exact else FLOAT_VALUES, needed)


def needed_for(g, roots) -> list[bool]:
    """The nodes the roots depend on."""
    return reaches(g.args, roots)
