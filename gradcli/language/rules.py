"""The derivative rules of the operation table, parsed by gradcli's own parser.

A rule such as "out * sigmoid(-a)" is text in gradcli's language over the
leaves `a`, `b` (the inputs; c, d for ops with more), `out` (the operation's
value) and, for `vjp`/`jvp` rules, the adjoint `g` or the tangent `t`. It is
parsed once here into a small graph; `passes/engine.py` compiles that graph
into closures over a domain's kernels (`engine.local_rule`), the one place a
rule is instantiated, for numbers, arrays, formulas and the training plan
alike. No Python `eval` or `exec` is involved.
"""

from __future__ import annotations

from functools import lru_cache

# The leaves of a rule, by position in the call f(a, b, out, x, c, d): x is the
# adjoint g (vjp rules) or the tangent t (jvp rules); c, d are inputs beyond two
# (not e: that is Euler's number in the language).
EXTRA_INPUTS = ("c", "d")
SLOTS = {"a": 0, "b": 1, "out": 2, "g": 3, "t": 3, **{n: 4 + k for k, n in enumerate(EXTRA_INPUTS)}}


@lru_cache(maxsize=None)
def rule_graph(text: str):
    """A rule of ops.py parsed once into a graph over its leaves."""
    from gradcli.language.parse import parse

    g = parse(text, internal=True)   # the helpers of the array rules are functions here
    unknown = set(g.inputs) - set(SLOTS)
    if unknown:  # a mistake in the table, not in user input
        raise ValueError(f"derivative rule {text!r} uses unknown names {sorted(unknown)}")
    return g
