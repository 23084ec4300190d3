"""`grad --batch` gradients that lie by being 0 (issue 9, item 12; QA found `x + x/x` at
1e-17 and `a/b^c` at 1e154 giving silent zeros in a batch where the one-point command was
right). A point whose float gradients may have lost digits gets exactly the line that
`grad --json` writes there, warnings included. Oracles: hand derivations with mpmath.
"""

from __future__ import annotations

import json

import mpmath
import numpy as np
import pytest

from conftest import run_cli
from gradcli.homework.batch import grad_points
from gradcli.passes.arrays import backward_arrays, forward_arrays, lost_rows
from gradcli.program.program import Program

mpmath.mp.dps = 50


def rel(a, b) -> float:
    return float(abs(mpmath.mpf(a) - b) / abs(b))


def lines(run) -> list[dict]:
    return [json.loads(line) for line in run.stdout.splitlines()]


def test_cancelling_and_underflowing_points_in_a_csv_batch(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("a,b,c\n1e154,1e154,1.83\n1,2,3\n")
    run = run_cli("grad", "a/b^c", "--batch", str(path))
    assert run.exit_code == 0
    got = lines(run)
    a, b, c = mpmath.mpf(1e154), mpmath.mpf(1e154), mpmath.mpf(1.83)
    truth = {"a": b ** -c, "b": -a * c * b ** (-c - 1), "c": -a * b ** -c * mpmath.log(b)}
    for name, t in truth.items():
        assert rel(got[0]["gradient"][name], t) < 1e-12, name
    # the ordinary point is untouched: ∂/∂b (a/b^3) at a = 1, b = 2 is -3/16
    assert got[1]["gradient"]["b"] == -0.1875


def test_a_point_in_doubt_gets_the_one_point_line_bit_for_bit(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"x": 1e-17}\n{"x": 2}\n{"x": 400}\n')
    for text in ("x + x/x", "1e300*tanh(x)"):
        run = run_cli("grad", text, "--batch", str(path))
        assert run.exit_code == 0
        for line, x in zip(run.stdout.splitlines(), ["1e-17", "2", "400"]):
            one = run_cli("grad", text, "-x", x, "--json")
            assert line + "\n" == one.stdout, (text, x)
    got = lines(run_cli("grad", "x + x/x", "--batch", str(path)))
    assert [p["gradient"]["x"] for p in got] == [1.0, 1.0, 1.0]   # d/dx (x + x/x) = 1
    warned = lines(run_cli("grad", "1e300*tanh(x)", "--batch", str(path)))
    assert "warnings" in warned[2] and "warnings" not in warned[1]


def test_the_python_api_too():
    got = grad_points("x + x/x", [{"x": 1e-17}, {"x": 3}])
    assert [p["gradient"]["x"] for p in got] == [1.0, 1.0]


@pytest.mark.parametrize("text, column, doubt", [
    ("relu(x)*y", {"x": [-1.0, 2.0], "y": [2.0, 2.0]}, [False, False]),    # a dead relu: exact
    ("max(x, y)*3", {"x": [-1.0, 5.0], "y": [0.0, 1.0]}, [False, False]),  # the losing side
    # y·x at x·y's input cancels: a doubt (the one-point pass has it too), resolved as exact
    ("x*y - y*x", {"x": [0.3, 1.0], "y": [0.7, 2.0]}, [True, True]),
    ("x + x/x", {"x": [1e-17, 2.0]}, [True, False]),
    ("a/b^c", {"a": [1e154, 1.0], "b": [1e154, 2.0], "c": [1.83, 3.0]}, [True, False]),
])
def test_which_rows_are_in_doubt(text, column, doubt):
    p = Program(text)
    cols = {k: np.array(v) for k, v in column.items()}
    vals = forward_arrays(p.graph, cols)
    backward_arrays(p.graph, vals)
    targets = [p.node_of(n) for n in p.inputs]
    assert lost_rows(p.graph, vals, 2, targets).tolist() == doubt
