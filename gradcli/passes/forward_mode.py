"""Forward mode: tangents pushed from one seed, from the same local rules as the backward pass.

A pass seeds one node (an input, or an assigned name asked for with --wrt) with
tangent 1 and walks the ids upwards: every later node's tangent is
Σ_k ∂node/∂input_k · tangent(input_k), by the engine's `tangents` pass on
the same compiled local rules as the backward pass (kink conventions included). A zero tangent is not
multiplied, so 0·∞ never appears (as the backward pass skips a zero upstream
gradient). The output's tangent is ∂output/∂seed: one pass per asked input.

`products` counts the local-derivative products a pass performed; the backward
pass's count (reverse_products) is one per input of every node whose upstream
gradient is not zero, the edges it multiplies.

Tangents can lie by being small as gradients can (README "Choices where the contract is silent": digits lost): a sum at a
node that cancels, a product that underflows (a/b^c at 1e154). `in_doubt` looks for
both after a pass, as the backward pass does on its way; where one is real, the
gradients are redone exactly by the careful backward pass (passes/floats.py), so that
forward mode prints what reverse mode prints, its warnings included.
"""

from __future__ import annotations

import math

from gradcli.errors import GradMathError
from gradcli.language.graph import Graph
from gradcli.numbers import fmt
from gradcli.passes.domains import FLOATS
from gradcli.passes.engine import tangents
from gradcli.passes.floats import (
    _HALF_DIGITS,
    TINY,
    _exact_local,
    _inputs_text,
    backward_careful,
    local_derivatives,
)


def tangent_pass(g: Graph, vals: list[float], seed: int, cache: list | None = None,
                 stop: int | None = None) -> tuple[list[float], int]:
    """Every node's tangent ∂node/∂seed (up to node `stop`, default the output), and the
    number of products. cache holds each node's local derivatives across passes."""
    t, products = tangents(g, vals, FLOATS, seed, stop, cache)
    return [0.0 if v is None else v for v in t], products


def forward_gradients(g: Graph, vals: list[float], seeds: dict[str, int], *,
                      keep: bool = False, locals_: list | None = None
                      ) -> tuple[dict[str, float], dict[str, list[float]], int, dict[str, float]]:
    """∂output/∂name for each seed by one tangent pass each; the tangents (when keep), the
    total count of products, and for each gradient redone exactly (its tangents in doubt)
    the estimate of its error (floats.backward_careful: 0 where exact). A non-finite
    gradient is a math error naming the edge. locals_: every node's local derivatives
    where the caller has them already (a trace)."""
    cache: list = [None] * len(g) if locals_ is None else list(locals_)
    grads, tangents, products, doubted = {}, {}, 0, []
    stop = len(g) - 1 if keep else g.output
    on_way = g.feeds_output()
    for name, seed in seeds.items():
        t, count = tangent_pass(g, vals, seed, cache, stop)
        products += count
        grads[name] = t[g.output]
        if not math.isfinite(grads[name]):
            raise tangent_error(g, vals, t, name, seed)
        if in_doubt(g, vals, t, cache, seed, on_way):
            doubted.append((name, seed))
        if keep:
            tangents[name] = t
    bounds: dict[str, float] = {}
    if doubted:
        exact, errors = backward_careful(g, vals)
        for name, seed in doubted:
            grads[name], bounds[name] = exact[seed], errors[seed]
    return grads, tangents, products, bounds


def in_doubt(g: Graph, vals: list[float], t: list[float], cache: list, seed: int,
             on_way: list[bool]) -> bool:
    """Whether a pass's output tangent may have lost its digits: a sum at a node that kept
    under half of them (below 2^-26 of the largest term on its way, the backward pass's
    test, with each term's own history carried along), a
    tangent that is subnormal, or one that is 0 where a non-zero tangent met a local
    derivative that is not exactly 0 (a product or the rule itself underflowed). Exact
    zeros (a dead relu, y·0) are not doubts. Only nodes on the way to the output (on_way)
    count."""
    half, tiny = _HALF_DIGITS, TINY
    # scale[i]: the largest term met on the way from the seed to node i, carried along by
    # the local derivatives, so that a cancellation spread over a chain of sums
    # (x + 1e17*x - 99999990000000000*x - 9999999000*x) is seen where it ends.
    scale = [0.0] * len(g)
    scale[seed] = 1.0
    for i in range(seed + 1, g.output + 1):
        ins = g.args[i]
        if not ins or not on_way[i]:
            continue
        locs = cache[i]
        if locs is None:
            locs = cache[i] = local_derivatives(g, vals, i)
        s = None
        big = 0.0
        for k, j in enumerate(ins):
            tj = t[j]
            if not tj:
                continue
            c = tj * locs[k]
            big = max(big, abs(c), scale[j] * abs(locs[k]))
            if s is None:
                s = c
            else:
                s += c
            if abs(s) < half * big:
                return True
            if -tiny < c < tiny and (c != 0 or locs[k] != 0):
                return True          # a product of non-zero numbers underflowed
            if c == 0:
                exact, error = _exact_local(g, vals, i, k, locs[k])
                if exact != 0 or error:
                    return True      # the rule underflowed (sech(400)^2), not a true 0
        if s is not None and s != 0 and -tiny < s < tiny:
            return True
        scale[i] = big
    return False


def reverse_products(g: Graph, grads: list[float]) -> int:
    """The products the backward pass performed: every edge out of a node with a non-zero
    upstream gradient (it skips the others)."""
    args = g.args
    return sum(len(args[i]) for i in range(g.output + 1) if grads[i] != 0)


def tangent_error(g: Graph, vals: list[float], t: list[float], name: str, seed: int) -> GradMathError:
    """Explain a non-finite tangent: the first edge where it became non-finite."""
    for i in range(seed + 1, g.output + 1):
        if math.isfinite(t[i]):
            continue
        for j, local in zip(g.args[i], local_derivatives(g, vals, i)):
            if t[j] != 0 and math.isfinite(t[j]) and not math.isfinite(t[j] * local):
                return GradMathError(
                    f"the gradient with respect to '{name}' is not finite (forward mode): the "
                    f"derivative of {g.describe(i)} with respect to '{g.label(j)}' is {fmt(local)} "
                    f"where {_inputs_text(g, i, vals)}")
        break
    return GradMathError(f"the gradient with respect to '{name}' is not finite (forward mode: "
                         f"{fmt(t[g.output])})")
