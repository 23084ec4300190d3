"""Running a training plan: buffers, chunks of rows, and the interpreter loop.

A plan (plan.py) is data; here it becomes a list of calls, each (kernel,
input slot, second input slot or None, output slot, mode), run by `_run` over
a list of slots `v` that holds every value: numbers, data columns, and the
buffers that row-sized values are written into with `out=`.

The row-sized work of a step runs `CHUNK_ROWS` rows at a time: every
row-sized operation is element by element and every sum over rows adds up
over chunks, so the buffers can be a chunk long and stay in the processor's
cache instead of streaming the whole data set through memory at every
operation. A buffer is reused as soon as the value in it is dead. A step
allocates nothing.
"""

from __future__ import annotations

import functools

import numpy as np

from gradcli.ops import floats as kernels
from gradcli.training.plan_ir import COMPARISONS, REDUCTIONS, UFUNCS

# Rows per chunk: a few dozen buffers of this many float64 fit a core's L2 cache,
# and a chunk is long enough that calling a kernel costs little beside its work.
CHUNK_ROWS = 16384

# One number at a time, Python's arithmetic is the same IEEE arithmetic as NumPy's and
# several times cheaper to call; the float kernels' div gives ±inf or nan for x/0, as NumPy.
_SCALAR_ARITHMETIC = {"add": kernels.add, "sub": kernels.sub, "mul": kernels.mul,
                      "neg": kernels.neg, "div": kernels.div}
# Modes of a call: v[out] = result; write into the buffer v[out]; a sum over rows, which
# is added up chunk after chunk.
SET, INTO, SUM = 0, 1, 2


@functools.lru_cache(maxsize=None)
def _as_number(compare):
    def comparison(a, b):
        return float(compare(a, b))

    return comparison


def _calls(ir, nodes: list[int]) -> list[tuple]:
    calls = []
    for i in nodes:
        op, args, mode = ir.op[i], ir.args[i], SET
        if op in _SCALAR_ARITHMETIC and not ir.vec[i]:
            fn = _SCALAR_ARITHMETIC[op]
        elif op in COMPARISONS and not ir.vec[i]:  # one number: 0.0 or 1.0, not a NumPy bool
            fn = _as_number(COMPARISONS[op])
        elif op in UFUNCS:
            fn, mode = UFUNCS[op], (INTO if ir.vec[i] else SET)
        elif op in REDUCTIONS:
            fn, mode = REDUCTIONS[op], SUM
        else:
            fn = ir.extra[i]  # a kernels_np function that returns a new array
        calls.append((fn, args[0], args[1] if len(args) == 2 else None, i, mode))
    return calls


def _run(calls: list[tuple], v: list, add_sums: bool = False) -> None:
    """The plan's interpreter. A sum over rows sets its slot, or adds to it (add_sums)."""
    for fn, i, j, o, mode in calls:
        if mode == INTO:
            if j is None:
                fn(v[i], out=v[o])
            else:
                fn(v[i], v[j], out=v[o])
        else:
            r = fn(v[i]) if j is None else fn(v[i], v[j])
            if add_sums and mode == SUM:
                v[o] += r
            else:
                v[o] = r


class BoundPlan:
    """A plan with buffers for batches of a given number of rows."""

    def __init__(self, plan, rows: int, chunk: int = CHUNK_ROWS):
        ir = plan.ir
        self.plan, self.rows = plan, rows
        self.chunk = max(1, min(chunk, rows))
        v: list = [None] * len(ir)
        for i, value in ir.value.items():
            v[i] = value
        self._columns, self._params = {}, []
        for i in range(len(ir)):
            if not plan.needed[i]:
                continue
            if ir.op[i] == "rows":
                v[i] = float(rows)
            elif ir.op[i] == "column":
                self._columns[ir.extra[i]] = i
            elif ir.op[i] == "param":
                self._params.append((plan.params.index(ir.extra[i]), i))
        # Data-only row values live as long as the batch, in whole-batch buffers.
        self._prologue_buffers = {i: np.empty(rows) for i in plan.prologue
                                  if ir.vec[i] and ir.op[i] in UFUNCS}
        self._buffers = self._allocate(plan.rows, v)
        # The whole-batch values the row-sized work reads (data columns, data-only values):
        # a chunk of each at a time.
        made = set(plan.rows)
        self._streamed = sorted({j for i in plan.rows for j in ir.args[i]
                                 if ir.vec[j] and j not in made})
        self._whole: dict[int, np.ndarray] = {}
        self._sums = [i for i in plan.rows if ir.op[i] in REDUCTIONS]
        self.vals = v
        self._prologue = _calls(ir, plan.prologue)
        self._before, self._row_work, self._after = (_calls(ir, plan.before), _calls(ir, plan.rows),
                                                     _calls(ir, plan.after))

    def _allocate(self, nodes: list[int], v: list) -> dict[int, np.ndarray]:
        """A chunk-long buffer for each row-sized value, reused once the value is dead."""
        ir = self.plan.ir
        last = {}
        for p, i in enumerate(nodes):
            for j in ir.args[i]:
                last[j] = p
        buffers, free = {}, []
        for p, i in enumerate(nodes):
            for j in set(ir.args[i]):
                if j in buffers and last[j] == p:
                    free.append(buffers[j])  # dead after this call: the output may take it (ufuncs allow that)
            if ir.vec[i] and ir.op[i] in UFUNCS:
                v[i] = buffers[i] = free.pop() if free else np.empty(self.chunk)
        return buffers

    def load(self, columns: dict[str, np.ndarray]) -> None:
        """Take a batch: its columns (float64, `rows` long), then the data-only values."""
        v = self.vals
        for name, i in self._columns.items():
            v[i] = columns[name]
        for i, buffer in self._prologue_buffers.items():
            v[i] = buffer
        with np.errstate(all="ignore"):
            _run(self._prologue, v)
        self._whole = {i: v[i] for i in self._streamed}

    def run(self, theta: list[float]) -> tuple[float, list[float]]:
        """The batch's mean loss and its gradient at parameters theta (may be non-finite)."""
        v = self.vals
        for k, i in self._params:
            v[i] = theta[k]
        with np.errstate(all="ignore"):
            _run(self._before, v)
            if self.chunk >= self.rows:
                _run(self._row_work, v)
            else:
                self._run_chunks(v)
            _run(self._after, v)
        return float(v[self.plan.loss]), [float(v[g]) for g in self.plan.grads]

    def _run_chunks(self, v: list) -> None:
        for i in self._sums:
            v[i] = 0.0
        chunk, whole = self.chunk, self._whole
        for start in range(0, self.rows, chunk):
            stop = min(start + chunk, self.rows)
            for i in self._streamed:
                v[i] = whole[i][start:stop]
            if stop - start < chunk:  # the last, shorter chunk
                for i, buffer in self._buffers.items():
                    v[i] = buffer[:stop - start]
            _run(self._row_work, v, add_sums=True)
        for i, buffer in self._buffers.items():
            v[i] = buffer
