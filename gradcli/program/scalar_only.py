"""The commands that stay scalar-only refuse an array program (README "Arrays: vectors and matrices").

`hessian`, `grad --symbolic`, `--latex` and `--exact` work on numbers; given an array
(a bound value, or an array operation in the program) they stop with a usage error
that says so, before any work, rather than give a wrong or partial answer.
"""

from __future__ import annotations

from gradcli.errors import GradUsageError, shorten


def array_names(given: dict) -> list[str]:
    """The names bound to arrays (rank ≥ 1) among the given values."""
    out = []
    for name, v in given.items():
        v = getattr(v, "value", v) if type(v).__name__ == "Sourced" else v
        if getattr(v, "ndim", 0) > 0 or isinstance(v, (list, tuple)):
            out.append(name)
    return out


def array_operations(graph) -> list[str]:
    """The array operations a program uses (matrix products, reductions, literals, …)."""
    if not getattr(graph, "arrays", False):
        return []
    found = []
    for op in dict.fromkeys(graph.ops):
        if getattr(op, "arrays", False):
            found.append({"matmul": "@", "stack": "an array literal", "index": "indexing"}.get(op.name, op.name))
    return found


def refuse_arrays(what: str, given: dict, graph=None) -> None:
    """A usage error when `what` (e.g. "hessian") meets an array program."""
    names = array_names(given)
    ops = array_operations(graph) if graph is not None else []
    if not names and not ops:
        return
    because = (f"'{shorten(names[0])}' is an array" if names
               else f"the program uses {', '.join(ops[:3])}")
    raise GradUsageError(f"{what} works on scalar programs only, and {because}",
                         hint="for an array program use grad or trace (values and gradients "
                              "of every element), or grad --check to compare with finite differences")
