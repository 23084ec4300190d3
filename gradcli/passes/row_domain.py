"""The row domain: a program written for one row of data, run by the engine on all rows at once.

`train --data` with array parameters, and `eval --batch` of an array program, run a
program written for one row (README "Training array parameters"). Here every value has
a leading row axis, of size N where it differs from row to row and 1 where it is shared
(a parameter, a bound array, a constant); the kernels are ops/rows.py's, the passes the
engine's (passes/engine.py), exactly as for every other domain. What the domain adds:

- operands are lined up by their per-row shapes (a row's scalar against a row's vector);
- every contribution to a shared value is summed over the rows (`reduce_to`), also a
  vector-Jacobian product's, so that a parameter's adjoint is the sum the mean loss needs;
- two tables: FAST for training's steps (no finiteness check of each value, no pass over
  an adjoint to see whether it is zero, no guard against 0·∞; relu in one pass), and
  CAREFUL, the arrays domain's rules, run again when the loss or a gradient is not
  finite, to name the node and row that failed or to find the finite answer the guard gives.
"""

from __future__ import annotations

import numpy as np

from gradcli.ops import predicates
from gradcli.ops import rows as R
from gradcli.passes.array_domain import Arrays, check_labels


def _rows_reduce(x, like):
    return R.reduce_to(x, np.shape(like))


class RowRules(dict):
    """A row domain's compiled rules; a vjp rule's result is brought to its input's shape
    by `reduce(result, input)` (summed over the rows for a shared input). The array
    training plan's rows (training/array_plan.py) reduce on its tape the same way."""

    def __init__(self, reduce=_rows_reduce):
        super().__init__()
        self.reduce = reduce

    def __setitem__(self, key, rule):
        if isinstance(key, tuple) and key[0] == "vjp" and callable(rule):
            rule = _reduced(rule, key[2], self.reduce)
        super().__setitem__(key, rule)


def _reduced(rule, k: int, reduce):
    slot = k if k < 2 else 4 + (k - 2)      # engine.call's order: a, b, out, g, c, d, …

    def reduced(*leaves):
        return reduce(rule(*leaves), leaves[slot])

    return reduced


class Rows(Arrays):
    """Values with a leading row axis (N rows, or 1 for a shared value)."""

    name = "rows"

    def __init__(self, kernels, careful: bool):
        super().__init__(kernels)
        self.careful = careful
        self.rules = RowRules()
        from gradcli.ops import table as O

        self.special_forward = {op: _labelled for op in O.ARRAY_OPS if op.labels}

    def leaf(self, graph, i):
        # A constant array (a literal folded whole, [1, 3]) is the same for every row:
        # it gets the leading row axis of size 1, as a parameter does. A number needs
        # none (the kernels line numbers up as they are).
        v = np.asarray(graph.consts[i], dtype=float)
        return v if v.ndim == 0 else v[None]

    def check(self, graph, i, vals, v):
        return super().check(graph, i, vals, v) if self.careful else v

    def is_zero(self, v) -> bool:
        return v is None or (self.careful and not np.any(v))

    def chain(self, g, local):
        if not callable(local) and np.ndim(local) == 0:
            return g if local == 1 else g * float(local)
        return self.kernels.chain(g, local)

    def mask(self, op, k, rule):
        if not callable(rule):
            return rule
        where = predicates.array_function(op.zero_where[k])

        def masked(a, b=None, out=None, x=None, *more):
            lined = R._align([v for v in (a, b, out) if v is not None])
            a2 = lined[0]
            b2 = lined[1] if b is not None else None
            out2 = lined[-1] if out is not None else None
            m, v = R._align([where(a2, b2, out2), rule(a, b, out, x, *more)])
            return np.where(m, 0.0, v)

        return masked

    def reduce_to(self, contribution, value, out):
        return R.reduce_to(contribution, np.shape(value))


def _labelled(domain, graph, i, xs):
    check_labels(graph, i, xs)
    return domain.apply(graph.ops[i], xs)


FAST = Rows(R.FAST, careful=False)
CAREFUL = Rows(R, careful=True)


def run(graph, inputs: dict, targets: list[int], domain=FAST, seed=None):
    """(every node's value, the targets' adjoints summed over the rows): one step's passes."""
    from gradcli.passes import engine

    with np.errstate(all="ignore"):
        vals = engine.forward(graph, inputs, domain)
        out = vals[graph.output]
        rows = np.shape(out)[0]
        back = engine.backward(graph, vals, domain, targets=targets,
                               seed=np.full(np.shape(out), 1.0 / rows) if seed is None else seed)
    grads = [None if back.adjoints[i] is None else np.sum(back.adjoints[i], axis=0) for i in targets]
    return vals, grads


def values(graph, inputs: dict) -> list:
    """Every node's value, carefully (eval --batch)."""
    from gradcli.passes import engine

    with np.errstate(all="ignore"):
        return engine.forward(graph, inputs, CAREFUL)
