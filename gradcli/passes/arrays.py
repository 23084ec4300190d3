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


def lost_rows(g: Graph, vals: list, rows: int, targets: list[int]) -> np.ndarray:
    """Rows whose float gradients may lie by being small, by the tests of the one-point
    backward pass (passes/floats.py): a sum at a shared node that keeps under half its
    digits, a product that underflows, a rule of a smooth op that gives 0 where a non-zero
    gradient meets it (-a/(b^c)^2 in a/b^c at 1e154), a subnormal gradient asked for.
    A value that underflowed (floats.underflowed: subnormal, or exp(-760) = 0) where the
    output can feel it (floats.underflow_warning) is flagged too, for its warning.
    The backward pass is replayed, its sums in its order; what is flagged may still be
    exact (x·y - y·x): the caller redoes those rows one by one, which tells. The zeros
    of a piecewise rule (relu off, a max's losing side) and of a constant rule are exact,
    and so is a smooth rule's 0 at a row where one of the node's inputs is an exact 0
    (y in relu(x)·y with the relu off: the local is relu(x) = 0), so that a batch of
    dead relus is not redone point by point."""
    from gradcli.passes.engine import local_values
    from gradcli.passes.floats import _HALF_DIGITS, _SUBNORMAL_STEP, _UNDERFLOW_TO_ZERO, TINY
    from gradcli.ops.table import POW

    zero = None   # _exact_zeros, found only where a smooth rule's 0 needs explaining

    bad = np.zeros(rows, dtype=bool)
    acc: list = [None] * len(g)
    big: list = [None] * len(g)   # the largest |term| summed into each adjoint so far
    acc[g.output] = 1.0
    with np.errstate(all="ignore"):
        for i in range(g.output, -1, -1):
            gi, ins = acc[i], g.args[i]
            if gi is None or not ins or (np.ndim(gi) == 0 and gi == 0):
                continue
            op = g.ops[i]
            v = vals[i]
            low = np.abs(v) < TINY
            if np.any(low):   # an underflowed value the output may feel (floats.underflow_warning)
                if op.name in _UNDERFLOW_TO_ZERO:
                    inputs_nonzero = True
                    for j in ins:   # a shared value is a scalar, a column an array
                        inputs_nonzero = inputs_nonzero & (vals[j] != 0)
                    low &= (v != 0) | inputs_nonzero
                else:
                    low &= v != 0
                bound = _SUBNORMAL_STEP * np.abs(gi)
                out = np.abs(vals[g.output])
                bad |= low & (bound > 4 * TINY) & (bound > _HALF_DIGITS * out)
            exact_zeros = op.kink is not None and op is not POW
            flows = gi != 0
            locs = local_values(op, NUMPY, [vals[j] for j in ins], vals[i])
            for j, local in zip(ins, locs):
                c = NUMPY.chain(gi, local)
                if local.__class__ is not float:
                    suspect = flows & (np.abs(c) < TINY)
                    if exact_zeros:
                        suspect &= local != 0
                    elif np.any(suspect):
                        if zero is None:
                            zero = _exact_zeros(g, vals)
                        for m in ins:
                            if zero[m] is not False:
                                suspect &= ~((local == 0) & zero[m])
                    bad |= suspect
                before = acc[j]
                if before is None:
                    acc[j] = c
                    big[j] = np.abs(c)
                else:
                    total = before + c
                    big[j] = np.maximum(big[j], np.abs(c))
                    bad |= (before != 0) & (np.abs(total) < _HALF_DIGITS * big[j])
                    acc[j] = total
        for t in targets:
            if acc[t] is not None:
                bad |= (acc[t] != 0) & (np.abs(acc[t]) < TINY)
    return bad


def _exact_zeros(g: Graph, vals: list) -> list:
    """Per node, where its value is an exact 0 (False: nowhere): an input's or a constant's
    0, a piecewise op's 0 (relu off, step, sign), a product with an exact 0, a max or min
    of an exact 0 (it returns one of its inputs). Other zeros may have underflowed
    (exp(-1000))."""
    from gradcli.ops.table import CONST, INPUT, MUL

    piecewise = {"relu", "leaky_relu", "step", "sign"}
    inherit = {MUL.name, "max", "min"}
    out: list = [False] * len(g)
    for i, op in enumerate(g.ops):
        v = vals[i]
        if v is None:
            continue
        z = v == 0
        if not np.any(z):
            continue
        if op is INPUT or op is CONST or op.name in piecewise:
            out[i] = z
        elif op.name in inherit:
            a, b = (out[j] for j in g.args[i])
            if a is not False or b is not False:
                out[i] = z & ((a if a is not False else False) | (b if b is not False else False))
    return out


def row_error(g: Graph, i: int, vals: list, value, row: int) -> GradMathError:
    got = ", ".join(f"{g.label(j)} = {fmt(_at(vals[j], row))}" for j in g.args[i])
    why = g.ops[i].reason(tuple(_at(vals[j], row) for j in g.args[i]), _at(value, row))
    return GradMathError(f"{g.describe(i)} cannot be computed at row {row + 1}: {why} "
                         f"(it got {got})")
