"""`grad --check`: every gradient beside central finite differences.

    >>> from gradcli.homework.gradcheck import check_gradient
    >>> report = check_gradient("x^3 * sin(y)", {"x": 1.5, "y": 0.3})
    >>> report.ok, [row.status for row in report.rows]
    (True, ['ok', 'ok'])

For each name asked for, the numeric derivative is (f(v + eps) - f(v - eps)) / 2eps
with every other input held; an assigned name is perturbed by cutting its node
loose from its inputs (it becomes an input of a copy of the graph), so the
difference measures ∂output/∂node as backprop defines it. The analytic and
numeric derivatives agree when |analytic - numeric| <= atol + rtol·|numeric|,
PyTorch's gradcheck test with its defaults (eps 1e-6, atol 1e-5, rtol 1e-3),
plus the rounding of f's own two values, ROUNDING·max|f(v ± eps)|/eps: the
difference cannot be more exact than that (a sum of 10^6 squares, f ≈ 10^6, is
rounded at about 1e-10, which eps 1e-6 turns into 1e-4).

At a kink (relu at 0, a tie in max, ...) the derivative is a convention and a
difference across the kink means nothing: such a name is reported as "kink",
with the convention from ops.py, and does not fail the check. `analytic=`
replaces gradcli's own gradients with the caller's (a hand-derived gradient,
or a deliberately wrong one in a test).

Every element is checked (README "Checking gradients: `grad --check`"). An array costs two forward passes per element,
each over the whole array (about 78 minutes for sum(X * X) on a 1000 × 1000 X), so
`max_elements=N` checks N elements of each bigger array, drawn at random without
replacement, reproducibly from `seed`, as CS231n's grad_check_sparse does (the
command's --check-sample N); the report keeps which ones. `notice(n)` is called before
a check of every element of arrays that hold more than LONG elements in all.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from gradcli.program.program import Program, Result
from gradcli.errors import CheckFailed, GradcliError, GradNameError, GradUsageError
from gradcli.numbers import fmt
from gradcli.ops.table import INPUT
from gradcli.passes.floats import forward
from gradcli.ops.predicates import holds

EPS, ATOL, RTOL = 1e-6, 1e-5, 1e-3  # torch.autograd.gradcheck's defaults
# The sample --check's notice suggests: 500 elements keep a 10^6-element sum(X * X) at
# about two seconds (benchmarks/bench_check_sampling.py). LONG: more elements than this
# (a few seconds or more) and the command says what it is doing before it starts.
SAMPLE = 500
LONG = 20_000
ROUNDING = 4 * 2.0 ** -53   # a few units of f's last place (float64's unit roundoff is 2^-53)


@dataclass
class Check:
    """One name's gradient beside its finite difference."""

    name: str
    analytic: float
    numeric: float | None          # None where f(v ± eps) cannot be computed
    status: str                    # "ok" | "wrong" | "kink" | "skipped"
    note: str = ""

    @property
    def abs_error(self) -> float | None:
        return None if self.numeric is None else abs(self.analytic - self.numeric)

    @property
    def rel_error(self) -> float | None:
        """|analytic - numeric| / |numeric| (None when numeric is 0 and they differ)."""
        err = self.abs_error
        if err is None or (self.numeric == 0 and err != 0):
            return None
        return 0.0 if err == 0 else err / abs(self.numeric)

    def to_json(self) -> dict:
        return {"analytic": self.analytic, "numeric": self.numeric, "abs_error": self.abs_error,
                "rel_error": self.rel_error, "status": self.status, "note": self.note or None}


@dataclass
class CheckReport:
    result: Result                 # the one-point grad result that was checked
    eps: float
    atol: float
    rtol: float
    rows: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # one per kink the point sits on
    max_elements: int | None = None   # per array; None: every element
    seed: int = 0                             # of the sample's draw
    rounding: float = 0.0    # the largest rounding allowance added to atol (see the docstring)
    sampled: dict = field(default_factory=dict)   # name -> Sample, for the arrays sampled

    @property
    def ok(self) -> bool:
        return all(row.status != "wrong" for row in self.rows)

    def failure(self) -> CheckFailed | None:
        wrong = [row for row in self.rows if row.status == "wrong"]
        if not wrong:
            return None
        parts = "; ".join(f"∂/∂{r.name}: analytic {fmt(r.analytic)}, numeric {fmt(r.numeric)}"
                          for r in wrong)
        which = "" if len(self.rows) == 1 else f" for {len(wrong)} of {len(self.rows)} names"
        return CheckFailed(f"the gradient check failed{which} ({parts})",
                           hint=f"tolerance: |analytic - numeric| <= {self.atol:g} + "
                                f"{self.rtol:g}·|numeric|{self.rounding_text()}, with eps {self.eps:g}")

    def rounding_text(self) -> str:
        """' + 4.4e-04 (f's rounding)' where that allowance is worth saying (>= atol/10)."""
        return f" + {self.rounding:.1e} (f's rounding)" if self.rounding >= self.atol / 10 else ""

    def to_json(self) -> dict:
        obj = self.result.to_json()
        obj["check"] = {"eps": self.eps, "atol": self.atol, "rtol": self.rtol,
                        "rounding": self.rounding, "ok": self.ok,
                        "gradient": {row.name: row.to_json() for row in self.rows},
                        "notes": list(self.notes),
                        "sample": {"max_elements": self.max_elements, "seed": self.seed,
                                   "sampled": {k: s.to_json() for k, s in self.sampled.items()}}}
        return obj


@dataclass
class Sample:
    """The elements of one array that were checked, when it had too many to check all."""

    size: int                      # the array's number of elements
    indices: list[tuple[int, ...]]  # the checked ones, in row-major order

    def to_json(self) -> dict:
        return {"size": self.size, "checked": len(self.indices),
                "indices": [list(ix) for ix in self.indices]}


def check_gradient(program: Program | str, values: Mapping[str, object] | None = None, *,
                   wrt: Iterable[str] | None = None, eps: float = EPS, atol: float = ATOL,
                   rtol: float = RTOL, analytic: Mapping[str, float] | None = None,
                   max_elements: int | None = None, seed: int = 0,
                   notice: Callable[[int], None] | None = None) -> CheckReport:
    """Check the gradient of program at values (see the module's docstring)."""
    _check_tolerances(eps, atol, rtol)
    if max_elements is not None and max_elements < 1:
        raise GradUsageError(f"max_elements must be at least 1, not {max_elements}")
    p = program if isinstance(program, Program) else Program(program)
    result = p.grad(values or {}, wrt=wrt)
    given = dict(analytic or {})
    unknown = [n for n in given if n not in result.wrt]
    if unknown:
        raise GradNameError(f"analytic gradients given for names not checked: {', '.join(unknown)}")
    report = CheckReport(result, eps, atol, rtol, max_elements=max_elements, seed=seed)
    if getattr(result, "arrays", False):   # README "Arrays: vectors and matrices": every element
        if max_elements is None and notice is not None:
            import numpy as np

            total = sum(int(np.size(result.values[p.node_of(n)])) for n in dict.fromkeys(result.wrt))
            if total > LONG:
                notice(total)
        _check_array_elements(p, result, report, given)
        return report
    kinks = _kinks(p, result)
    for name in dict.fromkeys(result.wrt):
        node = p.node_of(name)
        a = float(given.get(name, result.grads[node]))
        try:
            numeric, sides = _central_difference(p, result, name, node, eps)
        except GradcliError as exc:
            report.rows.append(Check(name, a, None, "skipped",
                                     f"finite differences cannot be computed here: {exc.message}"))
            continue
        close = _agrees(report, a, numeric, sides)
        notes = [text for text, names in kinks if name in names]
        status = "ok" if close else ("kink" if notes else "wrong")
        report.rows.append(Check(name, a, numeric, status, "; ".join(notes)))
    report.notes = [text for text, names in kinks if names & set(result.wrt)]
    return report


class ArrayCheck(Check):
    """One element of an array's gradient; its relative error is CS231n's."""

    @property
    def rel_error(self) -> float | None:
        """|a - n| / max(1e-8, |a| + |n|), as CS231n's rel_error."""
        if self.numeric is None:
            return None
        return abs(self.analytic - self.numeric) / max(1e-8, abs(self.analytic) + abs(self.numeric))


def _check_array_elements(p: Program, result, report: CheckReport, given: dict) -> None:
    """Every element of every gradient beside its central difference (arrays domain)."""
    import numpy as np

    from gradcli.passes.shapes import infer
    from gradcli.passes.array_domain import forward as forward_arrays
    from gradcli.ops.predicates import array_function

    g0 = p.graph
    kinked = _array_kinks(g0, result, array_function)
    rng = np.random.default_rng(report.seed)   # one draw per sampled array, in --wrt order
    for name in dict.fromkeys(result.wrt):
        node = p.node_of(name)
        g = g0
        bindings = dict(result.inputs)
        if name not in g.inputs:   # an assigned node: cut it loose, as for numbers
            g = copy.copy(g)
            g.ops, g.args, g.inputs = list(g.ops), list(g.args), dict(g.inputs)
            g.ops[node], g.args[node] = INPUT, ()
            g.inputs[name] = node
            bindings[name] = result.values[node]
        shapes = infer(g, {k: np.shape(v) for k, v in bindings.items()})
        analytic = np.asarray(given.get(name, result.gradient[name]), dtype=float)
        base = np.array(result.values[node], dtype=float)
        note = kinked.get(node, "")
        elements = _elements(base.shape, report.max_elements, rng)
        if len(elements) < base.size:
            report.sampled[name] = Sample(int(base.size), elements)
        bindings[name] = moved = base.copy()
        for element in elements:
            label = f"{name}[{', '.join(map(str, element))}]" if element else name
            a = float(analytic[element])
            try:
                sides = []
                for step in (report.eps, -report.eps):
                    moved[element] = base[element] + step   # one element moved, then put back
                    try:
                        sides.append(float(forward_arrays(g, bindings, shapes)[g.output]))
                    finally:
                        moved[element] = base[element]
                numeric = (sides[0] - sides[1]) / (2 * report.eps)
            except GradcliError as exc:
                report.rows.append(ArrayCheck(label, a, None, "skipped",
                                              f"finite differences cannot be computed here: {exc.message}"))
                continue
            close = _agrees(report, a, numeric, sides)
            report.rows.append(ArrayCheck(label, a, numeric, "ok" if close else ("kink" if note else "wrong"),
                                          note if not close else ""))
    # A kink is worth a note only where an element disagrees across it.
    report.notes = sorted({row.note for row in report.rows if row.status == "kink"})


def _elements(shape: tuple, limit: int | None, rng) -> list[tuple[int, ...]]:
    """Every element's index, or `limit` of them drawn without replacement, in row-major order."""
    import numpy as np

    size = int(np.prod(shape, dtype=np.int64))
    if limit is None or size <= limit:
        return list(np.ndindex(*shape))
    flat = np.sort(rng.choice(size, size=limit, replace=False))
    return [tuple(int(k) for k in ix) for ix in zip(*np.unravel_index(flat, shape))]


def _array_kinks(g, result, array_function) -> dict[int, str]:
    """For each input or name, a note when some node it feeds sits at a kink at some element."""
    import numpy as np

    vals = result.values
    notes: dict[int, str] = {}
    for i, op in enumerate(g.ops):
        if op.kink is None or not g.args[i]:
            continue
        ins = [vals[j] for j in g.args[i]]
        mask = array_function(op.kink)(ins[0], ins[1] if len(ins) > 1 else None, vals[i])
        if not np.any(mask):
            continue
        below = [False] * len(g)
        below[i] = True
        for c in range(i, -1, -1):   # everything node i depends on
            if below[c]:
                for j in g.args[c]:
                    below[j] = True
        text = (f"'{g.label(i)}' is at a kink at some element: {op.kink_note}; finite differences "
                "across it mean nothing there")
        for j in range(i + 1):
            if below[j]:
                notes.setdefault(j, text)
    return notes


def _check_tolerances(eps: float, atol: float, rtol: float) -> None:
    if not (math.isfinite(eps) and eps > 0):
        raise GradUsageError(f"--eps must be a positive number, not {eps:g}")
    for label, v in (("--atol", atol), ("--rtol", rtol)):
        if not (math.isfinite(v) and v >= 0):
            raise GradUsageError(f"{label} must be a number >= 0, not {v:g}")


def _central_difference(p: Program, result: Result, name: str, node: int, eps: float) -> float:
    g = p.graph
    bindings = dict(result.inputs)
    if name not in g.inputs:  # an assigned node: cut it loose, make it an input of a copy
        g = copy.copy(g)
        g.ops, g.args, g.inputs = list(g.ops), list(g.args), dict(g.inputs)
        g.ops[node], g.args[node] = INPUT, ()
        g.inputs[name] = node
    v = result.values[node]
    bindings[name] = v + eps
    up = forward(g, bindings)[g.output]
    bindings[name] = v - eps
    down = forward(g, bindings)[g.output]
    return (up - down) / (2 * eps), (up, down)


def _agrees(report: CheckReport, a: float, numeric: float, sides) -> bool:
    """|a - numeric| <= atol + rtol·|numeric| + f's rounding (the module's docstring)."""
    rounding = ROUNDING * max(abs(sides[0]), abs(sides[1])) / report.eps
    report.rounding = max(report.rounding, rounding)
    return abs(a - numeric) <= report.atol + rounding + report.rtol * abs(numeric)


def _kinks(p: Program, result: Result) -> list[tuple[str, set[str]]]:
    """The kinks the point sits on: (note, names whose difference crosses it)."""
    g, vals, grads = p.graph, result.values, result.grads
    found = [i for i in range(len(g)) if g.ops[i].kink is not None and grads[i] != 0
             and holds(g.ops[i].kink, *(vals[j] for j in g.args[i]))]
    if not found:
        return []
    names = list(dict.fromkeys(result.wrt))
    own = [0] * len(g)                 # a bit per name, on the name's node
    for k, name in enumerate(names):
        own[p.node_of(name)] |= 1 << k
    below = [0] * len(g)               # the names a node's inputs depend on
    for i in range(len(g)):
        for j in g.args[i]:
            below[i] |= below[j] | own[j]
    out = []
    for i in found:
        op = g.ops[i]
        got = ", ".join(f"{g.label(j)} = {fmt(vals[j])}" for j in g.args[i])
        hit = {n for k, n in enumerate(names) if below[i] >> k & 1}
        if hit:
            out.append((f"'{g.label(i)}' is at a kink ({got}): {op.kink_note}; finite differences "
                        f"across it mean nothing for {', '.join(sorted(hit))}", hit))
    return out
