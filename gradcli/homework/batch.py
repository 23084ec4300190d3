"""Many points at once: `eval --batch`, `grad --batch`, and the same from Python.

    >>> from gradcli.homework.batch import grad_points
    >>> [r["gradient"] for r in grad_points("(x+y)*z", [{"x": 1, "y": 3, "z": -3},
    ...                                                  {"x": 2, "y": -1, "z": 0.5}])]
    [{'x': -3.0, 'y': -3.0, 'z': 4.0}, {'x': 0.5, 'y': 0.5, 'z': 1.0}]

Each point gives the object `eval --json` / `grad --json` gives for it, or
`{"error": {"kind", "message", "line"}}` when that point fails; the others go
on. Points are read in chunks (batch_io.py), turned into one column per input
and pushed through the graph together by `arrays.py` (the same operation table
and rules as the one-point passes). Where a NumPy pass meets a math error, the
chunk is halved until the failing points are found; those few are evaluated
one by one with the float passes, so each gets exactly the one-point message.

Values given once for every point (`shared`, the command line's bindings) are
defaults: a point that carries its own value for the name overrides it.

A point may bind arrays (README "Arrays in a batch"): a JSON Lines value that is a
nested list. Such a point, and every point of a `grad` of an array program, is
computed on its own in the arrays domain (program/arrays.py, as `grad --json` at that
point), so that points of different shapes go side by side and each is checked on its
own; its line is that result's JSON. `eval` of an array program whose points are all
numbers still runs every point at once in the row domain.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np

from gradcli.data import points as batch_io
from gradcli.program.program import Program
from gradcli.passes.arrays import backward_arrays, forward_arrays, lost_rows
from gradcli.data.points import Chunk, CsvChunk, read_chunks
from gradcli.program.bindings import bind
from gradcli.errors import (GradcliError, GradMathError, GradNameError, GradShapeError,
                            GradValueError, listing)
from gradcli.data.formats import SHOWN_CHARS, shown

# Below this many points, evaluating them one by one costs less than another halving.
SMALL = 32


@dataclass
class Results:
    """One chunk's answers: columns by point index (rubbish where errors or points has the point)."""

    n: int
    inputs: dict[str, object]      # name -> array of n values, or one float for all
    value: np.ndarray
    grads: list[np.ndarray]        # one array per name in Batch.wrt
    errors: dict[int, GradcliError]
    # points computed one by one in the arrays domain: their results (README "Arrays in a batch")
    points: dict[int, object] = field(default_factory=dict)


class Batch:
    """What every point shares: the program, the shared values and what to report.

    wrt is None for values only (eval); otherwise the names whose gradients are
    reported (every input by default; assigned names are allowed, as in grad).
    """

    def __init__(self, program: Program | str, shared: Mapping[str, object] | None = None,
                 wrt: Iterable[str] | None = None, gradients: bool = True):
        self.program = program if isinstance(program, Program) else Program(program)
        g = self.program.graph
        self.inputs = self.program.inputs
        shared = dict(shared or {})
        # bind() checks the names and values exactly as the one-point commands do.
        given = {name: 0.0 for name in self.inputs}
        given.update(shared)
        values = bind(self.inputs, list(g.assigned), given)
        self.shared = {name: values[name] for name in shared}
        self.wrt = None
        self.asked = None if wrt is None else list(dict.fromkeys(wrt))
        self.rows = None         # eval of an array program: every point's shapes (the row domain)
        self.per_point = False   # every point on its own in the arrays domain
        self._csv_header = None  # the CSV header whose shapes were checked
        if g.arrays or any(getattr(v, "ndim", 0) for v in self.shared.values()):
            self.rows = _rows_setup(self.program, self.shared, gradients)
            self.per_point = self.rows is None
        if gradients:
            names = self.inputs if wrt is None else self.asked
            self.targets = [self.program.node_of(name) for name in names]
            self.wrt = names
            if g.arrays:   # class indices have no gradient: --wrt of one is refused now
                from gradcli.program.arrays import gradient_names

                gradient_names(self.program, self.asked)

    # -- reading: raw values into columns ---------------------------------------------

    def columns(self, chunk: Chunk, whole: dict | None = None
                ) -> tuple[dict[str, object], dict[int, GradcliError]]:
        """One column of floats per input (or the shared value where no point has one), and
        the points that failed to bind. A point that binds an array of its own goes into
        `whole` (index -> all its values), to be computed on its own; its column entries stay 0."""
        errors = dict(chunk.errors)
        cols: dict[str, object] = {}
        odd: set[int] = set()
        whole = {} if whole is None else whole
        csv = isinstance(chunk, CsvChunk)
        for name in self.inputs:
            if not chunk.has(name):
                if name in self.shared:
                    cols[name] = self.shared[name]
                    continue
                if isinstance(chunk, CsvChunk):
                    from gradcli.program.bindings import binding_example

                    from gradcli.data import formats

                    have = list(chunk.header)
                    raise GradNameError(
                        f"the CSV header has no column '{name}' "
                        f"(it has {formats.columns_text(have)})",
                        hint=formats.separator_hint(have) or formats.case_hint([name], have)
                        or f"add the column, or give one value for every point, e.g. "
                           f"{binding_example([name])}")
            table = chunk.floats(name) if isinstance(chunk, CsvChunk) else None
            if table is not None:  # a chunk of plain numbers, read at C speed
                cols[name] = table
                continue
            cols[name], bad = _floats(chunk.column(name))
            odd.update(bad)
        for i in sorted(odd - errors.keys()):
            try:
                values = self._bind_point(chunk.point(i), csv)
            except GradcliError as exc:
                errors[i] = exc
                continue
            # An array where the other points have numbers: its own, or a shared one that an
            # empty cell falls back on.
            if any(v.__class__ is not float and self.is_column(n, cols[n]) for n, v in values.items()):
                whole[i] = values
                continue
            for name, v in values.items():
                if self.is_column(name, cols[name]):
                    cols[name][i] = v
        return cols, errors

    def _bind_point(self, raw: Mapping, csv: bool = False) -> dict[str, object]:
        """The one-point rules for a point the fast path could not take (text, absent, bad,
        an array)."""
        given: dict[str, object] = {name: 0.0 for name in self.shared}  # checked once, in __init__
        own = []
        for name in self.inputs:
            v = raw.get(name)
            if v is None or (isinstance(v, str) and not v.strip()):
                continue  # absent: the shared value, if any, holds
            if isinstance(v, bool):
                raise GradValueError(f"the value of '{name}' is not a number: {str(v).lower()}")
            if isinstance(v, int) and abs(v) > 2**1023:  # float() would raise OverflowError
                digits = int(abs(v).bit_length() * 0.30103) + 1  # str() refuses > 4,300 digits
                raise GradValueError(f"the value of '{name}' is not a finite number (an integer of "
                                     f"about {digits} digits)")
            if isinstance(v, str):
                _point_text(name, v, csv)
            given[name] = v
            own.append(name)
        try:
            values = bind(self.inputs, [], given)
        except GradcliError as exc:
            # The message quotes the bad value: never whole (a cell may be a megabyte).
            for v in given.values():
                if isinstance(v, str) and len(v.strip()) > SHOWN_CHARS:
                    exc.message = exc.message.replace(v.strip(), shown(v)[1:-1])
            raise
        for name, v in self.shared.items():
            if name not in own:
                values[name] = v
        return values

    def is_column(self, name: str, c) -> bool:
        """Whether cols[name] holds one value per point (not a value shared by all, which
        may be an array too)."""
        return isinstance(c, np.ndarray) and c is not self.shared.get(name)

    def _values_at(self, cols: dict, i: int) -> dict[str, object]:
        return {k: (float(c[i]) if self.is_column(k, c) else c) for k, c in cols.items()}

    def _check_csv(self, chunk: CsvChunk) -> None:
        """A CSV cell holds one number: where the program cannot take numbers for the
        columns, no point can be computed, and one error says so before any line."""
        if self._csv_header is chunk.header:
            return
        self._csv_header = chunk.header
        from gradcli.passes import shapes as S

        fed = [n for n in self.inputs if chunk.has(n)]
        if any(getattr(self.shared.get(n), "ndim", 0) for n in fed):
            return  # a cell overrides an array, an empty cell keeps it: shapes differ by point
        g = self.program.graph
        try:
            shapes = S.infer(g, {n: () if n in fed else np.shape(self.shared.get(n, 0.0))
                                 for n in self.inputs})
        except GradShapeError as exc:
            names = listing([f"'{n}'" for n in fed]) if fed else "no variable"
            exc.hint = (f"a CSV cell holds one number, so the columns give {names} one number at "
                        "each point; give an array for every point on the command line "
                        "(-X \"[[1, 2], [3, 4]]\"), or write the points as JSON Lines, where a "
                        "value may be a nested list")
            raise
        if self.wrt is not None:
            S.require_scalar(g, shapes, "grad --batch")

    # -- computing ----------------------------------------------------------------------

    def compute(self, chunk: Chunk) -> Results:
        n = len(chunk)
        whole: dict[int, dict] = {}
        cols, errors = self.columns(chunk, whole)
        if self.per_point:
            if isinstance(chunk, CsvChunk):
                self._check_csv(chunk)
            whole.update((i, self._values_at(cols, i)) for i in range(n)
                         if i not in errors and i not in whole)
        good = None
        if errors or whole:  # compute the readable points with numbers only
            good = np.array([i for i in range(n) if i not in errors and i not in whole],
                            dtype=np.intp)
            work = {k: (c[good] if self.is_column(k, c) else c) for k, c in cols.items()}
        else:
            work = cols
        m = n if good is None else len(good)
        value = np.zeros(m)
        grads = [np.zeros(m) for _ in (self.wrt or ())]
        doubted: list[int] = []
        failed = self._run(work, m, value, grads, doubted) if m else {}
        if good is not None:
            for r, exc in failed.items():
                errors[int(good[r])] = exc
            value, grads = _scatter(value, good, n), [_scatter(a, good, n) for a in grads]
        else:
            errors.update(failed)
        points = {}
        for i, values in whole.items():
            try:
                points[i] = self._whole_point(values)
            except GradcliError as exc:
                errors[i] = exc
        # Gradients that may have lost digits (README "Choices where the contract is silent": digits lost): such a point is
        # computed as `grad --json` computes it, exactly where it must, with its warnings.
        for r in doubted:
            i = r if good is None else int(good[r])
            point = self._values_at(work, r)
            try:
                points[i] = (self.program.evaluate(point) if self.wrt is None
                             else self.program.grad(point, wrt=self.wrt))
            except GradcliError as exc:
                errors[i] = exc
        return Results(n, cols, value, grads, errors, points)

    def _whole_point(self, values: dict):
        """One point in the arrays domain: what `eval --json` / `grad --json` computes there
        (values already bound; shapes inferred and checked for this point alone)."""
        from gradcli.program import arrays as A

        if self.wrt is None:
            return A.evaluate(self.program, values)
        return A.grad(self.program, values, self.asked)

    def _run(self, cols: dict, m: int, value: np.ndarray, grads: list,
             doubted: list[int]) -> dict[int, GradcliError]:
        """Fill value and grads for m points; return the points that failed. The points
        whose float gradients may have lost digits go to `doubted` (passes.arrays.lost_rows)."""
        failed: dict[int, GradcliError] = {}
        if self.rows is not None:   # an array program: every point at once in the row domain
            return self._run_rows(cols, m, value)
        if not any(isinstance(c, np.ndarray) for c in cols.values()):
            # Every point is the same point: compute it once.
            self._one_by_one(np.array([0]), cols, value, grads, failed, doubted)
            if failed:
                return {r: failed[0] for r in range(m)}
            if doubted:
                doubted[:] = range(m)
            value[:] = value[0]
            for a in grads:
                a[:] = a[0]
            return failed
        g = self.program.graph
        pending: list = [None]  # None: all points; otherwise an array of point indices
        while pending:
            idx = pending.pop()
            sub = cols if idx is None else {k: (c[idx] if isinstance(c, np.ndarray) else c)
                                            for k, c in cols.items()}
            rows = np.arange(m) if idx is None else idx
            try:
                vals = forward_arrays(g, sub)
            except GradMathError:
                if len(rows) <= SMALL:
                    self._one_by_one(rows, cols, value, grads, failed)
                else:
                    half = len(rows) // 2
                    pending += [rows[half:], rows[:half]]
                continue
            value[rows] = vals[g.output]
            if self.wrt is None:
                if _may_underflow(g, vals):   # rare: which rows' values the output feels (eval)
                    lost = lost_rows(g, vals, len(rows), [])
                    if lost.any():
                        doubted += rows[lost].tolist()
                continue
            adjoints = backward_arrays(g, vals)
            bad = np.zeros(len(rows), dtype=bool)
            for k, node in enumerate(self.targets):
                got = np.broadcast_to(adjoints[node], rows.shape)
                grads[k][rows] = got
                bad |= ~np.isfinite(got)
            if bad.any():  # a non-finite gradient: let the float pass explain it
                self._one_by_one(rows[bad], cols, value, grads, failed, doubted)
            lost = lost_rows(g, vals, len(rows), self.targets) & ~bad
            if lost.any():
                doubted += rows[lost].tolist()
        return failed

    def _run_rows(self, cols: dict, m: int, value: np.ndarray) -> dict[int, GradcliError]:
        """eval --batch of an array program (README "Arrays: vectors and matrices"): the program is written for one point;
        ops/rows.py runs it on all of them at once (a shared value has one row)."""
        from gradcli.ops import rows as R
        from gradcli.passes import row_domain

        inputs = {k: R.column(c) if self.is_column(k, c) else R.shared(c) for k, c in cols.items()}
        try:
            out = row_domain.values(self.program.graph, inputs)[self.program.graph.output]
        except GradcliError:
            failed: dict[int, GradcliError] = {}
            self._one_by_one(np.arange(m), cols, value, [], failed)
            return failed
        value[:] = np.broadcast_to(out, (m,))
        return {}

    def _one_by_one(self, rows, cols, value, grads, failed, warned: list | None = None) -> None:
        """Points by the one-point passes; those whose result has warnings go to `warned`
        (their lines are written from the whole result)."""
        p = self.program
        for r in rows.tolist():
            point = self._values_at(cols, r)
            try:
                res = p.evaluate(point) if self.wrt is None else p.grad(point, wrt=self.wrt)
            except GradcliError as exc:
                failed[r] = exc
                continue
            if res.warnings and warned is not None:
                warned.append(r)
            value[r] = res.value
            for k, node in enumerate(self.targets if self.wrt is not None else ()):
                grads[k][r] = res.grads[node]

    # -- answers as objects -----------------------------------------------------------

    def objects(self, chunk: Chunk, res: Results) -> list[dict]:
        """The chunk's answers as Python objects (what `lines` writes)."""
        cols = {n: (c.tolist() if self.is_column(n, c) else [c] * res.n)
                for n, c in res.inputs.items()}
        value = res.value.tolist()
        grads = [a.tolist() for a in res.grads]
        out = []
        for i in range(res.n):
            exc = res.errors.get(i)
            if exc is not None:
                obj = exc.to_json()
                obj["error"]["line"] = chunk.lines[i]
            elif i in res.points:
                obj = res.points[i].to_json()
            else:
                obj = {"expression": self.program.text,
                       "inputs": {n: c[i] for n, c in cols.items()}, "value": value[i]}
                if self.wrt is not None:
                    obj["gradient"] = {n: grads[k][i] for k, n in enumerate(self.wrt)}
            out.append(obj)
        return out


def _may_underflow(g, vals: list) -> bool:
    """Whether some computed value is below the smallest normal double in some row."""
    from gradcli.passes.floats import TINY

    return any(g.args[i] and np.any(np.abs(v) < TINY) for i, v in enumerate(vals) if v is not None)


def _rows_setup(program: Program, shared: dict, gradients: bool) -> list | None:
    """The per-point shapes of an array program whose points are numbers, when `eval` can run
    them all at once in the row domain; None where each point goes on its own instead: a
    gradient (its gradients of shared arrays are per point, the row domain sums them), an
    array output (a nested list per line), or shapes that do not fit numbers (the points
    must bring arrays; each is checked on its own)."""
    from gradcli.passes import shapes as S

    if gradients:
        return None
    g = program.graph
    try:
        shapes = S.infer(g, {n: tuple(np.shape(shared[n])) if n in shared else () for n in g.inputs})
    except GradShapeError:
        return None
    return None if shapes[g.output] else shapes


def _point_text(name: str, text: str, csv: bool) -> None:
    """A point's value written as text: a number or a constant expression ("pi/4"); in JSON
    Lines also an array literal ("[pi/4, 1]"). Files and random draws are the command
    line's: a file of points names no files, and draws would repeat at every point."""
    from gradcli.program.array_bindings import is_array_text

    if not is_array_text(text):
        return
    s = text.strip()
    if csv:
        raise GradValueError(f"the value of '{name}', {shown(text)}, is an array, and a CSV cell "
                             "holds one number",
                             hint="an array for every point goes on the command line "
                                  "(-X \"[[1, 2], [3, 4]]\"); arrays that differ from point to "
                                  "point need JSON Lines (a nested list)")
    from gradcli.program.array_bindings import _CONSTRUCTOR

    if not s.startswith("[") or _CONSTRUCTOR.search(s):
        raise GradValueError(f"the value of '{name}', {shown(text)}, is not a number or an array "
                             "for one point",
                             hint="a point's value is a number, a nested list of numbers, or "
                                  "text of a constant expression or literal (\"pi/4\", "
                                  "\"[pi/4, 1]\"); files and zeros/ones/randn/rand belong on "
                                  "the command line")


def _floats(cells: list) -> tuple[np.ndarray, list[int]]:
    """A column of raw values as floats, and the points that need the one-point rules."""
    kinds = set(map(type, cells))
    if kinds <= {float, int} or kinds == {str}:
        try:
            col = np.array(cells, dtype=float)
        except (ValueError, OverflowError):
            col = None
        # NumPy reads '1_000' and non-ASCII digits; the one-point rules do not.
        plain = kinds != {str} or ("_" not in "".join(cells) and "".join(cells).isascii())
        if col is not None and plain and np.isfinite(col).all():
            return col, []
    col = np.zeros(len(cells))
    bad = []
    for i, v in enumerate(cells):
        t = type(v)
        try:
            f = float(v) if t is float or t is int or (t is str and v.isascii() and "_" not in v) else None
        except (ValueError, OverflowError):
            f = None
        if f is not None and math.isfinite(f):
            col[i] = f
        else:
            bad.append(i)
    return col, bad


def _scatter(values: np.ndarray, where: np.ndarray, n: int) -> np.ndarray:
    full = np.zeros(n)
    full[where] = values
    return full


# -- the Python API -----------------------------------------------------------------------

def _points(program, rows, shared, wrt, gradients) -> list[dict]:
    batch = Batch(program, shared, wrt, gradients)
    out: list[dict] = []
    rows = iter(rows)
    first = 1
    while True:
        part = list(itertools.islice(rows, batch_io.CHUNK_ROWS))
        if not part:
            return out
        errors = {i: GradValueError(f"point {first + i} is not a mapping of names to values")
                  for i, r in enumerate(part) if not isinstance(r, Mapping)}
        for i in errors:
            part[i] = {}
        chunk = Chunk(part, list(range(first, first + len(part))), errors)
        out += batch.objects(chunk, batch.compute(chunk))
        first += len(part)


def grad_points(program, rows: Iterable[Mapping], *, wrt: Iterable[str] | None = None,
                shared: Mapping[str, object] | None = None) -> list[dict]:
    """`grad --batch` from Python: one object per point (`grad --json`'s, or an error)."""
    return _points(program, rows, shared, wrt, True)


def eval_points(program, rows: Iterable[Mapping], *,
                shared: Mapping[str, object] | None = None) -> list[dict]:
    """`eval --batch` from Python: one object per point (`eval --json`'s, or an error)."""
    return _points(program, rows, shared, None, False)


# -- the command line ---------------------------------------------------------------------

def run(batch: Batch, stream, fmt: str | None, write) -> tuple[int, int, tuple | None]:
    """Stream every chunk through the batch; (points, failures, (line, error) of the first).

    write(chunk, results) is given each chunk's answers as they come (a view: the
    command line writes them as JSON Lines, views/json_lines.BatchLines).
    """
    total = failures = 0
    first = None
    for chunk in read_chunks(stream, fmt):
        res = batch.compute(chunk)
        write(chunk, res)
        total += res.n
        if res.errors:
            failures += len(res.errors)
            if first is None:
                i = min(res.errors)
                first = (chunk.lines[i], res.errors[i])
    return total, failures, first
