"""The derivative rules of the operation table as number crunchers, per kind of number.

A thin door onto `engine.py`, where a rule such as "out * sigmoid(-a)" is
parsed once by gradcli's own parser, its constants folded, and compiled into
closures over a domain's kernels (`engine.local_rule`). No Python `eval` or
`exec` is involved. A rule that is a constant (the 1 of `+`) compiles to
that number, so the backward pass can skip the multiplication. Callers that
name a kernel module (kernels, rational_kernels, kernels_np) get the domain
of that module.
"""

from __future__ import annotations

from functools import lru_cache
from types import ModuleType

from . import kernels
from .engine import compile_text, local_rule, rule_graph  # noqa: F401  (rule_graph: re-exported)
from .ops import Op


def domain_of(backend: ModuleType):
    """The domain whose kernels are this module."""
    from . import domains

    if backend is kernels:
        return domains.FLOATS
    if backend is domains.rational_kernels:
        return domains.RATIONALS
    from .arrays import NUMPY   # kernels_np: NumPy is imported only when asked for

    return NUMPY


def compile_rule(text: str, backend: ModuleType = kernels):
    """A rule as a number (when constant) or a function f(a, b, out)."""
    return compile_text(text, domain_of(backend))


@lru_cache(maxsize=None)
def local_rules(op: Op, backend: ModuleType = kernels) -> tuple:
    """The compiled ∂out/∂input_k of an operation, one per input (masks included)."""
    domain = domain_of(backend)
    return tuple(local_rule(op, k, domain) for k in range(len(op.grads)))
