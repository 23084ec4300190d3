"""Forward and backward passes with NumPy: many points (rows) at once.

The same graph, the same operation table and the same derivative rules as
`passes.py`, with `kernels_np` in place of the float kernels. Each input is a
column (one value per row) or a scalar shared by every row; each node's value
and adjoint then has the shape NumPy broadcasting gives it. Callers reduce
adjoints as they need: per row for a batch of points, summed over rows for a
scalar parameter in training.

Imported only by the commands that need it, so NumPy never slows a one-shot.
"""

from __future__ import annotations

import numpy as np

from gradcli.ops import arrays as kernels_np
from gradcli.errors import GradMathError
from gradcli.language.graph import Graph
from gradcli.numbers import fmt
from gradcli.ops.table import ALL_OPS
from gradcli.language.rules import local_rules

_KERNELS = {op: getattr(kernels_np, op.kernel) for op in ALL_OPS if op.kernel}


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
    vals: list = [None] * len(g)
    for i, v in g.consts.items():
        vals[i] = v
    for name, i in g.inputs.items():
        vals[i] = columns[name]
    ops, args = g.ops, g.args
    with np.errstate(all="ignore"):
        for i in range(len(g)):
            ins = args[i]
            if not ins:
                continue
            kernel = _KERNELS[ops[i]]
            v = kernel(vals[ins[0]], vals[ins[1]]) if len(ins) == 2 else kernel(vals[ins[0]])
            row = _first_bad_row(v)
            if row is not None:
                raise row_error(g, i, vals, v, row)
            vals[i] = v
    return vals


def backward_arrays(g: Graph, vals: list, seed=1.0) -> list:
    """Every node's adjoint ∂output/∂node, element by element (rows stay apart).

    seed is the output's adjoint (1, or 1/rows for a mean). As in the float
    pass, a zero upstream gradient is not propagated: 0·∞ becomes 0, not nan.
    """
    grads: list = [0.0] * len(g)
    grads[g.output] = seed
    ops, args = g.ops, g.args
    with np.errstate(all="ignore"):
        for i in range(g.output, -1, -1):
            gi = grads[i]
            ins = args[i]
            if not ins or (np.ndim(gi) == 0 and gi == 0):
                continue
            locs = local_rules(ops[i], kernels_np)
            a = vals[ins[0]]
            b = vals[ins[1]] if len(ins) == 2 else None
            for k, j in enumerate(ins):
                r = locs[k]
                if isinstance(r, float):
                    if r == 0:
                        continue
                    contribution = gi if r == 1 else gi * r
                else:
                    contribution = gi * r(a, b, vals[i])
                    if not np.isfinite(contribution).all():
                        contribution = np.where(gi == 0, 0.0, contribution)
                grads[j] = grads[j] + contribution
    return grads


def row_error(g: Graph, i: int, vals: list, value, row: int) -> GradMathError:
    got = ", ".join(f"{g.label(j)} = {fmt(_at(vals[j], row))}" for j in g.args[i])
    why = g.ops[i].reason(tuple(_at(vals[j], row) for j in g.args[i]), _at(value, row))
    return GradMathError(f"{g.describe(i)} cannot be computed at row {row + 1}: {why} "
                         f"(it got {got})")
