"""NumPy rows: many points at once, the engine's passes in the domain of NumPy arrays.

The same graph, the same operation table and the same passes as every domain
(`passes/engine.py`), with the NumPy kernels (`ops/arrays.py`) in place of the
float kernels. Each input is a
column (one value per row) or a scalar shared by every row; each node's value
and adjoint then has the shape NumPy broadcasting gives it. Callers reduce
adjoints as they need: per row for a batch of points, summed over rows for a
scalar parameter in training.

Imported only by the commands that need it, so NumPy never slows a one-shot.
"""

from __future__ import annotations

import numpy as np

from gradcli.ops import arrays as kernels_np, predicates
from gradcli.passes.engine import Domain, backward, forward
from gradcli.errors import GradMathError
from gradcli.language.graph import Graph
from gradcli.numbers import fmt


class NumpyRows(Domain):
    """NumPy arrays (or scalars), element by element: rows stay apart, 0·∞ is 0.

    Adjoints are not reduced (`reduce_to` is the identity): callers sum them
    as they need, per row for a batch of points, over rows for a parameter.
    """

    name = "numpy rows"

    def leaf(self, graph, i):
        return graph.consts[i]

    def check(self, graph, i, vals, v):
        row = _first_bad_row(v)
        if row is not None:
            raise row_error(graph, i, vals, v, row)
        return v

    def is_zero(self, v) -> bool:
        # Only a zero that is a number (a "0" rule): scanning every adjoint would cost a pass
        # over each array, and 0·∞ inside an array is masked by chain anyway.
        return np.ndim(v) == 0 and v == 0

    def chain(self, g, local):
        if local.__class__ is float:           # a constant rule: no infinity to mask
            if local == 0:
                return 0.0
            return g if local == 1 else g * local
        c = g * local
        if not np.isfinite(c).all():           # 0·∞ where g is 0: nothing flows there
            c = np.where(g == 0, 0.0, c)
        return c

    def mask(self, op, k, rule):
        if not callable(rule):
            return rule
        where = predicates.array_function(op.zero_where[k])
        masked_zero = kernels_np.masked_zero
        return lambda a, b=None, out=None, x=None, *more: masked_zero(where(a, b, out), rule(a, b, out, x, *more))


NUMPY = NumpyRows(kernels_np)


def _first_bad_row(v) -> int | None:
    bad = ~np.isfinite(v)
    if not bad.any():
        return None
    return int(np.argmax(bad)) if np.ndim(bad) else 0


def _at(v, row: int) -> float:
    return float(v[row]) if np.ndim(v) else float(v)


def forward_arrays(g: Graph, columns: dict[str, object]) -> list:
    """Every node's value; columns maps each input name to an array or a scalar.

    A non-finite value is a math error naming the node and the first bad row.
    """
    with np.errstate(all="ignore"):
        return forward(g, columns, NUMPY)


def backward_arrays(g: Graph, vals: list, seed=1.0) -> list:
    """Every node's adjoint ∂output/∂node, element by element (rows stay apart).

    seed is the output's adjoint (1, or 1/rows for a mean). As in the float
    pass, a zero upstream gradient is not propagated: 0·∞ becomes 0, not nan.
    """
    with np.errstate(all="ignore"):
        adj = backward(g, vals, NUMPY, seed=seed).adjoints
    return [0.0 if a is None else a for a in adj]


def row_error(g: Graph, i: int, vals: list, value, row: int) -> GradMathError:
    got = ", ".join(f"{g.label(j)} = {fmt(_at(vals[j], row))}" for j in g.args[i])
    why = g.ops[i].reason(tuple(_at(vals[j], row) for j in g.args[i]), _at(value, row))
    return GradMathError(f"{g.describe(i)} cannot be computed at row {row + 1}: {why} "
                         f"(it got {got})")
