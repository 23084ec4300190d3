"""`eval --batch` / `grad --batch` and gradcli.homework.batch, against SymPy.

Every number a batch writes is compared with SymPy's exact value and exact
derivative at that point (evaluated with mpmath at 30 digits, the inputs read
as the exact rationals their doubles hold), within a relative 1e-12; the
one-point command's answers for the same points are held to the same oracle.
Bad points in the middle of a batch must give their own error line while the
others go on.
"""

from __future__ import annotations

import json
import math
import random

import mpmath
import pytest
import sympy as sp
from conftest import assert_clean_error, run_cli

from gradcli.data import points as batch_io
from gradcli.homework.batch import eval_points, grad_points

x, y, z, w, b = sp.symbols("x y z w b", real=True)
SYM = {"x": x, "y": y, "z": z, "w": w, "b": b}

# gradcli program, the same function written in SymPy, and where its inputs live.
CASES = [
    ("(x+y)*z", (x + y) * z, {"x": (-10, 10), "y": (-10, 10), "z": (-10, 10)}),
    ("q = x*w + b; L = sigmoid(q)", 1 / (1 + sp.exp(-(x * w + b))),
     {"x": (-3, 3), "w": (-3, 3), "b": (-2, 2)}),
    ("x^3 * sin(y) + log(z)", x**3 * sp.sin(y) + sp.log(z), {"x": (-2, 2), "y": (-3, 3), "z": (0.1, 5)}),
    ("tanh(x) / (1 + y^2)", sp.tanh(x) / (1 + y**2), {"x": (-4, 4), "y": (-2, 2)}),
]


def oracle(expr, names):
    """A function point -> (value, {name: derivative}) from SymPy, at 30 digits."""
    syms = [SYM[n] for n in names]
    f = sp.lambdify(syms, [expr] + [sp.diff(expr, s) for s in syms], "mpmath")

    def at(point):
        with mpmath.workdps(30):
            got = f(*(mpmath.mpf(point[n]) for n in names))  # mpf(float) is exact
            return float(got[0]), {n: float(v) for n, v in zip(names, got[1:])}

    return at


def close(got, want, what=""):
    assert isinstance(got, float) and math.isfinite(got), (what, got)
    assert got == pytest.approx(want, rel=1e-12, abs=1e-300), (what, got, want)


def points(domain, n, seed):
    rng = random.Random(seed)
    return [{k: rng.uniform(lo, hi) for k, (lo, hi) in domain.items()} for _ in range(n)]


def check_line(obj, point, at, text, wrt=None):
    value, grads = at(point)
    assert obj["expression"] == text
    assert obj["inputs"] == point
    close(obj["value"], value, "value")
    if wrt is not None:
        assert list(obj["gradient"]) == wrt
        for name in wrt:
            close(obj["gradient"][name], grads[name], f"d/d{name}")


def jsonl(rows) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def lines_of(run):
    return [json.loads(line) for line in run.stdout.splitlines()]


@pytest.mark.parametrize("text,expr,domain", CASES)
def test_batch_and_one_point_agree_with_sympy(tmp_path, text, expr, domain):
    names = list(domain)
    at = oracle(expr, names)
    pts = points(domain, 300, seed=len(text))
    path = tmp_path / "points.jsonl"
    path.write_text(jsonl(pts))
    run = run_cli("grad", text, "--batch", str(path))
    assert run.exit_code == 0, run.stderr
    out = lines_of(run)
    assert len(out) == len(pts)
    program_inputs = [n for n in names if n in text]
    for obj, p in zip(out, pts):
        check_line(obj, p, at, text, wrt=program_inputs)
    # The one-point command at some of the same points, held to the same oracle.
    for p in pts[:8]:
        args = [a for n, v in p.items() for a in (f"{n}={v!r}",)]
        one = run_cli("grad", text, *args, "--json")
        assert one.exit_code == 0, one.stderr
        check_line(one.json, p, at, text, wrt=program_inputs)


def test_csv_and_eval_batch(tmp_path):
    at = oracle(CASES[0][1], ["x", "y", "z"])
    pts = points(CASES[0][2], 50, seed=5)
    path = tmp_path / "points.csv"
    path.write_text("x,y,z\n" + "".join(f"{p['x']!r},{p['y']!r},{p['z']!r}\n" for p in pts))
    run = run_cli("grad", "(x+y)*z", "--batch", str(path), "--wrt", "z")
    assert run.exit_code == 0
    for obj, p in zip(lines_of(run), pts, strict=True):
        check_line(obj, p, at, "(x+y)*z", wrt=["z"])
    run = run_cli("eval", "(x+y)*z", "--batch", str(path))
    assert run.exit_code == 0
    for obj, p in zip(lines_of(run), pts, strict=True):
        assert set(obj) == {"expression", "inputs", "value"}
        check_line(obj, p, at, "(x+y)*z")


def test_issue_example_exact(tmp_path):
    # (x+y)*z by hand: value (x+y)z, gradient (z, z, x+y).
    path = tmp_path / "points.jsonl"
    path.write_text('{"x": 1, "y": 3, "z": -3}\n{"x": 2, "y": -1, "z": 0.5}\n')
    run = run_cli("grad", "(x+y)*z", "--batch", str(path))
    assert [o["value"] for o in lines_of(run)] == [-12, 0.5]
    assert [o["gradient"] for o in lines_of(run)] == [{"x": -3, "y": -3, "z": 4},
                                                      {"x": 0.5, "y": 0.5, "z": 1}]
    assert run.stdout.count("\n") == 2


def test_bad_lines_in_the_middle(tmp_path):
    text = "sqrt(x) * log(y)"
    at = oracle(sp.sqrt(x) * sp.log(y), ["x", "y"])
    good = {"x": 4.0, "y": 2.0}
    rows = [
        json.dumps(good),                   # 1
        '{"x": 4, "y": ',                   # 2 bad JSON
        json.dumps({"x": 9.0}),             # 3 missing y
        json.dumps({"x": "abc", "y": 2}),   # 4 not a number
        json.dumps({"x": True, "y": 2}),    # 5 a boolean is not a number
        json.dumps({"x": -1.0, "y": 2.0}),  # 6 sqrt of a negative number
        "",                                 # 7 blank: skipped
        json.dumps({"x": 0.0, "y": 2.0}),   # 8 the gradient is infinite
        "[1, 2]",                           # 9 not an object
        json.dumps({"x": "pi/4", "y": 3}),  # 10 a constant expression is a value
        json.dumps({"x": 1e400, "y": 2}),   # 11 infinite
        json.dumps({"x": 2.25, "y": 0.5, "unused": 1}),  # 12 extra keys are ignored
        '{"x": 1' + "0" * 400 + ', "y": 2}',               # 13 too big for a double
    ]
    path = tmp_path / "points.jsonl"
    path.write_text("\n".join(rows) + "\n")
    run = run_cli("grad", text, "--batch", str(path))
    out = lines_of(run)
    assert len(out) == 12
    errors = {o["error"]["line"]: o["error"]["kind"] for o in out if "error" in o}
    assert errors == {2: "value", 3: "name", 4: "value", 5: "value", 6: "math", 8: "math",
                      9: "value", 11: "value", 13: "value"}
    check_line(out[0], good, at, text, wrt=["x", "y"])
    check_line(out[8], {"x": math.pi / 4, "y": 3.0}, at, text, wrt=["x", "y"])
    check_line(out[10], {"x": 2.25, "y": 0.5}, at, text, wrt=["x", "y"])
    assert "'sqrt(x)'" in out[5]["error"]["message"]
    # The first failure is a value error: exit 2, and a summary on stderr.
    assert run.exit_code == 2
    assert "9 of 12 points failed; the first at line 2" in run.stderr
    assert "Traceback" not in run.stderr


def test_exit_code_is_the_first_failures(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"x": 1}\n{"x": -1}\n{"y": 1}\n')
    run = run_cli("eval", "log(x)", "--batch", str(path))
    assert run.exit_code == 3  # math first, then a name error
    assert [("error" in o) for o in lines_of(run)] == [False, True, True]


def test_one_point_that_fails_is_counted_in_the_singular(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"x": -1}\n')
    run = run_cli("eval", "log(x)", "--batch", str(path))
    assert run.exit_code == 3
    assert "gradcli: 1 of 1 point failed; the first at line 1: math error" in run.stderr


@pytest.mark.parametrize("name, text", [("empty.csv", ""), ("header.csv", "x,y\n"),
                                        ("empty.jsonl", ""), ("blank.jsonl", "\n\n")])
def test_a_batch_of_no_points_says_so_on_stderr(tmp_path, name, text):
    # No lines out is right for a script (exit 0), but a person is told why stdout is empty.
    path = tmp_path / name
    path.write_text(text)
    run = run_cli("grad", "x*y", "--batch", str(path))
    assert run.exit_code == 0
    assert run.stdout == ""
    assert run.stderr == f"gradcli: the batch file '{path}' holds no points: nothing was computed\n"


def test_math_errors_scattered_over_chunks(tmp_path, monkeypatch):
    # Many points, a few of them outside log's domain, over several chunks: the
    # halving must find exactly those and give every other point its numbers.
    monkeypatch.setattr(batch_io, "CHUNK_ROWS", 700)
    rng = random.Random(3)
    pts = [{"x": rng.uniform(0.1, 9), "y": rng.uniform(-3, 3)} for _ in range(3000)]
    bad = set(rng.sample(range(3000), 40))
    for i in bad:
        pts[i]["x"] = -pts[i]["x"]
    path = tmp_path / "p.jsonl"
    path.write_text(jsonl(pts))
    run = run_cli("grad", "log(x) * y", "--batch", str(path))
    assert run.exit_code == 3
    out = lines_of(run)
    assert len(out) == 3000
    at = oracle(sp.log(x) * y, ["x", "y"])
    for i, (obj, p) in enumerate(zip(out, pts)):
        if i in bad:
            assert obj["error"]["kind"] == "math" and obj["error"]["line"] == i + 1
            assert "log needs a positive number" in obj["error"]["message"]
        else:
            check_line(obj, p, at, "log(x) * y", wrt=["x", "y"])


def test_shared_values_and_overrides(tmp_path):
    # -z 10 is a default; a point that carries z overrides it.
    path = tmp_path / "p.jsonl"
    path.write_text('{"x": 1, "y": 2}\n{"x": 1, "y": 2, "z": -1}\n{"x": 1, "y": 2, "z": null}\n')
    run = run_cli("grad", "(x+y)*z", "-z", "10", "--batch", str(path))
    assert run.exit_code == 0
    out = lines_of(run)
    assert [o["inputs"]["z"] for o in out] == [10, -1, 10]
    assert [o["value"] for o in out] == [30, -3, 30]
    assert [o["gradient"]["z"] for o in out] == [3, 3, 3]
    # CSV: an empty cell falls back on the shared value; a column overrides it.
    csv = tmp_path / "p.csv"
    csv.write_text("x,y,z\n1,2,\n1,2,-1\n")
    out = lines_of(run_cli("eval", "(x+y)*z", "-z", "pi", "--batch", str(csv)))
    assert [o["value"] for o in out] == [pytest.approx(3 * math.pi, rel=1e-15), -3]
    # -y 5 is shadowed by the column everywhere, -z 3 only where the cell is empty.
    out = lines_of(run_cli("eval", "(x+y)*z", "-y", "5", "-z", "3", "--batch", str(csv)))
    assert [o["value"] for o in out] == [9, -3]
    # A name no point carries comes from the command line for every point.
    out = lines_of(run_cli("eval", "(x+y)*z*w", "-w", "2", "-z", "3", "--batch", str(csv)))
    assert [o["value"] for o in out] == [18, -6]


def test_wrt_assigned_name_and_shared_errors(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"x": 3, "w": 2, "b": 1}\n')
    run = run_cli("grad", "q = x*w + b; L = q^2", "--batch", str(path), "--wrt", "q,w")
    assert lines_of(run)[0]["gradient"] == {"q": 14, "w": 42}  # 2q, 2q·x
    run = run_cli("grad", "(x+y)*z", "-v", "1", "--batch", str(path))
    assert_clean_error(run, 2, "does not use")
    assert run.json["error"]["kind"] == "name"  # batch output is JSON: the error too
    run = run_cli("grad", "(x+y)*z", "--batch", str(path), "--wrt", "nope")
    assert_clean_error(run, 2, "nope")


def test_csv_problems(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("x,y\n1,2\n")
    run = run_cli("eval", "(x+y)*z", "--batch", str(path))
    assert_clean_error(run, 2, "no column 'z'")
    path.write_text("x,y,z\n1,2,3\n1,2\n1,2,zz\n4,5,6\n")
    run = run_cli("eval", "(x+y)*z", "--batch", str(path))
    out = lines_of(run)
    assert out[0]["value"] == 9 and out[3]["value"] == 54
    assert out[1]["error"]["line"] == 3 and "cells" in out[1]["error"]["message"]
    assert out[2]["error"] == {"kind": "value", "line": 4, "message": out[2]["error"]["message"]}
    assert run.exit_code == 2
    path.write_text("x,x,z\n1,2,3\n")
    assert_clean_error(run_cli("eval", "x*z", "--batch", str(path)), 2, "twice")


def test_stdin_told_apart_by_content(tmp_path):
    run = run_cli("eval", "x*y", "--batch", "-", input='{"x": 2, "y": 3}\n')
    assert lines_of(run)[0]["value"] == 6
    run = run_cli("eval", "x*y", "--batch", "-", input="y,x\n2,5\n")
    assert lines_of(run)[0]["value"] == 10
    run = run_cli("eval", "-", "--batch", "-", input="x")
    assert_clean_error(run, 2, "both come from stdin")
    run = run_cli("eval", "x", "--batch", str(tmp_path / "missing.jsonl"))
    assert_clean_error(run, 2, "cannot read the batch file")
    assert run.json["error"]["kind"] == "usage"


def test_lines_that_only_parse_together_are_errors(tmp_path):
    # Joined into one array these three lines parse as three objects; each line
    # alone is bad JSON, and each must be reported as such.
    path = tmp_path / "p.jsonl"
    path.write_text('{"x":"}\n{"}\n{"x":1},{"x":2}\n')
    out = lines_of(run_cli("eval", "x", "--batch", str(path)))
    assert [o["error"]["line"] for o in out] == [1, 2, 3]
    assert all("not valid JSON" in o["error"]["message"] for o in out)


def test_python_api_against_sympy():
    text, expr, domain = CASES[1]
    pts = points(domain, 40, seed=9)
    at = oracle(expr, list(domain))
    out = grad_points(text, pts + [{"x": 1}], wrt=["w", "q"])
    for obj, p in zip(out, pts):
        value, grads = at(p)
        close(obj["value"], value)
        close(obj["gradient"]["w"], grads["w"])
        # ∂L/∂q = σ'(q) = L(1-L), from SymPy's value
        close(obj["gradient"]["q"], value * (1 - value))
    assert out[-1]["error"]["kind"] == "name" and out[-1]["error"]["line"] == 41
    vals = eval_points("x*w", [{"x": 2}, {"x": 2, "w": 5}], shared={"w": "1/4"})
    assert [v["value"] for v in vals] == [0.5, 10]


def test_batch_lines_are_the_one_point_lines_bit_for_bit(tmp_path):
    # Arithmetic is exact IEEE in both paths: a batch line must be the very bytes
    # `grad --json` writes for that point (SymPy has checked the numbers above).
    rng = random.Random(11)
    pts = [{"x": rng.uniform(-5, 5), "y": float(rng.randint(-9, 9)), "z": rng.uniform(-1, 1)}
           for _ in range(30)]
    path = tmp_path / "p.jsonl"
    path.write_text(jsonl(pts))
    batch = run_cli("grad", "(x+y)*z / (x - 7)", "--batch", str(path)).stdout.splitlines()
    for p, line in zip(pts, batch, strict=True):
        one = run_cli("grad", "(x+y)*z / (x - 7)", *(f"{k}={v!r}" for k, v in p.items()), "--json")
        if p["y"] == -7:
            # ∂/∂x = -z(7 + y)/(x - 7)^2 = 0 here: its terms cancel, and since issue 9 (item 12)
            # the one-point pass redoes them exactly, where --batch keeps the float rounding.
            assert json.loads(one.stdout)["gradient"]["x"] == 0.0
            continue
        assert one.stdout == line + "\n"


def test_csv_quotes_across_chunks(tmp_path, monkeypatch):
    # A quoted note with a comma and a line break, rows spread over chunks of 2 lines:
    # each point keeps its own values and its line number in the file.
    monkeypatch.setattr(batch_io, "CHUNK_ROWS", 2)
    path = tmp_path / "p.csv"
    path.write_text('x,note,y\n1,"a, b",2\n3,"two\nlines",4\n\n5,plain,"6"\n7,x\n')
    run = run_cli("eval", "x*y", "--batch", str(path))
    out = lines_of(run)
    assert [o.get("value") for o in out] == [2, 12, 30, None]
    assert out[3]["error"]["line"] == 7 and "2 cells" in out[3]["error"]["message"]
    assert run.exit_code == 2
