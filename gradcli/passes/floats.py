"""The one-shot float path: the engine's forward and backward passes, hand-tuned for floats.

`engine.forward` / `engine.backward` in the FLOATS domain compute the same
numbers (tests/test_engine_domains_agree.py checks it bit for bit on random
programs); these loops stay because the one-shot path runs them on 10^6-node
graphs, where unrolling the two-input case and noticing doubts on the way
(below) is measurably faster than the generic loop. Both are loops over node
ids, never recursion. The forward pass fills every node's value and stops at
the first non-finite one with a math error that names the node. The backward
pass seeds the output with 1, walks the ids downwards and adds each node's
upstream gradient times its local derivative into each of its inputs, so a
node used several times gets the sum over its uses. Every call starts from
fresh zero gradients.

`backward_careful` is a specialisation too, not a domain: each of its values
is an exact fraction with two error nudges, and forming a local derivative
needs the node, its float local derivative and its exact inputs together (an
exact rule where one exists, else the float with an error; a sign drawn from
the rule's text): more than a domain's chain(g, local) sees.
"""

from __future__ import annotations

import gc
import math
import sys
from contextlib import contextmanager
from functools import lru_cache
from fractions import Fraction

from gradcli.numbers import to_float
from gradcli.passes.domains import FLOATS
from gradcli.passes.engine import call, local_rule
from gradcli.language.rules import rule_graph
from gradcli.errors import GradMathError
from gradcli.language.graph import Graph
from gradcli.numbers import fmt

_FLOAT_KERNELS = FLOATS.kernel_table()   # the float domain's kernels, for the hand-tuned loop

TINY = sys.float_info.min   # the smallest normal double: below it a product loses digits
_HALF_DIGITS = 2.0 ** -26   # a sum this much smaller than its terms kept under half its digits


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


@lru_cache(maxsize=None)
def local_rules(op) -> tuple:
    """The engine's compiled ∂out/∂input_k of op in floats, one per input (masks included)."""
    return tuple(local_rule(op, k, FLOATS) for k in range(len(op.grads)))


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


def backward(g: Graph, vals: list[float], doubts: list | None = None) -> list[float]:
    """∂output/∂node for every node (0 for nodes the output does not depend on).

    A zero upstream gradient is not propagated, so a dead branch's infinite
    local derivative (sqrt at 0 inside max(sqrt(x), 5)) never becomes 0·∞.

    Two ways a float gradient can lie by being small are noticed on the way,
    for about a comparison per edge: a sum at a shared node that cancels (its
    size below 2^-26 of the largest term added so far: half the digits are gone,
    also when they went over several steps) is
    appended to `doubts` as (node, input k); a gradient that is 0 or
    subnormal, as (node, None). `doubtful` tells the real ones from exact
    zeros (a dead relu).
    """
    grads = [0.0] * len(g)
    big = [0.0] * len(g)     # the largest |term| summed into each gradient so far
    out = g.output
    grads[out] = 1.0
    ops, args = g.ops, g.args
    rules = {}
    seen = [] if doubts is None else doubts
    half, tiny = _HALF_DIGITS, TINY
    for i in range(out, -1, -1):
        gi = grads[i]
        ins = args[i]
        if -tiny < gi < tiny:
            seen.append((i, None))
            if gi == 0:
                continue
        if not ins:
            continue
        op = ops[i]
        locs = rules.get(op)
        if locs is None:
            locs = rules[op] = local_rules(op)
        j = ins[0]
        r = locs[0]
        if len(ins) == 2:
            a, b = vals[j], vals[ins[1]]
            t = gi * r if r.__class__ is float else gi * r(a, b, vals[i])
            s = grads[j]
            if s:
                s += t
                m = big[j]
                if t > m or -t > m:
                    m = big[j] = t if t > 0 else -t
                if -half * m < s < half * m:
                    seen.append((i, 0))
                grads[j] = s
            else:
                grads[j] = t
                big[j] = t if t > 0 else -t
            j = ins[1]
            r = locs[1]
            t = gi * r if r.__class__ is float else gi * r(a, b, vals[i])
        else:
            t = gi * r if r.__class__ is float else gi * r(vals[j], None, vals[i])
        s = grads[j]
        if s:
            s += t
            m = big[j]
            if t > m or -t > m:
                m = big[j] = t if t > 0 else -t
            if -half * m < s < half * m:
                seen.append((i, len(ins) - 1))
            grads[j] = s
        else:
            grads[j] = t
            big[j] = t if t > 0 else -t
    return grads


def local_derivatives(g: Graph, vals: list[float], i: int) -> tuple[float, ...]:
    """∂node_i/∂input_k for each input k at these values (non-finite where the rule is).

    The engine's local rules in floats, for the careful pass, the error that
    explains a non-finite gradient, forward mode and traces.
    """
    ins = g.args[i]
    if not ins:
        return ()
    ins_vals = [vals[j] for j in ins]
    return tuple(call(r, ins_vals, vals[i]) for r in local_rules(g.ops[i]))


def doubtful(g: Graph, vals: list[float], grads: list[float], doubts: list) -> bool:
    """Whether any of the fast pass's doubts is real, not an exact 0 (a dead relu, y·0).

    A cancelling sum is real, and so is a subnormal gradient. A zero gradient
    of a node the output depends on is real where some use of it with a
    non-zero gradient has a local derivative that is not exactly 0 in
    rationals: the product underflowed (1e154/b^c entering b^c), or the rule
    itself did (sech(400)^2).
    """
    zeros = set()
    for i, k in doubts:
        if k is not None or grads[i] != 0:
            return True
        zeros.add(i)
    if not zeros:
        return False
    live = g.feeds_output()
    for c in range(min(zeros) + 1, g.output + 1):
        if grads[c] == 0 or not live[c] or zeros.isdisjoint(g.args[c]):
            continue
        for k, (j, local) in enumerate(zip(g.args[c], local_derivatives(g, vals, c))):
            if j in zeros:
                if local != 0:
                    return True    # non-zero factors: the product underflowed
                exact, error = _exact_local(g, vals, c, k, local)
                if exact != 0 or error:
                    return True
    return False


def backward_careful(g: Graph, vals: list[float]) -> tuple[list[float], list[float]]:
    """The backward pass again, in rationals, for when the fast one is in doubt.

    Gradients as fractions neither underflow nor cancel: a sum at a shared
    node is exact (x + x/x at 1e-17: 1 + 1e17 - 1e17 = 1), a product below the
    smallest double stays itself (-2.3e-410 entering b^c in a/b^c). Each local
    derivative is taken exactly with the same rule on the exact kernels where
    it is rational (also one that overflows in floats: 1/x at 1e-160 in
    x*(1/x)), else as the float the rule gives, which is off by a few ulps (by
    up to the smallest double where it underflowed).

    How far those errors can move a gradient is followed along: each inexact
    local derivative is nudged by its error, with a pseudo-random sign, in two
    independent directions, and the gradients' first-order change is carried
    with them. The sign depends on the rule and the values it was given, so
    the same rounding met twice (sin(x)*y - y*sin(x)) is nudged the same way
    and cancels where the terms cancel, which a sum of absolute bounds would
    not see. Returns
    the gradients as floats and an estimate of each one's error (0 where every
    local derivative it depends on was exact). Slow (fractions on every live
    edge): only for what the fast pass doubts.
    """
    n = len(g)
    live = g.feeds_output()
    exact_vals = _exact_values(g, vals, live)
    grads: list = [_ZERO] * n
    nudges = ([_ZERO] * n, [_ZERO] * n)
    sizes = [0.0] * n               # Σ|term| of each gradient, the scale of its rounding
    grads[g.output] = _ONE
    for i in range(g.output, -1, -1):
        if not live[i] or not g.args[i]:
            continue
        gi = grads[i]
        if gi.__class__ is Fraction:
            gi = _round(gi, _BITS)
        d1, d2 = (d[i] if d[i].__class__ is not Fraction else _round(d[i], _BITS) for d in nudges)
        if gi == 0 and d1 == 0 and d2 == 0:
            continue
        for k, (j, local) in enumerate(zip(g.args[i], local_derivatives(g, vals, i))):
            exact, error = _exact_local(g, vals, i, k, local, exact_vals)
            if exact.__class__ is not Fraction or gi.__class__ is not Fraction:
                if gi == 0:        # a doubtful 0 times an infinite local derivative
                    nudges[0][j] = nudges[1][j] = math.inf
                else:              # non-finite: no fraction can hold it
                    grads[j] = to_float(gi) * to_float(exact) + to_float(grads[j])
                continue
            grads[j] += gi * exact
            sizes[j] += abs(to_float(gi * exact))
            if error or d1 or d2:
                h = _sign_bits(g, vals, i, k)
                for d, up, sign in ((nudges[0], d1, h & 1), (nudges[1], d2, h & 2)):
                    term = up * exact + (gi * error if sign else -gi * error)
                    d[j] = term + d[j] if d[j].__class__ is Fraction else d[j]
    floats = [to_float(v) for v in grads]
    bounds = [2 * max(abs(to_float(a)), abs(to_float(b))) for a, b in zip(*nudges)]
    # A 0 whose doubt is within ordinary rounding of its terms is 0 to working precision
    # (ln(u*z/min(z, u)) in z, with u rounded): only a larger doubt is kept.
    bounds = [0.0 if v == 0 and e <= _ROUNDING * m else e for v, e, m in zip(floats, bounds, sizes)]
    return floats, bounds


# Ops whose value is 0 only by underflow when every input is non-zero (exp(-760), 1e-200*1e-200).
_UNDERFLOW_TO_ZERO = frozenset({"mul", "div", "exp", "pow", "sigmoid", "softplus", "sech"})
_SUBNORMAL_STEP = 5e-324   # the smallest double: what an underflowed value can be off by


def underflowed(g: Graph, vals: list[float]) -> list[int]:
    """Computed nodes whose value underflowed: subnormal (a few digits left), or 0 where an
    op's exact result is not (exp(-760)). Inputs and constants are as given. One scan."""
    found = []
    ops, args = g.ops, g.args
    for i, v in enumerate(vals):
        if -TINY < v < TINY and args[i]:
            if v != 0 or (ops[i].name in _UNDERFLOW_TO_ZERO and all(vals[j] != 0 for j in args[i])):
                found.append(i)
    return found


def underflow_notes(g: Graph, vals: list[float], grads: list[float] | None = None) -> list[str]:
    """[the underflow warning] where a value underflowed where the output feels it, else [].
    grads: ∂output/∂node where the caller has them; else (rarely: only after an
    underflow) one backward pass finds them."""
    low = underflowed(g, vals)
    if not low:
        return []
    note = underflow_warning(g, vals, backward(g, vals) if grads is None else grads, low)
    return [note] if note else []


def underflow_warning(g: Graph, vals: list[float], grads: list[float], nodes: list[int]) -> str | None:
    """The note for values that underflowed on the way to the output, where that can move
    the output by more than half its digits: each is off by up to the smallest double,
    times ∂output/∂node (exp(x)*1e300 at x = -740: the output 4.2e-22 is off by up to
    4.9e-24). None where the output cannot feel it (exp(-1000) alone is 0, rightly)."""
    out = vals[g.output]
    worst, bound = None, 0.0
    for i in nodes:
        b = _SUBNORMAL_STEP * abs(grads[i]) if math.isfinite(grads[i]) else math.inf
        if b > bound:
            worst, bound = i, b
    if worst is None or not uncertain(out, bound):
        return None
    by = f"up to {fmt(bound, 3)}" if math.isfinite(bound) else "any amount"
    return (f"the value of {g.describe(worst)} underflowed to {fmt(vals[worst])} (below the smallest "
            f"normal double): the output, {fmt(out)}, may be off by {by}, and gradients computed "
            "through it may be off too")


def uncertain(value: float, bound: float) -> bool:
    """An error bound that reaches half the digits of a normal-range gradient."""
    return bound > 4 * TINY and bound > _HALF_DIGITS * abs(value)


_ZERO, _ONE = Fraction(0), Fraction(1)
# A careful gradient is rounded to this many bits once it has twice as many: far below
# a double's rounding, so that what cancels exactly still gives 0 as a double.
_BITS = 1024
_ROUNDING = 2.0 ** -40                # ordinary rounding of a sum, relative to its terms
_LOCAL_ERROR = Fraction(1, 2 ** 48)   # a float rule's few roundings (a few ulps, generously)


def _sign_bits(g: Graph, vals: list[float], i: int, k: int) -> int:
    """Two pseudo-random bits from what a local derivative computes: equal computations, equal bits.

    The key is the rule with its leaves numbered in order of use and the values
    they read: y's local derivative in sin(x)*y ("a") and in y*sin(x) ("b")
    are both "$0" of the same sin(x), so they round alike and are nudged alike.
    """
    import re
    import zlib

    leaves = _leaves(g.ops[i], k)
    ins = g.args[i]
    where = {"a": ins[0], "b": ins[-1], "out": i}
    template = re.sub(r"\b(a|b|out)\b", lambda m: f"${leaves.index(m.group(1))}", g.ops[i].grads[k])
    key = f"{template}|{'|'.join(repr(vals[where[leaf]]) for leaf in leaves)}"
    return zlib.crc32(key.encode()) & 3


def _round(v: Fraction, bits: int) -> Fraction:
    """v, or v rounded toward 0 to about `bits` bits when it has more than twice as many."""
    num, den = v.numerator, v.denominator
    if max(num.bit_length(), den.bit_length()) <= 2 * bits:
        return v
    shift = bits - (num.bit_length() - den.bit_length())
    sign, num = (-1, -num) if num < 0 else (1, num)   # toward 0: -v rounds to -(v rounded)
    if shift >= 0:
        return Fraction(sign * ((num << shift) // den), 1 << shift)
    return Fraction(sign * ((num // (den << -shift)) << -shift))


def _exact_values(g: Graph, vals: list[float], live: list[bool]) -> list:
    """Each node's value redone in rationals from the same inputs; None where it is not rational.

    The float forward pass rounds: in (x+y)*z/(x-7) at y = -7 the partial in x
    is exactly 0 from exact values, and 2.8e-17 from rounded ones.
    """
    from gradcli.passes.evaluate import Failed, evaluate

    inputs = {name: Fraction(vals[i]) for name, i in g.inputs.items()}
    found = evaluate(g, inputs, exact=True, needed=live)
    return [None if v is None or isinstance(v, Failed) else v for v in found]


def _exact_local(g: Graph, vals: list[float], i: int, k: int, local: float, exact_vals=None):
    """∂node_i/∂input_k in rationals with the exact kernels, and a bound on its error.

    (fraction, 0) where the rule stays rational on exact values; a few ulps
    where it is rational but some value it reads was rounded (exp(x) in
    exp(x)*y); else the float `local` as a fraction with a bound of a few ulps,
    or of the smallest double where it is 0 or subnormal (it underflowed); a
    non-finite float as itself. exact_vals: from _exact_values (default: the
    float values, taken as exact).
    """
    from gradcli.passes.domains import RATIONALS

    ins = g.args[i]
    nodes = (ins[0], ins[1] if len(ins) == 2 else None, i)
    known = [None if j is None or exact_vals is None else exact_vals[j] for j in nodes]
    a, b, out = (None if j is None else Fraction(vals[j]) if v is None else v
                 for v, j in zip(known, nodes))
    # rounded: the rule reads a value that is not exact (only the leaves it uses count)
    rounded = exact_vals is not None and any(
        known[("a", "b", "out").index(leaf)] is None for leaf in _leaves(g.ops[i], k))
    try:
        rule = local_rule(g.ops[i], k, RATIONALS)   # may fold log(2): not rational
        exact = Fraction(rule(a, b, out) if callable(rule) else rule)
        return exact, abs(exact) * _LOCAL_ERROR if rounded else _ZERO
    except (ArithmeticError, ValueError):  # leaves the rationals (log, exp, ...), or too large
        pass
    if not math.isfinite(local):
        return local, _ZERO
    if abs(local) < TINY:
        return Fraction(local), _TINY
    return Fraction(local), abs(Fraction(local)) * _LOCAL_ERROR


def _leaves(op, k: int) -> tuple[str, ...]:
    """Which of a, b and out the k-th derivative rule of op reads."""
    return tuple(rule_graph(op.grads[k]).inputs)


_TINY = Fraction(TINY)


# Operands named by role where their order matters: "inf where x = 0, 0.5" does not say
# which of the two is the exponent.
_ROLES = {"div": ("the numerator", "the denominator"), "pow": ("the base", "the exponent")}


def _inputs_text(g: Graph, i: int, vals) -> str:
    """x = -1, 2: an input whose text is its value (a constant, -1) is shown once.

    For / and ^ each one is named by its role: the base x = 0 and the exponent = -0.5.
    """
    shown = []
    roles = _ROLES.get(g.ops[i].name)
    for k, j in enumerate(g.args[i]):
        label, value = g.label(j), fmt(vals[j])
        text = value if label == value else f"{label} = {value}"
        if roles:
            text = f"{roles[k]} {text}" if label != value else f"{roles[k]} = {value}"
        shown.append(text)
    return " and ".join(shown) if roles else ", ".join(shown)


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
