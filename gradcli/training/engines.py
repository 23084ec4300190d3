"""Loss and gradient at given parameters: one point on floats, or rows with NumPy.

`PointEngine` (no data) runs passes.py's forward and backward on plain
floats. `ColumnEngine` (data) runs the compiled plan (plan.py) on whole
columns; when the plan's loss or a gradient is not finite, the same step is
run again through the reference passes (arrays.py), which either name the
node and the row that failed or, where the plan met an infinity that the
reference passes treat as dead (0·∞ is 0 there), give finite values.

For array programs, `ArrayPointEngine` (no data) and `RowsEngine` (a per-row program
over data) run one step in reused buffers (array_plan.py), and the careful passes
when that step's loss or a gradient is not finite.

All return (loss, gradients) or raise GradMathError, so the training loop
does not care which kind of numbers it trains on. NumPy is imported only by
ColumnEngine: training at one point does not load it.
"""

from __future__ import annotations

import math

from gradcli.errors import GradMathError
from gradcli.language.graph import Graph
from gradcli.numbers import fmt


class PointEngine:
    """No data: every input is a parameter or a bound value."""

    rows = None
    full_batch = True  # every step sees all the data there is

    def __init__(self, g: Graph, params: list[str], scalars: dict[str, float]):
        self.g, self.params = g, params
        self.bindings = dict(scalars)
        self.nodes = [g.inputs[p] for p in params]

    def batches(self, seed):
        while True:
            yield None

    def use(self, batch) -> None:
        pass

    def evaluate(self, theta: list[float], full: bool = False) -> tuple[float, list[float]]:
        from gradcli.passes.floats import backward, forward, gradient_error

        g = self.g
        bindings = self.bindings
        bindings.update(zip(self.params, theta))
        vals = forward(g, bindings)  # a non-finite value is a math error naming its node
        grads = backward(g, vals)
        out = [grads[i] for i in self.nodes]
        for i, v in zip(self.nodes, out):
            if not math.isfinite(v):
                raise gradient_error(g, vals, grads, i)
        return vals[g.output], out


class _Batches:
    """The batches of an engine over data rows (self.rows, self.batch_size)."""

    @property
    def full_batch(self) -> bool:
        return self.batch_size >= self.rows

    @property
    def steps_per_epoch(self) -> int:
        return -(-self.rows // self.batch_size)

    def batches(self, seed):
        """Row indices of each step's batch, epoch after epoch; None: all rows."""
        import numpy as np

        if self.batch_size >= self.rows:
            while True:
                yield None
        rng = np.random.default_rng(seed)
        while True:
            order = rng.permutation(self.rows)
            for start in range(0, self.rows, self.batch_size):
                yield order[start:start + self.batch_size]


class ColumnEngine(_Batches):
    """Data: the mean of the program over the rows of a batch, with the compiled plan."""

    def __init__(self, g: Graph, params: list[str], scalars: dict[str, float],
                 dataset, batch_size: int | None = None):
        from gradcli.training.plan import compile_plan

        self.g, self.params, self.scalars = g, params, scalars
        self.dataset = dataset
        self.rows = dataset.rows
        self.batch_size = min(batch_size or self.rows, self.rows)
        needed = [n for n in g.inputs if n not in scalars and n not in params]
        self.columns = {n: dataset.columns[n] for n in needed}
        self.plan = compile_plan(g, params, scalars, needed)
        self._bound: dict[int, object] = {}          # a bound plan per batch size (-1: all rows)
        self._gathered: dict[int, dict] = {}         # column buffers per batch size
        self._batch = None                 # row indices of the current batch; None: all rows
        self._current = self._full()

    def _full(self):
        bound = self._bound.get(-1)
        if bound is None:
            bound = self._bound[-1] = self.plan.bind(self.rows)
            bound.load(self.columns)
        return bound

    def use(self, batch) -> None:
        """Make `batch` (row indices, or None for all rows) the one evaluate() sees."""
        import numpy as np

        self._batch = batch
        if batch is None:
            self._current = self._full()
            return
        size = len(batch)
        bound = self._bound.get(size)
        if bound is None:
            bound = self._bound[size] = self.plan.bind(size)
            self._gathered[size] = {n: np.empty(size) for n in self.columns}
        gathered = self._gathered[size]
        for name, column in self.columns.items():
            np.take(column, batch, out=gathered[name])
        bound.load(gathered)
        self._current = bound

    def evaluate(self, theta: list[float], full: bool = False) -> tuple[float, list[float]]:
        """Mean loss and gradient over the current batch (all rows if full)."""
        bound = self._full() if full else self._current
        loss, grads = bound.run(theta)
        if math.isfinite(loss) and all(math.isfinite(v) for v in grads):
            return loss, grads
        return self.reference(theta, None if full else self._batch)

    def reference(self, theta: list[float], batch=None) -> tuple[float, list[float]]:
        """The same step through arrays.py: finite values, or the error that explains them."""
        import numpy as np

        from gradcli.passes.arrays import backward_arrays, forward_arrays

        g = self.g
        columns = self.columns if batch is None else {n: c[batch] for n, c in self.columns.items()}
        rows = self.rows if batch is None else len(batch)
        given = {**self.scalars, **dict(zip(self.params, theta)), **columns}
        try:
            vals = forward_arrays(g, given)
        except GradMathError:
            if batch is None:
                raise
            self.reference(theta)  # name a row of the whole data set, not of the batch
            raise
        out = vals[g.output]
        mean = np.ndim(out) > 0
        with np.errstate(all="ignore"):
            loss = float(np.mean(out)) if mean else float(out)
            adj = backward_arrays(g, vals, 1.0 / rows if mean else 1.0)
            grads = [float(np.sum(np.broadcast_to(adj[g.inputs[p]], (rows,))) if mean
                           else adj[g.inputs[p]]) for p in self.params]
        if not math.isfinite(loss):
            raise GradMathError(f"the loss is {fmt(loss)}")
        for name, v in zip(self.params, grads):
            if not math.isfinite(v):
                raise GradMathError(f"the gradient with respect to '{name}' is {fmt(v)}")
        return loss, grads


# -- array programs (README "Arrays: vectors and matrices") -----------------------------------------------------------------

def has_arrays(g: Graph, values: dict) -> bool:
    """An array program: an array operation or literal, or a value that is an array."""
    return bool(getattr(g, "arrays", False)) or any(getattr(v, "ndim", 0) for v in values.values())


class ArrayPointEngine:
    """No data, arrays: the step in reused buffers (array_plan.py); where its loss or a
    gradient is not finite, the arrays domain's careful passes at the same parameters."""

    rows = None
    full_batch = True

    def __init__(self, g: Graph, params: list[str], scalars: dict, initial: dict):
        from gradcli.program.arrays import input_shapes
        from gradcli.passes import shapes as S

        self.g, self.params = g, params
        self.scalars = dict(scalars)
        self.bindings = dict(scalars)
        self.bindings.update(initial)
        self.shapes = S.infer(g, input_shapes(self.bindings))
        S.require_scalar(g, self.shapes, "train")
        self.nodes = [g.inputs[p] for p in params]
        self._plan = None            # the step in reused buffers (array_plan.py); False: none

    def batches(self, seed):
        while True:
            yield None

    def use(self, batch) -> None:
        pass

    def evaluate(self, theta: list, full: bool = False) -> tuple[float, list]:
        import numpy as np

        from gradcli.passes import array_domain as D
        from gradcli.passes import engine

        if self._plan is None:
            self._plan = _bound_plan(self.g, self.params, theta, self.scalars, {}, rows=False)
        if self._plan:
            found = _planned(self._plan, theta)
            if found is not None:
                return _checked(self.g, self.params, found[0], found[1], self.shapes, self.nodes)
        # the careful passes: they name a value that is not finite (or find the finite
        # answer that the guard against 0·∞ gives)
        self.bindings.update(zip(self.params, theta))
        vals = D.forward(self.g, self.bindings, self.shapes)   # names a node that is not finite
        with np.errstate(all="ignore"):
            back = engine.backward(self.g, vals, D.ARRAYS, targets=self.nodes)
        return _checked(self.g, self.params, float(vals[self.g.output]),
                        [back.adjoints[i] for i in self.nodes], self.shapes, self.nodes)


class RowsEngine(_Batches):
    """Data, arrays: the program is written for one row; the loss is the mean over a batch's
    rows, all computed at once by the engine in the row domain (passes/row_domain.py:
    every value with a leading row axis, N rows or 1 where it is the same for all), as a
    plan in reused buffers per batch size (array_plan.py); the domain's passes node by
    node where the plan's loss or a gradient is not finite."""

    def __init__(self, g: Graph, params: list[str], scalars: dict, initial: dict,
                 dataset, batch_size: int | None = None):
        import numpy as np

        from gradcli.ops import rows as R
        from gradcli.passes import shapes as S

        self.g, self.params = g, params
        self.R = R
        self.rows = dataset.rows
        self.batch_size = min(batch_size or self.rows, self.rows)
        needed = [n for n in g.inputs if n not in scalars and n not in params]
        self.columns = {n: np.asarray(dataset.columns[n], dtype=np.float64) for n in needed}
        per_row = {**{n: _shape(v) for n, v in scalars.items()},
                   **{n: _shape(v) for n, v in initial.items()}, **{n: () for n in needed}}
        self.shapes = S.infer(g, per_row)
        S.require_scalar(g, self.shapes, "train")
        _check_label_columns(g, self.shapes, self.columns, dataset)
        self.dataset = dataset
        self.shared = {n: R.shared(v) for n, v in scalars.items()}
        self.nodes = [g.inputs[p] for p in params]
        self.scalars = dict(scalars)
        self._batch = None
        self._plans: dict = {}      # the step in reused buffers, per batch size (False: none)
        self._loaded = None          # the batch the full-size plan holds (None: not yet)

    def use(self, batch) -> None:
        self._batch = batch

    def evaluate(self, theta: list, full: bool = False) -> tuple[float, list]:
        from gradcli.passes.array_domain import BadClassIndex

        batch = None if full else self._batch
        try:
            return self._evaluate(theta, batch)
        except BadClassIndex as exc:
            if batch is not None:  # the file's first bad row, not this batch's: all rows once
                try:
                    self._evaluate(theta, None)
                except BadClassIndex as first:
                    exc, batch = first, None
            raise _located(exc, self.g, self.columns, self.dataset, batch) from None

    def _evaluate(self, theta: list, batch) -> tuple[float, list]:
        import numpy as np

        from gradcli.passes import row_domain

        full = batch is None
        columns = self.columns if batch is None else {n: c[batch] for n, c in self.columns.items()}
        size = self.rows if batch is None else len(batch)
        # the loss over all rows after mini-batches: once, not worth buffers for every row
        plan = False if full and not self.full_batch else self._plans.get(size)
        if plan is None:
            plan = self._plans[size] = _bound_plan(self.g, self.params, theta, self.scalars, columns,
                                                   rows=True)
            self._loaded = None
        if plan:
            if batch is not None or self._loaded != size:
                plan.load(columns)
                self._loaded = size if batch is None else None
            found = _planned(plan, theta)
            if found is not None:
                return _checked(self.g, self.params, found[0], found[1], self.shapes, self.nodes)
        inputs = {**self.shared, **columns,
                  **{p: self.R.shared(v) for p, v in zip(self.params, theta)}}
        vals, found = row_domain.run(self.g, inputs, self.nodes, row_domain.FAST)
        loss = float(np.mean(vals[self.g.output]))
        if math.isfinite(loss) and all(v is None or np.isfinite(v).all() for v in found):
            return _checked(self.g, self.params, loss, found, self.shapes, self.nodes)
        # a value was not finite: again with every check, which names the node (or finds that
        # the guard against 0·∞ gives finite gradients after all)
        vals, found = row_domain.run(self.g, inputs, self.nodes, row_domain.CAREFUL)
        loss = float(np.mean(vals[self.g.output]))
        return _checked(self.g, self.params, loss, found, self.shapes, self.nodes)


def _check_label_columns(g: Graph, shapes, columns: dict, dataset) -> None:
    """Class indices read straight from a column are checked whole before training, so that
    a bad one is named by its file line (the kernels' own check, run per batch, only knows
    the batch's index; it still guards indices computed from the data)."""
    import numpy as np

    from gradcli.errors import GradValueError
    from gradcli.ops.table import ALIAS
    from gradcli.passes.array_domain import class_index_rule

    names = {node: name for name, node in g.inputs.items() if name in columns}
    for i, op in enumerate(g.ops):
        for k in op.labels:
            j = column = g.args[i][k]
            while g.ops[column] is ALIAS:   # t = y; cross_entropy(s, t)
                column = g.args[column][0]
            name = names.get(column)
            scores = shapes[g.args[i][0]]
            if name is None or not scores:
                continue
            y, classes = columns[name], scores[-1]
            bad = np.flatnonzero(~((y == np.floor(y)) & (y >= 0) & (y < classes)))
            if len(bad):
                raise GradValueError(
                    f"{dataset.where(int(bad[0]))}, column '{name}': {class_index_rule(g, i, j, classes)}, "
                    f"but on this row '{g.label(j)}' is {fmt(float(y[bad[0]]))}")


def _located(exc, g: Graph, columns: dict, dataset, batch):
    """A bad class index computed from the data (cross_entropy(s, 1 - y)), named by the file
    line of its row rather than its index in the batch; as it was where no row is known."""
    from gradcli.errors import GradValueError

    # the nodes whose values come from the data (a node's args come before it: one sweep)
    fed = {node for name, node in g.inputs.items() if name in columns}
    for i, args in enumerate(g.args):
        if any(a in fed for a in args):
            fed.add(i)
    rows = len(next(iter(columns.values()))) if batch is None else len(batch)
    if exc.node not in fed or not exc.index or exc.shape[0] != rows:
        return exc
    row = exc.index[0] if batch is None else int(batch[exc.index[0]])
    rest = f"[{', '.join(map(str, exc.index[1:]))}]" if len(exc.index) > 1 else ""
    return GradValueError(f"{dataset.where(row)}: {exc.head}, but on this row "
                          f"'{exc.label}{rest}' is {exc.value}")


def _bound_plan(g: Graph, params: list[str], theta: list, bound: dict, columns: dict, rows: bool):
    """The array step in reused buffers (training/array_plan.py), traced at theta; False
    where it cannot be made (then every step runs the engine's passes node by node)."""
    from gradcli.errors import GradcliError
    from gradcli.training.array_plan import compile_array_plan
    from gradcli.training.array_plan_run import BoundArrayPlan

    try:
        plan = BoundArrayPlan(compile_array_plan(g, params, theta, bound, columns, rows))
    except GradcliError:
        return False     # the passes themselves give the error, and say where
    except Exception:    # a program the plan cannot trace: slower node by node, never different
        return False
    plan.load(columns)
    return plan


def _planned(plan, theta: list):
    """(loss, gradients) of the plan's step, or None when one is not finite."""
    import numpy as np

    loss, grads = plan.run(theta)
    if math.isfinite(loss) and all(np.isfinite(v).all() for v in grads):
        return loss, grads
    return None


def _shape(v) -> tuple:
    return tuple(getattr(v, "shape", ()))


def _checked(g: Graph, params: list[str], loss: float, grads: list, shapes, nodes):
    """(loss, gradients: floats for scalar parameters, arrays of their shapes otherwise)."""
    import numpy as np

    if not math.isfinite(loss):
        raise GradMathError(f"the loss is {fmt(loss)}")
    out = []
    for name, v, i in zip(params, grads, nodes):
        # a copy: a plan's gradient is its buffer, overwritten by the next step
        v = np.zeros(shapes[i]) if v is None else np.array(v, dtype=np.float64).reshape(shapes[i])
        if not np.isfinite(v).all():
            raise GradMathError(f"the gradient with respect to '{name}' is not finite")
        out.append(float(v) if v.ndim == 0 else v)
    return loss, out
