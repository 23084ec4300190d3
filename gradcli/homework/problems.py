"""Problem sets: an answer key and students' answer files, in TOML, and their grading.

An answer key holds problems; each has a program, values for its inputs and
the quantities asked. gradcli computes the expected answers itself, so a key
needs no numbers (when it has them, under `answer`, they must agree with the
program: a key with a typo in an answer fails loudly instead of failing students).

    # key.toml
    tolerance = 1e-6                      # optional, for every problem
    [[problem]]
    id = "p1"                             # letters, digits, _ and -
    program = "q = x + y; f = q * z"
    bindings = { x = -2, y = 5, z = -4 }  # numbers or constant expressions ("pi/4")
    ask = ["value", "values.q", "grad.x", "grad.q"]   # default: value and every input's grad
    tolerance = 1e-6                      # optional
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
answer is right when |given - expected| <= tolerance · max(1, |expected|).
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
from gradcli.program.program import Program
from gradcli.program.bindings import parse_value
from gradcli.errors import GradcliError, GradUsageError, GradValueError

TOLERANCE = 1e-6
_ID = re.compile(r"[A-Za-z0-9_-]+\Z")


@dataclass
class Problem:
    id: str
    program: Program
    bindings: dict[str, float]
    ask: list[str]
    tolerance: float
    expected: dict[str, float] = field(default_factory=dict)   # quantity -> its answer


@dataclass
class Key:
    path: str
    problems: dict[str, Problem]
    title: str = ""


@dataclass
class Mark:
    problem: str
    quantity: str
    expected: float
    given: float | None = None       # None: missing or not a number
    text: object = None              # as written in the answer file
    ok: bool = False
    note: str = ""


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


# Python refuses to turn a longer string of digits into an int (sys.get_int_max_str_digits).
_LONG_INT = re.compile(r"(?<![\w.])[+-]?\d[\d_]{4300,}")


def _read_toml(path: str, what: str) -> dict:
    # files.read_bytes refuses devices (/dev/zero) and caps the size; a BOM is allowed.
    try:
        text = files.read_bytes(path, what).decode("utf-8-sig")
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
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

def load_key(path: str) -> Key:
    data = _read_toml(path, "the key")
    default_tol = _tolerance(data.get("tolerance", TOLERANCE), "the key's tolerance")
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
            problems[pid] = _problem(pid, entry, default_tol)
        except GradcliError as exc:
            raise type(exc)(f"in the key's problem '{pid}': {exc.message}", hint=exc.hint) from None
    title = data.get("title")
    return Key(path, problems, title if isinstance(title, str) else "")


def _tolerance(v, what: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not (math.isfinite(v) and v >= 0):
        raise GradValueError(f"{what} must be a number >= 0 (it is {_brief(v)})")
    return float(v)


def _problem(pid: str, entry: dict, default_tol: float) -> Problem:
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
    tol = _tolerance(entry.get("tolerance", default_tol), "the tolerance")
    problem = Problem(pid, program, {}, list(dict.fromkeys(ask)), tol)
    grads = [q.split(".", 1)[1] for q in problem.ask if q.startswith("grad.")]
    result = program.grad(given, wrt=grads)
    problem.bindings = result.inputs
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
        if not compare(written, problem.expected[q], problem.tolerance)[0]:
            raise GradValueError(f"its answer for '{q}' is {_brief(v)}, but the program gives "
                                 f"{problem.expected[q]!r}")


def _close(given: float, expected: float, tol: float) -> bool:
    return abs(given - expected) <= tol * max(1.0, abs(expected))


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


def compare(given, expected, tol: float) -> tuple[bool, str]:
    """(right?, a note): every element within tolerance; a wrong shape names both shapes."""
    import numpy as np

    from gradcli.numbers import shape_text

    gs, es = np.shape(given), np.shape(expected)
    if gs != es:
        note = f"wrong shape: {shape_text(gs)} where {shape_text(es)} is expected"
        if len(es) >= 2 and gs == es[::-1]:
            note += " (transposed?)"
        return False, note
    if not es:
        return _close(float(given), float(expected), tol), ""
    g, e = np.asarray(given, dtype=float), np.asarray(expected, dtype=float)
    bad = np.abs(g - e) > tol * np.maximum(1.0, np.abs(e))
    if not bad.any():
        return True, ""
    if len(es) == 2 and es[0] == es[1] and es[0] > 1 and not (
            np.abs(g - e.T) > tol * np.maximum(1.0, np.abs(e.T))).any():
        return False, "the transpose of the expected matrix (transposed?)"
    at = tuple(int(k) for k in np.argwhere(bad)[0])
    return False, (f"{int(bad.sum())} of {bad.size} elements differ; the first at "
                   f"[{', '.join(map(str, at))}]")


# -- a student's answers ------------------------------------------------------------------

def grade_file(key: Key, path: str) -> Grade:
    """Grade one answer file; its problems are noted in the Grade, never raised."""
    student = os.path.splitext(os.path.basename(path))[0]
    try:
        data = _read_toml(path, "the answer file")
    except GradcliError as exc:
        grade = Grade(path, student, unusable=True, errors=[exc.message])
        _mark_all_missing(key, grade, "the file could not be read")
        return grade
    if isinstance(data.get("student"), str) and data["student"].strip():
        student = data["student"].strip()
    grade = Grade(path, student)
    for pid, table in data.items():
        if pid in ("student", "name") and not isinstance(table, dict):
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
        mark = Mark(problem.id, q, problem.expected[q])
        if q not in flat:
            mark.note = "missing"
        else:
            mark.text = flat[q]
            try:
                mark.given = value_or_array(flat[q], "the answer")
                mark.ok, mark.note = compare(mark.given, mark.expected, problem.tolerance)
            except GradcliError as exc:
                mark.note = f"malformed: {exc.message}"
        grade.marks.append(mark)


def _mark_all_missing(key: Key, grade: Grade, note: str) -> None:
    for problem in key.problems.values():
        for q in problem.ask:
            grade.marks.append(Mark(problem.id, q, problem.expected[q], note=note))


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
    total = sum(len(p.ask) for p in key.problems.values())
    students = []
    for g in grades:
        students.append({
            "file": g.path, "student": g.student, "score": g.score, "total": total,
            "readable": not g.unusable, "errors": list(g.errors),
            "marks": [{"problem": m.problem, "quantity": m.quantity, "expected": m.expected,
                       "given": m.given, "text": None if m.text is None else str(m.text),
                       "ok": m.ok, "note": m.note or None} for m in g.marks]})
    return {"key": key.path, "title": key.title,
            "problems": [{"id": p.id, "program": p.program.text, "bindings": p.bindings,
                          "ask": p.ask, "tolerance": p.tolerance, "expected": p.expected}
                         for p in key.problems.values()],
            "students": students, "summary": summary(key, grades)}


def summary(key: Key, grades: list[Grade]) -> dict:
    total = sum(len(p.ask) for p in key.problems.values())
    n = len(grades)
    questions = []
    for p in key.problems.values():
        for q in p.ask:
            right = sum(any(m.ok for m in g.marks if m.problem == p.id and m.quantity == q) for g in grades)
            questions.append({"problem": p.id, "quantity": q, "right": right, "of": n})
    return {"students": n, "readable": sum(not g.unusable for g in grades),
            "perfect": sum(g.score == total and not g.errors for g in grades),
            "mean_score": (sum(g.score for g in grades) / (n * total)) if n and total else 0.0,
            "questions": questions}
