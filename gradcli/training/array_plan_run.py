"""Running an array training plan: every value in a buffer made once, reused when dead.

A plan's tape (array_tape.py) knows every value's shape and dtype from its trace.
`BoundArrayPlan` keeps the nodes the loss, the gradients and the class-index checks
need, in order, split into a prologue (what depends on data only: run once per batch)
and a body (every step), and gives:

- each prologue value a buffer of its own, alive as long as the batch;
- each body value a buffer from a pool of free ones of its shape and dtype, given
  back as soon as the value (and every view of it) is dead; an elementwise ufunc
  whose input dies there writes over that input;
- the parameters buffers of their own, which each step copies theta into (so that
  every view of a parameter stays one array).

A step then allocates nothing but what the few CALL kernels return. The
interpreter is a loop over (mode, function, inputs, output, extra) tuples; no
Python source is generated.
"""

from __future__ import annotations

import numpy as np

from gradcli.training.array_tape import CONST, INPUT, INTO, PER_BATCH, PER_STEP, REDUCE, VIEW

INTO1, INTO2, INTON, RED, SETVIEW, SETCALL = range(6)
_FOREVER = 1 << 60


def _calls(tape, nodes: list[int]) -> list[tuple]:
    calls = []
    for i in nodes:
        kind, fn, args, extra = tape.kind[i], tape.fn[i], tape.args[i], tape.extra[i]
        if kind == INTO:
            mode = INTO1 if len(args) == 1 else INTO2 if len(args) == 2 else INTON
            calls.append((mode, fn, args[0] if mode == INTO1 else args, i, extra))
        elif kind == REDUCE:
            calls.append((RED, fn.reduce, args[0], i, extra))
        elif kind == VIEW:
            calls.append((SETVIEW, fn, args[0], i, extra))
        else:
            calls.append((SETCALL, fn, args, i, extra))
    return calls


def _run(calls: list[tuple], v: list) -> None:
    for mode, fn, a, o, x in calls:
        if mode == INTO2:
            i, j = a
            fn(v[i], v[j], out=v[o])
        elif mode == INTO1:
            fn(v[a], out=v[o])
        elif mode == RED:
            fn(v[a], x[0], None, v[o], x[1])
        elif mode == SETVIEW:
            v[o] = fn(v[a], *x)
        elif mode == INTON:
            fn(*[v[j] for j in a], out=v[o])
        else:
            v[o] = fn(*[v[j] for j in a], *x)


def _key(value) -> tuple:
    value = np.asarray(value)
    return value.shape, value.dtype.str


def _in_place(fn) -> bool:
    """An elementwise ufunc may write over an input of its output's shape."""
    return isinstance(fn, np.ufunc) and fn.signature is None


class BoundArrayPlan:
    """A plan with its buffers: load(columns) once per batch, then run(theta) per step."""

    def __init__(self, plan):
        tape = self.tape = plan.tape
        self.plan = plan
        roots = [plan.loss, *plan.grads, *plan.effects]
        needed = [False] * len(tape)
        for r in roots:
            needed[r] = True
        for i in range(len(tape) - 1, -1, -1):
            if needed[i]:
                for j in tape.args[i]:
                    needed[j] = True
        v: list = [None] * len(tape)
        work = {PER_BATCH: [], PER_STEP: []}
        for i in range(len(tape)):
            kind = tape.kind[i]
            if kind == CONST:
                v[i] = tape.value[i]
            elif kind == INPUT:
                v[i] = np.array(tape.value[i], dtype=np.float64)   # a parameter's own buffer
            elif needed[i]:
                work[tape.when[i]].append(i)
        self.prologue, self.body = work[PER_BATCH], work[PER_STEP]
        for i in self.prologue:
            if tape.kind[i] in (INTO, REDUCE):
                v[i] = np.empty_like(np.asarray(tape.value[i]))
        self.buffers = self._pool(self.body, set(roots), v)
        self.body = self._fixed_views(self.body, v)
        self.v = v
        self._prologue, self._body = _calls(tape, self.prologue), _calls(tape, self.body)
        self._columns = plan.columns

    def _pool(self, body: list[int], roots: set, v: list) -> int:
        """Buffers for the body's values, each reused once its value and views are dead;
        returns how many were made."""
        tape = self.tape
        owners: dict[int, tuple] = {}
        for i in body:
            if tape.kind[i] in (INTO, REDUCE):
                owners[i] = (i,)
            else:                       # a view (or a kernel's result) may share its inputs' memory
                owners[i] = tuple({b for a in tape.args[i] for b in owners.get(a, ())})
        last: dict[int, int] = {}
        for p, i in enumerate(body):
            for a in tape.args[i]:
                for b in owners.get(a, ()):
                    last[b] = p
        for r in roots:
            for b in owners.get(r, ()):
                last[b] = _FOREVER
        free: dict[tuple, list] = {}
        made = 0
        for p, i in enumerate(body):
            kind = tape.kind[i]
            if kind in (INTO, REDUCE):
                key = _key(tape.value[i])
                buf = None
                if kind == INTO and _in_place(tape.fn[i]):
                    for a in tape.args[i]:
                        if owners.get(a) == (a,) and last.get(a) == p and _key(tape.value[a]) == key:
                            buf, last[a] = v[a], -1        # a dies here: i writes over it
                            break
                if buf is None:
                    pool = free.get(key)
                    if pool:
                        buf = pool.pop()
                    else:
                        buf, made = np.empty(key[0], dtype=key[1]), made + 1
                v[i] = buf
                last.setdefault(i, p)       # never read: free again at once
            for b in {b for a in (*tape.args[i], i) for b in owners.get(a, ())}:
                if last.get(b) == p:
                    free.setdefault(_key(tape.value[b]), []).append(v[b])
                    last[b] = -1
        return made

    def _fixed_views(self, body: list[int], v: list) -> list[int]:
        """The body without the views of arrays that never change object (buffers, the
        parameters' own, constants): made once, here. A view of a kernel's fresh result,
        or a "view" NumPy had to copy, is made at every step."""
        tape = self.tape
        fixed = [tape.kind[i] in (CONST, INPUT, INTO, REDUCE) and tape.when[i] != PER_BATCH
                 for i in range(len(tape))]
        for i in self.prologue:
            fixed[i] = tape.kind[i] in (INTO, REDUCE)
        kept = []
        for i in body:
            (a,) = tape.args[i] if tape.kind[i] == VIEW else (None,)
            if a is not None and fixed[a] and isinstance(v[a], np.ndarray):
                view = tape.fn[i](v[a], *tape.extra[i])
                if isinstance(view, np.ndarray) and np.may_share_memory(view, v[a]):
                    v[i], fixed[i] = view, True
                    continue
            kept.append(i)
        return kept

    def load(self, columns: dict) -> None:
        """Take a batch's data columns (float64, as many rows as the plan was made for)."""
        v = self.v
        for name, i in self._columns.items():
            v[i] = columns[name]
        with np.errstate(all="ignore"):
            _run(self._prologue, v)

    def run(self, theta: list) -> tuple[float, list]:
        """The loss and every parameter's gradient at theta (may be non-finite); the
        gradients are the plan's buffers, overwritten by the next step."""
        v, plan = self.v, self.plan
        for i, value in zip(plan.params, theta):
            np.copyto(v[i], value)
        with np.errstate(all="ignore"):
            _run(self._body, v)
        return float(v[plan.loss]), [v[g] for g in plan.grads]
