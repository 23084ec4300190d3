"""Grades for a course platform: Gradescope's autograder results.json, and CSV.

Gradescope (gradescope-autograders.readthedocs.io, "Autograder Specifications")
reads one submission's results: a top-level `score` and `output`, and `tests`,
each with `name`, `number`, `score`, `max_score`, `status` ("passed" or
"failed") and `output`. One asked quantity is one test, worth its points.

CSV is one row per student: `student`, `file`, one column per asked quantity
(named "PROBLEM QUANTITY", holding the points earned), `total`, and `feedback`
(what was wrong, missing or not understood, with the likely mistakes).
"""

from __future__ import annotations

import csv
import io

from gradcli.numbers import fmt


def _verdict(m) -> str:
    """One mark in words: right, wrong (with the likely mistake), missing or malformed."""
    if m.ok:
        return f"right: {fmt(m.given)}"
    if m.given is None:
        return m.note or "missing"
    text = f"wrong: given {fmt(m.given)}, expected {fmt(m.expected)}"
    if m.diagnosis is not None:
        text += f". Likely mistake: {m.diagnosis.text}"
    return text


def _headline(key, grade) -> str:
    line = f"{grade.student}: {grade.score}/{key.total} right"
    if key.points_given:
        line += f", {fmt(grade.points)}/{fmt(key.max_points)} points"
    return line


def gradescope(key, grade) -> dict:
    """Gradescope's results.json for one answer file."""
    tests = []
    numbers: dict[str, int] = {}
    order = {pid: k for k, pid in enumerate(key.problems, 1)}
    for m in grade.marks:
        numbers[m.problem] = numbers.get(m.problem, 0) + 1
        tests.append({"name": f"{m.problem} {m.quantity}",
                      "number": f"{order[m.problem]}.{numbers[m.problem]}",
                      "score": m.points, "max_score": m.max_points,
                      "status": "passed" if m.ok else "failed",
                      "output": _verdict(m)})
    output = [_headline(key, grade)]
    if grade.unusable:
        output.append("The answer file could not be read, so every answer counts as missing.")
    output += grade.errors
    return {"score": grade.points, "output": "\n".join(output), "tests": tests}


def csv_text(key, grades) -> str:
    """The class as CSV (RFC 4180 quoting, CRLF line ends as the csv module writes them)."""
    columns = [(p.id, q) for p in key.problems.values() for q in p.ask]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["student", "file", *(f"{pid} {q}" for pid, q in columns), "total", "feedback"])
    for g in grades:
        got = {(m.problem, m.quantity): m for m in g.marks}
        feedback = list(g.errors)
        for m in g.marks:
            if not m.ok and not g.unusable:
                feedback.append(f"{m.problem} {m.quantity}: {_verdict(m)}")
        if g.unusable:
            feedback.insert(0, "the answer file could not be read")
        w.writerow([g.student, g.path, *(fmt(got[c].points) for c in columns), fmt(g.points),
                    "; ".join(feedback)])
    return buf.getvalue()
