"""The array training plan: one step of an array program compiled into reused buffers.

Training an array program (README "Arrays: vectors and matrices") runs the same
forward and backward passes at every step, on values whose shapes never change.
Interpreting them node by node makes every operation allocate a fresh array, and
large NumPy arrays are handed to the operating system and faulted in again each
time: most of a step went on memory, not arithmetic. Here, once per batch size:

1. the engine's own passes (passes/engine.py: forward, then backward with the
   operation table's rules) run in `TapeDomain`, whose kernels write NumPy
   micro-operations on a tape (array_tape.py) and compute them once, so that every
   value's shape is known; no second backward pass is written here;
2. `BoundArrayPlan` (array_plan_run.py) gives every value a buffer, reused once the
   value is dead, and a step runs each micro-operation with `out=`.

Two flavours of the same domain: ARRAYS (every value of its node's shape,
ArrayPointEngine) and ROWS (a program written for one row, every value with a
leading row axis: RowsEngine; passes/row_domain.py). A flavour says how the
kernels that matter for speed (elementwise ufuncs, matmul and its two gradient
helpers, transpose, the sums that bring a contribution to its input's shape,
softmax and cross_entropy) become micro-operations; every other kernel is called
as it is (array_tape.CALL), the same function the reference passes call.

Like the scalar plan, this one checks nothing (no finiteness check per value, no
guard against 0·∞): the engines look at the loss and the gradients and, when one
is not finite, run the step again through the careful reference passes, which
name the node or give the finite answer.
"""

from __future__ import annotations

import functools

import numpy as np

from gradcli.ops import arrays as K
from gradcli.ops import predicates
from gradcli.ops import rows as R
from gradcli.ops import table as O
from gradcli.passes import engine
from gradcli.passes.array_domain import ARRAYS, check_labels
from gradcli.training.array_tape import CONST, PER_BATCH, PER_STEP, Tape


# -- micro-operations shared by both flavours --------------------------------------------

def _swap(x):
    return np.swapaxes(x, -1, -2)


def _take_into(flat, index, out=None):
    return np.take(flat, index, out=out)


def _dot_into(a, b, out=None):
    return np.dot(a, b, out)


def _matmul(tape, a, b):
    """a @ b into a buffer. Where the product sums over the long axis of two matrices (a
    weight's gradient, Xᵀ G), np.dot: NumPy's matmul takes a slower loop there (3× at
    10^4 rows)."""
    sa, sb = tape.shape(a), tape.shape(b)
    if len(sa) == 2 and len(sb) == 2 and sa[1] > max(sa[0], sb[1]):
        return tape.ufunc(_dot_into, a, b)
    return tape.ufunc(np.matmul, a, b)


def _sum(tape, x, axes, keepdims=False):
    """np.sum over axes. Down the rows of a narrow matrix (a bias's gradient), a product
    with ones: NumPy's reduce down a short inner axis is 3 to 40 times slower there."""
    shape = tape.shape(x)
    if len(shape) == 2 and tuple(axes) == (0,) and (shape[1] < 8 or shape[0] * shape[1] <= 640_000):
        total = tape.ufunc(_dot_into, tape.const(np.ones(shape[0])), x)
        return tape.view(_reshape, total, (1, shape[1])) if keepdims else total
    return tape.reduce(np.add, x, axes, keepdims)


def _reshape(x, shape):
    return np.reshape(x, shape)


def _flat_index(y, classes: int):
    """Where each row's class score sits in the flattened (N, C) scores."""
    return np.arange(np.shape(y)[0]) * classes + np.asarray(y).astype(np.intp)


def _onehot(y, shape):
    return K.onehot(y, np.broadcast_to(0.0, shape))


def _ravel(x):
    return np.reshape(x, -1)


def _column(x, c: int):
    return x[..., c:c + 1]


def _over_last(tape: Tape, fn, x: int) -> int:
    """fn.reduce over the last axis, kept as an axis of 1. A few classes: one ufunc per
    column (the same order of additions as NumPy's reduce below 8 elements), thirty times
    faster than NumPy's reduce along a short axis."""
    classes = tape.shape(x)[-1] if tape.shape(x) else 0
    if not 2 <= classes < 8:
        return tape.reduce(fn, x, -1, True)
    acc = tape.ufunc(fn, tape.view(_column, x, 0), tape.view(_column, x, 1))
    for c in range(2, classes):
        acc = tape.ufunc(fn, acc, tape.view(_column, x, c))
    return acc


def _softmax_parts(tape: Tape, a: int):
    """(a - max, exp of it, its sum over the last axis): shared by softmax, log_softmax and
    cross_entropy, forward and backward (the tape makes each once)."""
    m = _over_last(tape, np.maximum, a)
    z = tape.ufunc(np.subtract, a, m)
    e = tape.ufunc(np.exp, z)
    return z, e, _over_last(tape, np.add, e)


def _softmax(tape, a):
    if np.ndim(tape.value[a]) == 0:
        return None
    _, e, se = _softmax_parts(tape, a)
    return tape.ufunc(np.divide, e, se)


def _log_softmax(tape, a):
    if np.ndim(tape.value[a]) == 0:
        return None
    z, _, se = _softmax_parts(tape, a)
    return tape.ufunc(np.subtract, z, tape.ufunc(np.log, se))


def _row_losses(tape, s, y):
    """-log softmax(s)[y] of each row of 2-D scores s, as the kernels compute it."""
    n, classes = tape.shape(s)
    if tape.shape(y) != (n,):
        return None
    z, _, se = _softmax_parts(tape, s)
    lse = tape.view(_ravel, tape.ufunc(np.log, se))
    picked = tape.ufunc(_take_into, tape.view(_ravel, z), tape.call(_flat_index, y, extra=(classes,)))
    return tape.ufunc(np.subtract, lse, picked)    # -(z[y] - lse): negation is exact


def _ufunc_kernels(wrap):
    return {name: wrap(fn) for name, fn in vars(K).items() if isinstance(fn, np.ufunc)}


# -- ARRAYS: every value of its node's shape ---------------------------------------------

def _a_elementwise(fn):
    return lambda tape, *xs: tape.ufunc(fn, *xs)


def _a_matmul_da(tape, g, a, b):
    if np.ndim(tape.value[a]) < 2 or np.ndim(tape.value[b]) < 2:
        return None
    return _a_reduce_to(tape, _matmul(tape, g, tape.view(_swap, b)), tape.shape(a))


def _a_matmul_db(tape, g, a, b):
    if np.ndim(tape.value[a]) < 2 or np.ndim(tape.value[b]) < 2:
        return None
    return _a_reduce_to(tape, _matmul(tape, tape.view(_swap, a), g), tape.shape(b))


def _a_reduce_to(tape, x, shape):
    """kernels_np.reduce_to as micro-operations (the same sums, in the same order)."""
    shape = tuple(shape)
    xs = tape.shape(x)
    if xs == shape:
        return x
    extra = len(xs) - len(shape)
    if extra:
        x = _sum(tape, x, tuple(range(extra)))
    return _sum_stretched(tape, x, shape)


def _a_cross_entropy(tape, s, y):
    if np.ndim(tape.value[s]) != 2:
        return None
    losses = _row_losses(tape, s, y)
    if losses is None:
        return None
    return tape.ufunc(np.divide, tape.reduce(np.add, losses, None), tape.const(float(tape.shape(s)[0])))


ARRAY_LOWERINGS = {
    **_ufunc_kernels(_a_elementwise),
    "identity": lambda tape, a: a,
    "relu": lambda tape, a: tape.ufunc(np.fmax, a, tape.const(0.0)),   # fmax: relu(nan) is 0, as the kernel
    "step": lambda tape, a: tape.ufunc(np.greater, a, tape.const(0.0)),  # a mask: g * mask
    "matmul": _matmul,
    "matmul_da": _a_matmul_da,
    "matmul_db": _a_matmul_db,
    "transpose": lambda tape, a: tape.view(np.transpose, a),
    "softmax": _softmax,
    "log_softmax": _log_softmax,
    "cross_entropy": _a_cross_entropy,
    "onehot": lambda tape, y, s: tape.call(_onehot, y, extra=(tape.shape(s),)),
    "rows": lambda tape, s: tape.const(float(tape.shape(s)[0]) if len(tape.shape(s)) == 2 else 1.0),
    "count": lambda tape, a: tape.const(float(np.prod(tape.shape(a)))),
    "sumlast": lambda tape, x: _over_last(tape, np.add, x),
}


# -- ROWS: a leading row axis (N rows, or 1 for a shared value) ---------------------------

def _lead(tape, x):
    return tape.view(R.lead, x) if np.ndim(tape.value[x]) == 0 else x


def _aligned(tape, xs):
    """ops/rows._align as views: per-row axes lined up at the right."""
    top = max(max(np.ndim(tape.value[x]) for x in xs), 1)
    out = []
    for x in xs:
        s = tape.shape(x)
        # a number broadcasts against any row as its aligned (1, …, 1) would
        out.append(tape.view(_reshape, x, s[:1] + (1,) * (top - len(s)) + s[1:]) if 0 < len(s) < top else x)
    return out


def _r_elementwise(fn):
    def lowered(tape, *xs):
        if all(np.ndim(tape.value[x]) == 0 for x in xs):
            return tape.ufunc(fn, *xs)
        return tape.ufunc(fn, *_aligned(tape, xs))

    return lowered


def _rows_of(tape, x) -> int:
    return tape.shape(x)[0]


def _first(x):
    return x[0]


def _first_t(x):
    return x[0].T


def _t(x):
    return x.T


def _led(x):
    return x[None]


def _r_matmul(tape, a, b):
    a, b = _lead(tape, a), _lead(tape, b)
    ra, rb = len(tape.shape(a)) - 1, len(tape.shape(b)) - 1
    if ra == 2 and rb == 1 and _rows_of(tape, a) == 1:           # W @ x per row: X @ W.T
        return _matmul(tape, b, tape.view(_first_t, a))
    if ra == 1 and rb == 2 and _rows_of(tape, b) == 1:           # x @ W per row
        return _matmul(tape, a, tape.view(_first, b))
    return None


def _r_matmul_da(tape, g, a, b):
    g, a, b = _lead(tape, g), _lead(tape, a), _lead(tape, b)
    ra, rb = len(tape.shape(a)) - 1, len(tape.shape(b)) - 1
    if ra == 2 and rb == 1 and _rows_of(tape, a) == 1 and _rows_of(tape, g) == _rows_of(tape, b):
        return tape.view(_led, _matmul(tape, tape.view(_t, g), b))      # Σ_rows g xᵀ
    if ra == 1 and rb == 2 and _rows_of(tape, b) == 1:
        return _r_reduce_to(tape, _matmul(tape, g, tape.view(_first_t, b)), tape.shape(a))
    return None


def _r_matmul_db(tape, g, a, b):
    g, a, b = _lead(tape, g), _lead(tape, a), _lead(tape, b)
    ra, rb = len(tape.shape(a)) - 1, len(tape.shape(b)) - 1
    if ra == 2 and rb == 1 and _rows_of(tape, a) == 1:          # ∂x = Wᵀ g per row
        return _r_reduce_to(tape, _matmul(tape, g, tape.view(_first, a)), tape.shape(b))
    if ra == 1 and rb == 2 and _rows_of(tape, b) == 1 and _rows_of(tape, g) == _rows_of(tape, a):
        return tape.view(_led, _matmul(tape, tape.view(_t, a), g))      # Σ_rows x gᵀ
    return None


def _r_reduce_to(tape, x, shape):
    """ops/rows.reduce_to as micro-operations (the same sums, in the same order)."""
    x = _lead(tape, x)
    shape = tuple(shape)
    xs = tape.shape(x)
    if xs == shape:
        return x
    if not shape:
        return tape.view(_reshape, _r_reduce_to(tape, x, (1,)), ())
    extra = len(xs) - len(shape)
    if extra > 0:
        x = tape.reduce(np.add, x, tuple(range(1, 1 + extra)))
    elif extra < 0:
        x = tape.view(_reshape, x, xs[:1] + (1,) * -extra + xs[1:])
    return _sum_stretched(tape, x, shape)


def _sum_stretched(tape, x, shape):
    """x summed, keeping the axis, along each axis that broadcasting stretched from 1."""
    xs = tape.shape(x)
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and xs[i] != 1)
    if stretched:
        x = _sum(tape, x, stretched, True)
    return x


def _r_cross_entropy(tape, s, y):
    s, y = _lead(tape, s), _lead(tape, y)
    if len(tape.shape(s)) != 2:
        return None
    return _row_losses(tape, s, y)


def _r_transpose(tape, a):
    a = _lead(tape, a)
    n = len(tape.shape(a))
    return tape.view(np.transpose, a, (0,) + tuple(range(n - 1, 0, -1)))


def _r_onehot(tape, y, s):
    s = _lead(tape, s)
    if len(tape.shape(s)) != 2 or tape.shape(y) != tape.shape(s)[:1]:
        return None
    return tape.call(_onehot, y, extra=(tape.shape(s),))


ROW_LOWERINGS = {
    **_ufunc_kernels(_r_elementwise),
    "identity": lambda tape, a: a,
    "relu": lambda tape, a: tape.ufunc(np.maximum, _lead(tape, a), tape.const(0.0)),   # as rows.FAST
    "step": lambda tape, a: tape.ufunc(np.greater, _lead(tape, a), tape.const(0.0)),
    "matmul": _r_matmul,
    "matmul_da": _r_matmul_da,
    "matmul_db": _r_matmul_db,
    "transpose": _r_transpose,
    "softmax": lambda tape, a: _softmax(tape, _lead(tape, a)),
    "log_softmax": lambda tape, a: _log_softmax(tape, _lead(tape, a)),
    "cross_entropy": _r_cross_entropy,
    "onehot": _r_onehot,
    "rows": lambda tape, s: tape.const(float(tape.shape(s)[1]) if len(tape.shape(s)) == 3 else 1.0),
    "sumlast": lambda tape, x: _over_last(tape, np.add, _lead(tape, x)),
}


# -- the domain ---------------------------------------------------------------------------

def _mask_values(where, given, rows, *vals):
    """masked_zero of a rule's value where op.zero_where holds (PyTorch's convention)."""
    *ins, local = vals
    full = iter(ins)
    a, b, out = (next(full) if g else None for g in given)
    if rows:
        lined = R._align([v for v in (a, b, out) if v is not None])
        it = iter(lined)
        a, b, out = (next(it) if g else None for g in given)
        m, v = R._align([where(a, b, out), local])
        return np.where(m, 0.0, v)
    return K.masked_zero(where(a, b, out), local)


def _check_labels(graph, i, scores: tuple, *labels):
    """check_labels on the class indices alone (the scores only give their number)."""
    op = graph.ops[i]
    xs = [np.broadcast_to(0.0, scores)] + [None] * (len(graph.args[i]) - 1)
    for k, y in zip(op.labels, labels):
        xs[k] = y
    check_labels(graph, i, xs)
    return 0.0


class TapeDomain(engine.Domain):
    """Values are nodes of a tape; kernels write micro-operations (and trace them)."""

    name = "array plan"

    def __init__(self, tape: Tape, rows: bool):
        super().__init__(None)
        from gradcli.passes import row_domain

        self.tape, self.rows_flavour = tape, rows
        self.base = row_domain.FAST if rows else ARRAYS
        self.lowerings = ROW_LOWERINGS if rows else ARRAY_LOWERINGS
        if rows:   # a vjp rule's result summed to its input's shape, as in the row domain
            self.rules = row_domain.RowRules(lambda x, like: _r_reduce_to(tape, x, tape.shape(like)))
        self.special_forward = {op: _labelled for op in O.ARRAY_OPS if op.labels}
        self.effects: list[int] = []     # nodes run for what they check (class indices)

    def find_kernel(self, op):
        tape, base = self.tape, self.base.kernel(op)
        lowered = self.lowerings.get(op.kernel)

        def kernel(*xs):
            if lowered is not None:
                node = lowered(tape, *xs)
                if node is not None:
                    return node
            return tape.call(base, *xs)

        return kernel

    def const(self, v, name=None):
        return self.tape.const(self.base.const(v, name))

    def leaf(self, graph, i):
        return self.tape.const(self.base.leaf(graph, i))

    def apply(self, op, xs):
        return self.kernel(op)(*xs)

    def check(self, graph, i, vals, v):
        return v

    def is_zero(self, v) -> bool:
        return self.tape.scalar(v) == 0     # a "0" rule; an array is never looked at

    def chain(self, g, local):
        tape = self.tape
        c = tape.scalar(local)
        if c == 1:
            return g
        if self.rows_flavour and c is None:
            return tape.ufunc(np.multiply, *_aligned(tape, [g, local]))
        return tape.ufunc(np.multiply, g, local)

    def add(self, x, y):
        return self.tape.ufunc(np.add, x, y)

    def mask(self, op, k, rule):
        if not callable(rule):
            return rule
        where = predicates.array_function(op.zero_where[k])
        tape, rows = self.tape, self.rows_flavour

        def masked(a, b=None, out=None, x=None, *more):
            local = rule(a, b, out, x, *more)
            given = tuple(v is not None for v in (a, b, out))
            ins = [v for v in (a, b, out) if v is not None]
            return tape.call(functools.partial(_mask_values, where, given, rows), *ins, local)

        return masked

    def reduce_to(self, contribution, value, out):
        if self.rows_flavour:
            return _r_reduce_to(self.tape, contribution, self.tape.shape(value))
        return _a_reduce_to(self.tape, contribution, self.tape.shape(value))


def _labelled(domain, graph, i, xs):
    """Class indices are checked when their values are known: now (the trace), and again
    whenever they change (a node run with the batch, or the step)."""
    tape = domain.tape
    labels = [xs[k] for k in graph.ops[i].labels]
    # traced now: bad indices raise here; run again with every batch (or step) they change in
    check = tape.call(functools.partial(_check_labels, graph, i, tape.shape(xs[0])), *labels)
    if tape.kind[check] != CONST:
        domain.effects.append(check)
    return domain.apply(graph.ops[i], xs)


class ArrayPlan:
    """The tape and what a step gives: the loss, each parameter's gradient, the checks."""

    def __init__(self, tape, loss, grads, params, columns, effects):
        self.tape, self.loss, self.grads = tape, loss, grads
        self.params, self.columns, self.effects = params, columns, effects


def compile_array_plan(graph, params: list[str], theta: list, bound: dict, columns: dict,
                       rows: bool) -> ArrayPlan:
    """The plan of one step at these shapes, traced at theta on these columns.

    params: the parameters' names, theta their values; bound: values fixed for the
    run; columns (rows only): the batch's data columns. The loss is the program's
    output (ARRAYS) or its mean over the rows (ROWS).
    """
    tape = Tape()
    domain = TapeDomain(tape, rows)
    inputs, param_nodes, column_nodes = {}, [], {}
    for name, value in bound.items():
        value = R.shared(value) if rows else np.asarray(value, dtype=float)
        inputs[name] = tape.const(value)
    for name, value in zip(params, theta):
        leaf = tape.input(name, np.array(value, dtype=np.float64), PER_STEP)
        param_nodes.append(leaf)
        inputs[name] = tape.view(_led, leaf) if rows else leaf
    for name, value in columns.items():
        leaf = column_nodes[name] = tape.input(name, np.asarray(value, dtype=np.float64), PER_BATCH)
        inputs[name] = leaf
    with np.errstate(all="ignore"):
        vals = engine.forward(graph, inputs, domain)
        out = vals[graph.output]
        targets = [graph.inputs[p] for p in params]
        if rows:
            n = tape.shape(out)[0]
            seed = tape.const(np.full(tape.shape(out), 1.0 / n))
            back = engine.backward(graph, vals, domain, targets=targets, seed=seed)
            loss = tape.ufunc(np.divide, tape.reduce(np.add, out, None), tape.const(float(n)))
        else:
            back = engine.backward(graph, vals, domain, targets=targets)
            loss = out
        grads = []
        for name, j, value in zip(params, targets, theta):
            adj = back.adjoints[j]
            if adj is None:
                grads.append(tape.const(np.zeros(np.shape(value))))
            elif rows and tape.shape(adj)[:1] == (1,):
                grads.append(tape.view(_first, adj))     # shared by every row: already the sum
            elif rows:
                grads.append(tape.reduce(np.add, _lead(tape, adj), 0))
            else:
                grads.append(adj)
    return ArrayPlan(tape, loss, grads, param_nodes, column_nodes, domain.effects)
