"""Compile the derivative rules of the operation table into number crunchers.

A rule such as "out * sigmoid(-a)" is parsed once by gradcli's own parser into
a small graph over the leaves `a`, `b` and `out`, constants are folded, and
the graph becomes a chain of closures over a backend's kernels. No Python
`eval` or `exec` is involved. A rule that is a constant (the 1 of `+`)
compiles to that number, so the backward pass can skip the multiplication.
"""

from __future__ import annotations

import math
from functools import lru_cache
from types import ModuleType

from gradcli.ops import floats as kernels, predicates
from gradcli.language.graph import Graph
from gradcli.ops.table import CONST, INPUT, Op

_LEAVES = {
    "a": lambda a, b, out: a,
    "b": lambda a, b, out: b,
    "out": lambda a, b, out: out,
}


def _closure(kernel, parts):
    """kernel applied to parts, each a folded constant or a function of (a, b, out)."""
    if len(parts) == 1:
        (p,) = parts
        if not callable(p):
            return kernel(p)
        return lambda a, b, out: kernel(p(a, b, out))
    p, q = parts
    p_const, q_const = not callable(p), not callable(q)
    if p_const and q_const:
        return kernel(p, q)
    if p_const:
        return lambda a, b, out: kernel(p, q(a, b, out))
    if q_const:
        return lambda a, b, out: kernel(p(a, b, out), q)
    return lambda a, b, out: kernel(p(a, b, out), q(a, b, out))


@lru_cache(maxsize=None)
def rule_graph(text: str) -> Graph:
    """A derivative rule of ops.py parsed once into a graph over the leaves a, b and out.

    Every user of the rules (the closures here, the training plan, derivative
    graphs, the LaTeX steps) instantiates this graph with its own kind of values.
    """
    from gradcli.language.parse import parse

    g = parse(text)
    unknown = set(g.inputs) - set(_LEAVES)
    if unknown:  # a mistake in the table, not in user input
        raise ValueError(f"derivative rule {text!r} uses unknown names {sorted(unknown)}")
    return g


def compile_rule(text: str, backend: ModuleType = kernels):
    """A rule as a number (when constant) or a function f(a, b, out).

    Constants take the backend's kind of number (`backend.number`, float by
    default): Fractions for the exact kernels.
    """
    g = rule_graph(text)
    number = getattr(backend, "number", float)
    built: list = []
    for i, op in enumerate(g.ops):
        if op is CONST:
            built.append(number(g.consts[i]))
        elif op is INPUT:
            built.append(_LEAVES[g.names[i]])
        else:
            kernel = getattr(backend, op.kernel)
            built.append(_closure(kernel, [built[j] for j in g.args[i]]))
    rule = built[g.output]
    if isinstance(rule, float) and not math.isfinite(rule):
        raise ValueError(f"derivative rule {text!r} folds to {rule}")
    return rule


def _guarded(rule, zero_where, backend):
    """Apply a convention: the local derivative is 0 where the predicate zero_where holds."""
    if not callable(rule):
        return rule
    masked_zero = getattr(backend, "masked_zero", None)
    if masked_zero is not None:  # arrays: decide element by element
        mask = predicates.array_function(zero_where)
        return lambda a, b, out: masked_zero(mask(a, b, out), rule(a, b, out))
    holds, zero = predicates.function(zero_where), getattr(backend, "number", float)(0)
    return lambda a, b, out: zero if holds(a, b, out) else rule(a, b, out)


@lru_cache(maxsize=None)
def local_rules(op: Op, backend: ModuleType = kernels) -> tuple:
    """The compiled ∂out/∂input_k of an operation, one per input."""
    compiled = []
    for k, text in enumerate(op.grads):
        rule = compile_rule(text, backend)
        if k < len(op.zero_where) and op.zero_where[k] is not None:
            rule = _guarded(rule, op.zero_where[k], backend)
        compiled.append(rule)
    return tuple(compiled)
