"""Problem sets: an answer key and students' answer files, in TOML, and their grading.

An answer key holds problems; each has a program, values for its inputs and
the quantities asked. gradcli computes the expected answers itself, so a key
needs no numbers (when it has them, under `answer`, they must agree with the
program: a key with a typo in an answer fails loudly instead of failing students).

    # key.toml
    tolerance = 1e-6                      # optional, for every problem (so are rel_tolerance, sig_figs)
    [[problem]]
    id = "p1"                             # letters, digits, _ and -
    program = "q = x + y; f = q * z"
    bindings = { x = -2, y = 5, z = -4 }  # numbers or constant expressions ("pi/4")
    ask = ["value", "values.q", "grad.x", "grad.q"]   # default: value and every input's grad
    tolerance = 1e-6                      # optional
    rel_tolerance = 1e-3                  # optional: |given - expected| <= 1e-3 |expected|
    sig_figs = 3                          # optional: right to 3 significant figures
    points = 4                            # optional: the problem's points, shared equally
    # or [problem.points] with "grad.x" = 2 ...: points per quantity (1 each if not listed)
    [problem.answer]                      # optional; as in an answer file
    value = -12

    # ada.toml
    student = "Ada Lovelace"              # optional; the file name otherwise
    [p1]
    value = -12
    values.q = 3
    grad.x = "-4"                         # numbers or constant expressions ("2421/98", "pi/4")
    grad.q = -4

Quantities: `value` (the output), `values.NAME` (the value of an assigned name or
an input), `grad.NAME` (∂output/∂NAME, for an input or an assigned name). An
answer is right when |given - expected| <= tolerance · max(1, |expected|), or,
where the key sets them, within rel_tolerance · |expected|, or equal to the
expected answer to sig_figs significant figures (within half a unit of its
last place): any one of them is enough. A wrong answer is diagnosed (see
diagnosis.py) when it matches, within the same tolerance, the number of a
common mistake (an array answer: every element).
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, as the tomli package
    import tomli as tomllib

from gradcli.data import files
from gradcli.homework import plain_toml
from gradcli.program.program import Program
from gradcli.program.bindings import parse_value
from gradcli.errors import GradcliError, GradNameError, GradUsageError, GradValueError, closest, shorten

TOLERANCE = 1e-6
MAX_SIG_FIGS = 17   # a double has no more
_ID = re.compile(r"[A-Za-z0-9_-]+\Z")


def is_close(given: float, expected: float, tolerance: float = TOLERANCE,
             rel_tolerance: float | None = None, sig_figs: int | None = None) -> bool:
    """An answer's test (the module's docstring): any one of the rules is enough."""
    d = abs(given - expected)
    size = abs(expected)
    if d <= tolerance * (size if size > 1.0 else 1.0):
        return True
    if rel_tolerance is not None and d <= rel_tolerance * size:
        return True
    if sig_figs is not None and size:
        unit = 10.0 ** (math.floor(math.log10(size)) - sig_figs + 1)
        # A hair of slack: 1.3 for 1.25 (2 figures) is half a unit, give or take rounding.
        return d <= 0.5 * unit * (1 + 1e-9)
    return False


@dataclass
class Problem:
    id: str
    program: Program
    bindings: dict[str, float]
    ask: list[str]
    tolerance: float
    expected: dict[str, float] = field(default_factory=dict)   # quantity -> its answer
    rel_tolerance: float | None = None
    sig_figs: int | None = None
    points: dict[str, float] = field(default_factory=dict)     # quantity -> its points
    points_given: bool = False                                 # the key set points
    warnings: list[str] = field(default_factory=list)          # its answers' lost digits (grad's)
    _mistakes: object = field(default=None, repr=False)

    def close(self, given: float, expected: float) -> bool:
        """Whether `given` is right for `expected`."""
        return is_close(given, expected, self.tolerance, self.rel_tolerance, self.sig_figs)

    @property
    def mistakes(self):
        """The common mistakes' numbers for this problem (diagnosis.Mistakes), or None
        where its trace cannot be taken (a gradient that is not finite somewhere)."""
        if self._mistakes is None:
            from gradcli.homework.diagnosis import Mistakes
            from gradcli.program.trace import trace

            try:
                self._mistakes = Mistakes(trace(self.program, self.bindings))
            except GradcliError:
                self._mistakes = False
        return self._mistakes or None

    def diagnose(self, quantity: str, given):
        """The likely mistake behind a wrong answer, a number or an array of the asked shape
        (diagnosis.Diagnosis), or None."""
        m = self.mistakes
        return None if m is None else m.diagnose(quantity, self.expected[quantity], given, self.close)

    def candidates(self, quantity: str) -> list:
        """Every mistake's number for a quantity (what an exercise key lists)."""
        m = self.mistakes
        return [] if m is None else m.candidates(quantity, self.expected[quantity], self.close)


@dataclass
class Key:
    path: str
    problems: dict[str, Problem]
    title: str = ""

    @property
    def points_given(self) -> bool:
        """Whether any problem sets points (the report shows points only then)."""
        return any(p.points_given for p in self.problems.values())

    @property
    def total(self) -> int:
        return sum(len(p.ask) for p in self.problems.values())

    @property
    def max_points(self) -> float:
        return _tidy(sum(sum(p.points.values()) for p in self.problems.values()))


@dataclass
class Mark:
    problem: str
    quantity: str
    expected: float
    given: float | None = None       # None: missing or not a number
    text: object = None              # as written in the answer file
    ok: bool = False
    note: str = ""
    max_points: float = 1
    diagnosis: object = None         # diagnosis.Diagnosis of a wrong number, or None

    @property
    def points(self) -> float:
        return self.max_points if self.ok else 0

    def to_json(self) -> dict:
        return {"problem": self.problem, "quantity": self.quantity, "expected": self.expected,
                "given": self.given, "text": None if self.text is None else str(self.text),
                "ok": self.ok, "note": self.note or None, "points": self.points,
                "max_points": self.max_points,
                "diagnosis": None if self.diagnosis is None else self.diagnosis.to_json()}


@dataclass
class Grade:
    """One answer file's grading."""

    path: str
    student: str
    marks: list[Mark] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # about the file: unknown ids, bad entries
    unusable: bool = False                           # could not be read at all

    @property
    def score(self) -> int:
        return sum(m.ok for m in self.marks)

    @property
    def points(self) -> float:
        return _tidy(sum(m.points for m in self.marks))

    @property
    def max_points(self) -> float:
        return _tidy(sum(m.max_points for m in self.marks))


def _tidy(v: float) -> float:
    """A sum of points: 3 rather than 3.0000000000000004 (points are often thirds)."""
    r = round(v, 9)
    return int(r) if r == int(r) else r


# Python refuses to turn a longer string of digits into an int (sys.get_int_max_str_digits).
_LONG_INT = re.compile(r"(?<![\w.])[+-]?\d[\d_]{4300,}")


def _read_toml(path: str, what: str) -> dict:
    # files.read_bytes refuses devices (/dev/zero) and caps the size; a BOM is allowed.
    try:
        raw = files.read_bytes(path, what)
        files.refuse_utf16(raw, f"{what} '{path}'")
        text = raw.decode("utf-8-sig")
        plain = plain_toml.loads(text)   # the same dict, faster, for a plain answer file
        return plain if plain is not None else tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise GradValueError(f"{what} '{path}' is not UTF-8 text (byte {exc.start + 1}), "
                             "as TOML must be") from None
    except tomllib.TOMLDecodeError as exc:
        raise GradValueError(f"{what} '{path}' is not valid TOML: {exc}") from None
    except RecursionError:  # tomllib reads nested arrays and tables recursively
        raise GradValueError(f"{what} '{path}' nests arrays or tables too deeply to be read "
                             "(deeper than Python's recursion limit)") from None
    except ValueError as exc:  # a whole number longer than Python converts
        found = _LONG_INT.search(text)
        if not found:
            raise GradValueError(f"{what} '{path}' is not valid TOML: {exc}") from None
        line = text.count("\n", 0, found.start()) + 1
        raise GradValueError(f"{what} '{path}' has a whole number of more than 4300 digits "
                             f"(line {line})", hint="a number that big is beyond a double "
                             "anyway (the largest is about 1.8e308)") from None


def _toml_value(v) -> str:
    """A binding as the key wrote it, for a hint: numbers plain, text quoted, arrays as …."""
    if isinstance(v, bool) or isinstance(v, (list, dict)):
        return "…"
    if isinstance(v, str):
        return '"' + shorten(v, 30).replace('"', '\\"') + '"'
    return shorten(str(v), 30)


def _brief(v, limit: int = 60) -> str:
    """repr(v), shortened: an answer can be a long string or a deeply nested array."""
    try:
        text = repr(v)
    except (ValueError, RecursionError):  # a 5,000-digit int; an array nested too deep
        return "an array" if isinstance(v, list) else "a table" if isinstance(v, dict) else "a number"
    return text if len(text) <= limit else text[:limit - 1] + "…"


def number(v, what: str) -> float:
    """An answer or a binding as written in TOML: a number or a constant expression."""
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise GradValueError(f"{what} is not a number or a constant expression: {_brief(v)}")
    if isinstance(v, str):
        return parse_value(v)
    try:
        f = float(v)
    except OverflowError:
        f = math.inf
    if not math.isfinite(f):
        raise GradValueError(f"{what} is not a finite number ({_brief(v)})")
    return f


def flatten_answers(table: dict) -> tuple[dict[str, object], list[str]]:
    """{"value": 3, "grad": {"x": 1}} -> {"value": 3, "grad.x": 1}; and what was not understood."""
    flat, unknown = {}, []
    for key, v in table.items():
        if key in ("values", "grad") and isinstance(v, dict):
            for name, w in v.items():
                flat[f"{key}.{name}"] = w
        elif key == "value" or (key.partition(".")[0] in ("values", "grad") and "." in key):
            flat[key] = v  # `value`, or a quoted "grad.x"
        else:
            unknown.append(key)
    return flat, unknown


# -- the key ------------------------------------------------------------------------------

# What a key may say; anything else is most likely a typo (tolerence = 0.1) that would
# otherwise be ignored while the student is graded with the default.
KEY_ENTRIES = ("title", "tolerance", "rel_tolerance", "sig_figs", "problem", "points")
PROBLEM_ENTRIES = ("id", "program", "bindings", "ask", "tolerance", "rel_tolerance", "sig_figs",
                   "points", "answer", "mistakes")


def _unknown_entries(table: dict, known: tuple, where: str) -> None:
    for name in table:
        if name not in known:
            close = closest(name, known)
            raise GradValueError(f"{where} has an unknown entry '{name}'"
                                 + (f": did you mean '{close}'?" if close else ""),
                                 hint="it may have: " + ", ".join(known))


def load_key(path: str) -> Key:
    data = _read_toml(path, "the key")
    _unknown_entries(data, KEY_ENTRIES, f"the key '{path}'")
    defaults = {"tolerance": _tolerance(data.get("tolerance", TOLERANCE), "the key's tolerance"),
                "rel_tolerance": _optional(data, "rel_tolerance", _tolerance, "the key's rel_tolerance"),
                "sig_figs": _optional(data, "sig_figs", _sig_figs, "the key's sig_figs")}
    if "points" in data:
        raise GradValueError(f"the key '{path}' gives points outside a problem",
                             hint="points belong to each [[problem]]: points = 4 (the problem's "
                                  "total) or a [problem.points] table per quantity")
    entries = data.get("problem")
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise GradValueError(f"the key '{path}' has no problems",
                             hint="each problem is a [[problem]] table with an id, a program and bindings")
    problems: dict[str, Problem] = {}
    for k, entry in enumerate(entries, 1):
        pid = entry.get("id")
        if not isinstance(pid, str) or not _ID.match(pid):
            raise GradValueError(f"problem {k} of the key '{path}' needs an id made of letters, "
                                 f"digits, _ and - (it has {_brief(pid)})")
        if pid in problems:
            raise GradValueError(f"the key '{path}' has two problems with the id '{pid}'")
        try:
            problems[pid] = _problem(pid, entry, defaults)
        except GradcliError as exc:
            raise type(exc)(f"in the key's problem '{pid}': {exc.message}", hint=exc.hint) from None
    title = data.get("title")
    key = Key(path, problems, title if isinstance(title, str) else "")
    # Each problem's points are finite, but their sum may not be (two of 1e308).
    if not math.isfinite(sum(sum(p.points.values()) for p in problems.values())):
        raise GradValueError(f"the points of the key '{path}' add up to more than a double "
                             "holds (over 1.8e308)", hint="give the problems fewer points")
    return key


def _tolerance(v, what: str) -> float:
    if not _finite_at_least_0(v):
        raise GradValueError(f"{what} must be a number >= 0 (it is {_brief(v)})")
    return float(v)


def _finite_at_least_0(v) -> bool:
    """A TOML number that is a finite double >= 0 (a whole number past 1e308 is not one)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    try:
        f = float(v)
    except OverflowError:
        return False
    return math.isfinite(f) and f >= 0


def _sig_figs(v, what: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= MAX_SIG_FIGS:
        raise GradValueError(f"{what} must be a whole number from 1 to {MAX_SIG_FIGS} "
                             f"(it is {_brief(v)})")
    return v


def _optional(table: dict, name: str, check, what: str, default=None):
    return check(table[name], what) if name in table else default


def _points(entry, ask: list[str]) -> tuple[dict[str, float], bool]:
    """Each asked quantity's points: 1 each by default; `points = N` shares N equally;
    a table gives some quantities their own (the others 1)."""
    raw = entry.get("points")
    if raw is None:
        return {q: 1 for q in ask}, False
    if isinstance(raw, dict):
        points = {q: 1 for q in ask}
        flat, unknown = flatten_answers(raw)   # grad.x = 2 is a nested table in TOML
        if unknown:
            raise GradValueError(f"its points have unknown entries: {', '.join(unknown)}")
        for q, v in flat.items():
            if q not in points:
                raise GradValueError(f"its points name '{q}', which is not asked "
                                     f"(it asks {', '.join(ask)})")
            points[q] = _points_number(v, f"the points of '{q}'")
        return points, True
    total = _points_number(raw, "its points")
    share = total / len(ask)
    return {q: int(share) if share == int(share) else share for q in ask}, True


def _points_number(v, what: str) -> float:
    if not _finite_at_least_0(v):
        raise GradValueError(f"{what} must be a number >= 0 (it is {_brief(v)})",
                             hint="points = 4 shares 4 points among the problem's quantities; "
                                  "[problem.points] gives each quantity its own")
    return v


def _problem(pid: str, entry: dict, defaults: dict) -> Problem:
    _unknown_entries(entry, PROBLEM_ENTRIES, "it")
    text = entry.get("program")
    if not isinstance(text, str):
        raise GradValueError("it needs a program (a string in gradcli's language)")
    program = Program(text)
    raw = entry.get("bindings", {})
    if not isinstance(raw, dict):
        raise GradValueError("bindings must be a table such as { x = 1, y = \"pi/4\" }")
    given = {name: value_or_array(v, f"the value of '{name}'") for name, v in raw.items()}
    ask = entry.get("ask")
    if ask is None:
        ask = ["value"] + [f"grad.{name}" for name in program.inputs]
    if not isinstance(ask, list) or not ask or not all(isinstance(q, str) for q in ask):
        raise GradValueError("ask must be a list of quantities such as [\"value\", \"grad.x\"]")
    for q in ask:
        _check_quantity(program, q)
    tol = _tolerance(entry.get("tolerance", defaults["tolerance"]), "the tolerance")
    ask = list(dict.fromkeys(ask))
    points, points_given = _points(entry, ask)
    problem = Problem(pid, program, {}, ask, tol,
                      rel_tolerance=_optional(entry, "rel_tolerance", _tolerance, "the rel_tolerance",
                                              defaults["rel_tolerance"]),
                      sig_figs=_optional(entry, "sig_figs", _sig_figs, "sig_figs", defaults["sig_figs"]),
                      points=points, points_given=points_given)
    grads = [q.split(".", 1)[1] for q in problem.ask if q.startswith("grad.")]
    missing = [name for name in program.inputs if name not in given]
    try:
        result = program.grad(given, wrt=grads)
    except GradNameError as exc:
        if not missing or not exc.message.startswith("no value for"):
            raise
        # The command line's "-y 1" is no help in a key: the value goes in its bindings.
        shown = ", ".join(f"{name} = {_toml_value(v)}" for name, v in raw.items())
        added = ", ".join(f"{name} = 1" for name in missing[:10])
        them = "it" if len(missing) == 1 else "them"
        raise GradNameError(exc.message, hint=f"give {them} in the problem's bindings, e.g. "
                            f"bindings = {{ {shown + ', ' if shown else ''}{added} }}") from None
    problem.bindings = result.inputs
    problem.warnings = list(result.warnings)   # an expected answer may have lost digits: say so
    for q in problem.ask:
        if q == "value":
            problem.expected[q] = result.value
        elif q.startswith("values."):
            problem.expected[q] = result.values[program.node_of(q[7:])]
        else:
            problem.expected[q] = result.gradient[q[5:]]
    _check_written_answers(problem, entry.get("answer"))
    return problem


def _check_quantity(program: Program, q: str) -> None:
    kind, dot, name = q.partition(".")
    if q == "value" or (kind in ("values", "grad") and dot and name):
        if name:
            program.node_of(name)  # a name error that says which names exist
        return
    raise GradValueError(f"'{q}' is not a quantity: ask for value, values.NAME or grad.NAME")


def _check_written_answers(problem: Problem, answer) -> None:
    if answer is None:
        return
    if not isinstance(answer, dict):
        raise GradValueError("answer must be a table such as [problem.answer]")
    flat, unknown = flatten_answers(answer)
    if unknown:
        raise GradValueError(f"its answer has unknown entries: {', '.join(unknown)}")
    for q, v in flat.items():
        if q not in problem.expected:
            raise GradValueError(f"its answer gives '{q}', which is not asked")
        written = value_or_array(v, f"its answer for '{q}'")
        if not compare(written, problem.expected[q], problem.close)[0]:
            raise GradValueError(f"its answer for '{q}' is {_brief(v)}, but the program gives "
                                 f"{problem.expected[q]!r}")


# -- arrays in keys and answers (README "Arrays: vectors and matrices") ---------------------------------------------------

def value_or_array(v, what: str):
    """A binding or an answer: a number, a constant expression, or a TOML array (nested for a
    matrix) of numbers, which becomes a float64 array."""
    if isinstance(v, list):
        from gradcli.data.array_files import nested_array

        return nested_array(v, what)
    if isinstance(v, str) and v.lstrip().startswith("["):
        from gradcli.program.array_bindings import array_value

        return array_value(v, what)
    return number(v, what)


def compare(given, expected, close) -> tuple[bool, str]:
    """(right?, a note): close(given, expected) for every element (the problem's tolerance);
    a wrong shape names both shapes."""
    import numpy as np

    from gradcli.numbers import shape_text

    gs, es = np.shape(given), np.shape(expected)
    if gs != es:
        note = f"wrong shape: {shape_text(gs)} where {shape_text(es)} is expected"
        if len(es) >= 2 and gs == es[::-1]:
            note += " (transposed?)"
        return False, note
    if not es:
        return close(float(given), float(expected)), ""
    g, e = np.asarray(given, dtype=float), np.asarray(expected, dtype=float)

    def wrong(a, b):
        return np.array([not close(float(x), float(y)) for x, y in zip(a.flat, b.flat)]).reshape(a.shape)

    bad = wrong(g, e)
    if not bad.any():
        return True, ""
    if len(es) == 2 and es[0] == es[1] and es[0] > 1 and not wrong(g, e.T).any():
        return False, "the transpose of the expected matrix (transposed?)"
    at = tuple(int(k) for k in np.argwhere(bad)[0])
    return False, (f"{int(bad.sum())} of {bad.size} elements differ; the first at "
                   f"[{', '.join(map(str, at))}]")


# -- a student's answers ------------------------------------------------------------------

def grade_file(key: Key, path: str) -> Grade:
    """Grade one answer file; its problems are noted in the Grade, never raised."""
    student = os.path.splitext(os.path.basename(os.path.normpath(path)))[0]
    try:
        data = _read_toml(path, "the answer file")
    except GradcliError as exc:
        grade = Grade(path, student, unusable=True, errors=[exc.message])
        _mark_all_missing(key, grade, "the file could not be read")
        return grade
    if isinstance(data.get("student"), str) and data["student"].strip():
        student = data["student"].strip()
    grade = Grade(path, student)
    # The problem set handed in with its answers filled in (exercise --student's file):
    # its own entries are said once, not as one unknown problem each.
    sheet = [pid for pid, table in data.items()
             if pid in KEY_ENTRIES and pid not in key.problems and not isinstance(table, dict)]
    if sheet:
        grade.errors.append(f"the problem set's own entries ({', '.join(sheet)}) are in this file "
                            "too; they are ignored, and only the [ID] tables of answers count")
    for pid, table in data.items():
        if pid in ("student", "name") and not isinstance(table, dict) or pid in sheet:
            continue
        if pid not in key.problems:
            known = ", ".join(key.problems)
            grade.errors.append(f"unknown problem id '{pid}' (the key has {known}); its answers are ignored")
        elif not isinstance(table, dict):
            grade.errors.append(f"'{pid}' should be a table of answers ([{pid}] then value = ...)")
    for problem in key.problems.values():
        table = data.get(problem.id)
        _grade_problem(problem, table if isinstance(table, dict) else {}, grade)
    return grade


def _grade_problem(problem: Problem, table: dict, grade: Grade) -> None:
    flat, unknown = flatten_answers(table)
    for entry in unknown:
        grade.errors.append(f"{problem.id}: '{entry}' is not a quantity (value, values.NAME, grad.NAME)")
    for q in flat:
        if q not in problem.expected:
            grade.errors.append(f"{problem.id}: '{q}' is not asked; ignored")
    for q in problem.ask:
        mark = Mark(problem.id, q, problem.expected[q], max_points=problem.points[q])
        if q not in flat:
            mark.note = "missing"
        else:
            mark.text = flat[q]
            try:
                mark.given = value_or_array(flat[q], "the answer")
                mark.ok, mark.note = compare(mark.given, mark.expected, problem.close)
            except GradcliError as exc:
                mark.note = f"malformed: {exc.message}"
            else:
                # An array of the asked shape too, or a matrix of the transposed shape (the
                # note names a wrong shape; the diagnosis says whether the values are the transpose).
                given, asked = getattr(mark.given, "shape", ()), getattr(mark.expected, "shape", ())
                if not mark.ok and (given == asked or (len(asked) == 2 and given == asked[::-1])):
                    mark.diagnosis = problem.diagnose(q, mark.given)
        grade.marks.append(mark)


def _mark_all_missing(key: Key, grade: Grade, note: str) -> None:
    for problem in key.problems.values():
        for q in problem.ask:
            grade.marks.append(Mark(problem.id, q, problem.expected[q], note=note,
                                    max_points=problem.points[q]))


def grade_class(key: Key, paths: list[str]) -> list[Grade]:
    return [grade_file(key, path) for path in paths]


def exit_code(grades: list[Grade]) -> int:
    """2 if a file could not be read, else 1 if anything was wrong, missing or not understood, else 0."""
    if any(g.unusable for g in grades):
        return 2
    if any(g.errors or g.score < len(g.marks) for g in grades):
        return 1
    return 0


def to_json(key: Key, grades: list[Grade]) -> dict:
    total = key.total
    students = []
    for g in grades:
        students.append({
            "file": g.path, "student": g.student, "score": g.score, "total": total,
            "points": g.points, "max_points": key.max_points,
            "readable": not g.unusable, "errors": list(g.errors),
            "marks": [m.to_json() for m in g.marks]})
    return {"key": key.path, "title": key.title,
            "problems": [{"id": p.id, "program": p.program.text, "bindings": p.bindings,
                          "ask": p.ask, "tolerance": p.tolerance, "rel_tolerance": p.rel_tolerance,
                          "sig_figs": p.sig_figs, "points": p.points, "expected": p.expected,
                          **({"warnings": p.warnings} if p.warnings else {})}
                         for p in key.problems.values()],
            "students": students, "summary": summary(key, grades)}


def summary(key: Key, grades: list[Grade]) -> dict:
    total = key.total
    n = len(grades)
    right = {}
    for g in grades:
        for m in g.marks:
            if m.ok:
                right[m.problem, m.quantity] = right.get((m.problem, m.quantity), 0) + 1
    questions = [{"problem": p.id, "quantity": q, "right": right.get((p.id, q), 0), "of": n,
                  "points": p.points[q]}
                 for p in key.problems.values() for q in p.ask]
    most = key.max_points
    return {"students": n, "readable": sum(not g.unusable for g in grades),
            "perfect": sum(g.score == total and not g.errors for g in grades),
            "mean_score": (sum(g.score for g in grades) / (n * total)) if n and total else 0.0,
            "max_points": most,
            "mean_points": _tidy(sum(g.points for g in grades) / n) if n else 0,
            "questions": questions}
