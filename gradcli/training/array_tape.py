"""The array training plan's working form: a tape of NumPy micro-operations with shapes.

`array_plan.py` runs the engine's forward and backward passes (passes/engine.py) in a
domain whose kernels write micro-operations here instead of computing. Each
micro-operation is also computed once as it is written (the trace), on the first
step's values, so that every node's shape and dtype are known before the plan runs:
`array_plan_run.py` then gives each one a buffer, once, and a step writes into them
with NumPy's `out=`.

Kinds of micro-operation:

- INTO: a ufunc (np.add, np.matmul, np.greater, ...) or a function of the same form,
  f(*inputs, out), that writes the node's value into its buffer;
- REDUCE: ufunc.reduce over some axes, into the node's buffer;
- VIEW: a view of its inputs (a transpose, a reshape, a broadcast): no data is made;
- CALL: anything else, a kernel of ops/arrays.py or ops/rows.py called as it is (it
  returns a new array at every step: correct for every kernel, only slower).

As in the scalar plan's IR (plan_ir.py): a node whose inputs are all constants is
folded into a constant; the same operation on the same inputs is one node (the
forward pass's softmax pieces are the backward pass's); `x * 1` and `x + 0` are x.
Each node knows when its value is known: AT_COMPILE, PER_BATCH (data only: run once
per batch of rows) or PER_STEP (depends on a parameter).
"""

from __future__ import annotations

import numpy as np

from gradcli.training.plan_ir import AT_COMPILE, PER_BATCH, PER_STEP  # noqa: F401  (one set of names)

CONST, INPUT, INTO, REDUCE, VIEW, CALL = range(6)


class Tape:
    """Nodes as parallel lists in creation order (a topological order), each with its
    traced value."""

    def __init__(self):
        self.kind: list[int] = []
        self.fn: list = []
        self.args: list[tuple] = []
        self.extra: list[tuple] = []    # REDUCE: (axis, keepdims); VIEW, CALL: trailing arguments
        self.when: list[int] = []
        self.value: list = []           # the traced value (a constant's value)
        self.name: list = []            # an input's name
        self._memo: dict = {}

    def __len__(self) -> int:
        return len(self.kind)

    def _push(self, kind, fn, args, extra, when, value, name=None) -> int:
        i = len(self.kind)
        self.kind.append(kind)
        self.fn.append(fn)
        self.args.append(args)
        self.extra.append(extra)
        self.when.append(when)
        self.value.append(value)
        self.name.append(name)
        return i

    # -- leaves ---------------------------------------------------------------
    def const(self, v) -> int:
        if np.ndim(v) == 0:    # one number: shared by every rule that names it
            key = ("const", float(v).hex(), np.asarray(v).dtype.str, isinstance(v, np.ndarray))
            found = self._memo.get(key)
            if found is None:
                found = self._memo[key] = self._push(CONST, None, (), (), AT_COMPILE, v)
            return found
        return self._push(CONST, None, (), (), AT_COMPILE, v)

    def input(self, name: str, value, when: int) -> int:
        return self._push(INPUT, None, (), (), when, value, name)

    def scalar(self, i: int):
        """The number a constant node holds, or None (not a constant, or not one number)."""
        if self.kind[i] == CONST and np.ndim(self.value[i]) == 0:
            return float(self.value[i])
        return None

    def shape(self, i: int) -> tuple:
        return np.shape(self.value[i])

    def _when(self, args) -> int:
        return max((self.when[a] for a in args), default=AT_COMPILE)

    def _op(self, kind, fn, args, extra, compute) -> int:
        key = (kind, fn, args, extra)
        found = self._memo.get(key)
        if found is not None:
            return found
        with np.errstate(all="ignore"):
            value = compute()
        when = self._when(args)
        if when == AT_COMPILE:
            i = self.const(value)
        else:
            i = self._push(kind, fn, args, extra, when, value)
        self._memo[key] = i
        return i

    # -- operations -------------------------------------------------------------
    def ufunc(self, fn, *args) -> int:
        """fn(*inputs) written into a buffer: a ufunc, or f(*inputs, out) of the same form."""
        same = self._trivial(fn, args)
        if same is not None:
            return same
        vals = self.value
        return self._op(INTO, fn, args, (), lambda: fn(*(vals[a] for a in args)))

    def reduce(self, fn, x: int, axis, keepdims: bool = False) -> int:
        """fn.reduce (a ufunc's) over `axis` (an int, a tuple or None: all), into a buffer."""
        v = self.value[x]
        if isinstance(axis, int) and axis < 0:
            axis += np.ndim(v)
        return self._op(REDUCE, fn, (x,), (axis, keepdims), lambda: fn.reduce(v, axis, None, None, keepdims))

    def view(self, fn, x: int, *extra) -> int:
        """fn(x, *extra), a view of x (or a copy NumPy makes: still correct)."""
        v = self.value[x]
        return self._op(VIEW, fn, (x,), extra, lambda: fn(v, *extra))

    def call(self, fn, *args, extra: tuple = ()) -> int:
        """fn(*inputs, *extra) as it is, a new value at every step."""
        vals = self.value
        return self._op(CALL, fn, tuple(args), extra, lambda: fn(*(vals[a] for a in args), *extra))

    def _trivial(self, fn, args):
        """x * 1, x / 1, x + 0, 1 * x, 0 + x, x - 0: x itself, where that changes no shape."""
        if len(args) != 2:
            return None
        x, y = args
        sx, sy = self.scalar(x), self.scalar(y)
        keep = None
        if (fn is np.multiply or fn is np.divide) and sy == 1:
            keep = x
        elif fn is np.multiply and sx == 1:
            keep = y
        elif (fn is np.add or fn is np.subtract) and sy == 0:
            keep = x
        elif fn is np.add and sx == 0:
            keep = y
        if keep is None:
            return None
        v = self.value[keep]
        if isinstance(v, np.ndarray) and v.dtype == np.float64 and v.shape == np.broadcast_shapes(
                self.shape(x), self.shape(y)):
            return keep
        return None
