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
"""

from __future__ import annotations

import math

from gradcli.errors import GradMathError
from gradcli.language.graph import Graph
from gradcli.numbers import fmt
from gradcli.passes.domains import FLOATS
from gradcli.passes.engine import tangents
from gradcli.passes.floats import _inputs_text, local_derivatives


def tangent_pass(g: Graph, vals: list[float], seed: int, cache: list | None = None,
                 stop: int | None = None) -> tuple[list[float], int]:
    """Every node's tangent ∂node/∂seed (up to node `stop`, default the output), and the
    number of products. cache holds each node's local derivatives across passes."""
    t, products = tangents(g, vals, FLOATS, seed, stop, cache)
    return [0.0 if v is None else v for v in t], products


def forward_gradients(g: Graph, vals: list[float], seeds: dict[str, int], *,
                      keep: bool = False, locals_: list | None = None
                      ) -> tuple[dict[str, float], dict[str, list[float]], int]:
    """∂output/∂name for each seed by one tangent pass each; the tangents (when keep) and
    the total count of products. A non-finite gradient is a math error naming the edge.
    locals_: every node's local derivatives where the caller has them already (a trace)."""
    cache: list = [None] * len(g) if locals_ is None else list(locals_)
    grads, tangents, products = {}, {}, 0
    stop = len(g) - 1 if keep else g.output
    for name, seed in seeds.items():
        t, count = tangent_pass(g, vals, seed, cache, stop)
        products += count
        grads[name] = t[g.output]
        if not math.isfinite(grads[name]):
            raise tangent_error(g, vals, t, name, seed)
        if keep:
            tangents[name] = t
    return grads, tangents, products


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
