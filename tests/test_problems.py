"""Problem sets: `gradcli check KEY ANSWERS...` and gradcli.homework.problems.

The expected answers of the example key are derived by hand (or by SymPy) in
this file; a class with right, wrong, missing and malformed answers, an answer
to a problem that does not exist and an unreadable file is graded, and every
student who can be graded is.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp
from conftest import assert_clean_error, run_cli

from gradcli.homework.problems import grade_file, load_key

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "problems"


def sigmoid_problem():
    """p2 of the example key by SymPy: s = w0*x0 + w1*x1 + w2 at (2, -1, -3, -2, -3), f = σ(s)."""
    w0, x0, w1, x1, w2 = sp.symbols("w0 x0 w1 x1 w2")
    s = w0 * x0 + w1 * x1 + w2
    f = 1 / (1 + sp.exp(-s))
    at = {w0: 2, x0: -1, w1: -3, x1: -2, w2: -3}
    S = sp.Symbol("S")
    return {"values.s": float(s.subs(at)), "value": float(f.subs(at)),
            "grad.s": float(sp.diff(1 / (1 + sp.exp(-S)), S).subs(S, s.subs(at))),
            "grad.w0": float(sp.diff(f, w0).subs(at)), "grad.x0": float(sp.diff(f, x0).subs(at))}


# By hand. p1: q = x + y = 3, f = q z = -12; ∂f/∂q = z = -4, ∂f/∂x = ∂f/∂y = z, ∂f/∂z = q.
# p3: r = x y = 21, f = r / (x + z) = 21/14; ∂f/∂r = 1/14, ∂f/∂x = y/14 - r/14² = 3/28,
# ∂f/∂y = x/14 = 1/2, ∂f/∂z = -r/14² = -3/28.
EXPECTED = {
    "p1": {"value": -12, "values.q": 3, "grad.q": -4, "grad.x": -4, "grad.y": -4, "grad.z": 3},
    "p2": sigmoid_problem(),
    "p3": {"value": 1.5, "grad.r": 1 / 14, "grad.x": 3 / 28, "grad.y": 0.5, "grad.z": -3 / 28},
}


def test_example_class(tmp_path):
    answers = sorted(str(p) for p in (EXAMPLES / "answers").glob("*.toml"))
    run = run_cli("check", str(EXAMPLES / "key.toml"), *answers, "--json")
    assert run.exit_code == 1  # wrong answers, nothing unreadable
    data = run.json
    for problem in data["problems"]:
        for q, v in problem["expected"].items():
            assert v == pytest.approx(EXPECTED[problem["id"]][q], rel=1e-12), (problem["id"], q)
    by = {s["student"]: s for s in data["students"]}
    assert by["Ada Lovelace"]["score"] == by["Ada Lovelace"]["total"] == 16
    assert by["Ada Lovelace"]["errors"] == []
    wrong = {(m["problem"], m["quantity"]) for m in by["Bob"]["marks"] if not m["ok"]}
    assert wrong == {("p1", "grad.x"), ("p2", "grad.w0"), ("p3", "grad.x")}
    cy = {(m["problem"], m["quantity"]): m for m in by["Cy"]["marks"]}
    assert cy[("p1", "grad.z")]["note"] == "missing" and cy[("p1", "grad.z")]["given"] is None
    assert cy[("p2", "grad.s")]["note"].startswith("malformed")
    assert cy[("p2", "grad.s")]["text"] == "0.1966.."
    assert by["Cy"]["score"] == 14
    assert any("unknown problem id 'p4'" in e for e in by["Cy"]["errors"])
    summary = data["summary"]
    assert summary["students"] == 3 and summary["perfect"] == 1
    assert summary["mean_score"] == pytest.approx((16 + 13 + 14) / 48)
    q = {(x["problem"], x["quantity"]): x["right"] for x in summary["questions"]}
    assert q[("p1", "grad.x")] == 2 and q[("p1", "value")] == 3

    human = run_cli("check", str(EXAMPLES / "key.toml"), *answers)
    assert human.exit_code == 1
    for fragment in ("Ada Lovelace", "16/16", "13/16", "14/16", "✓", "✗", "missing",
                     "malformed", "class summary", "unknown problem id 'p4'"):
        assert fragment in human.stdout, fragment
    assert "2 of 3 answer files" in human.stderr


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


KEY = """
[[problem]]
id = "frac"
program = "f = x / y"
bindings = { x = 2421, y = 98 }
ask = ["value", "grad.x", "grad.y"]
"""


def test_constant_expressions_and_unreadable_files(tmp_path):
    key = write(tmp_path, "key.toml", KEY)
    # ∂(x/y)/∂x = 1/y = 1/98, ∂/∂y = -x/y² = -2421/9604.
    good = write(tmp_path, "good.toml", '[frac]\nvalue = "2421/98"\ngrad.x = "1/98"\ngrad.y = "-2421/98^2"\n')
    broken = write(tmp_path, "broken.toml", "[frac\nvalue = 1\n")
    missing = str(tmp_path / "nobody.toml")
    run = run_cli("check", key, good, broken, missing, "--json")
    assert run.exit_code == 2  # a file could not be read; the others are graded all the same
    students = {s["student"]: s for s in run.json["students"]}
    assert students["good"]["score"] == 3 and students["good"]["readable"]
    assert not students["broken"]["readable"] and "not valid TOML" in students["broken"]["errors"][0]
    assert not students["nobody"]["readable"] and "cannot read" in students["nobody"]["errors"][0]
    assert run_cli("check", key, good).exit_code == 0


def test_answer_file_oddities(tmp_path):
    key = load_key(write(tmp_path, "key.toml", KEY))
    g = grade_file(key, write(tmp_path, "a.toml", 'student = "Al"\n[frac]\nvalue = 24.704\n'
                                               'gradient.x = 1\ngrad.z = 1\ngrad.y = true\n'))
    assert g.student == "Al"
    marks = {m.quantity: m for m in g.marks}
    assert not marks["value"].ok  # 24.704 is 2421/98 to 3 decimals only: the tolerance is 1e-6
    assert marks["grad.x"].note == "missing"
    assert marks["grad.y"].note.startswith("malformed")
    assert any("'gradient' is not a quantity" in e for e in g.errors)
    assert any("'grad.z' is not asked" in e for e in g.errors)
    g = grade_file(key, write(tmp_path, "b.toml", 'frac = 3\n'))
    assert any("should be a table" in e for e in g.errors) and g.score == 0


@pytest.mark.parametrize("text,fragment,code", [
    ('[[problem]]\nid = "a"\nprogram = "x*y"\nbindings = { x = 1 }\n', "no value for variable 'y'", 2),
    ('[[problem]]\nid = "a"\nprogram = "x*"\nbindings = { x = 1 }\n', "in the key's problem 'a'", 2),
    ('[[problem]]\nid = "a"\nprogram = "log(x)"\nbindings = { x = 0 }\n', "log", 3),
    ('[[problem]]\nid = "a"\nprogram = "x"\nbindings = { x = 1 }\nask = ["grad.q"]\n', "'q'", 2),
    ('[[problem]]\nid = "a"\nprogram = "x"\nbindings = { x = 1 }\nask = ["slope"]\n', "not a quantity", 2),
    ('[[problem]]\nid = "a"\nprogram = "x"\nbindings = { x = 1 }\n[problem.answer]\nvalue = 2\n',
     "the program gives 1.0", 2),
    ('[[problem]]\nid = "a b"\nprogram = "x"\n', "needs an id", 2),
    ('[[problem]]\nid = "a"\nprogram = "x"\nbindings = { x = 1 }\n' * 2, "two problems", 2),
    ('title = "no problems"\n', "has no problems", 2),
    ('[[problem]\n', "not valid TOML", 2),
    ('tolerance = -1\n[[problem]]\nid = "a"\nprogram = "x"\nbindings = { x = 1 }\n', "tolerance", 2),
])
def test_bad_keys(tmp_path, text, fragment, code):
    key = write(tmp_path, "key.toml", text)
    answers = write(tmp_path, "a.toml", "[a]\nvalue = 1\n")
    run = run_cli("check", key, answers)
    assert_clean_error(run, code, fragment)


def test_usage():
    assert_clean_error(run_cli("check", "/nonexistent/key.toml", "a.toml"), 2, "cannot read the key")
    assert run_cli("check", "key.toml").exit_code == 2  # at least one answer file
    assert "Examples" in run_cli("check", "--help").stdout
