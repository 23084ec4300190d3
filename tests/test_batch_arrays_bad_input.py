"""Bad array points in `--batch` (README "Arrays in a batch"): each bad line gets its own
`{"error": {"kind", "message", "line"}}` line while the good ones go on, stderr says how many
failed and where the first was, and the exit code is the first failure's (SPEC §4). A
mistake that holds for every point (an option, a --wrt name) stops the batch before any line.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import assert_clean_error, run_cli

FIT = "L = mean((X @ w - t)^2)"
GOOD = {"X": [[1, 2], [3, 4], [5, 6]], "w": [0.5, -1], "t": [1, 0, 2]}


def fit_value(p) -> float:
    return float(np.mean((np.asarray(p["X"], float) @ p["w"] - np.asarray(p["t"], float)) ** 2))


def write(path, lines) -> str:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n"
                            for line in lines))
    return str(path)


def lines_of(run) -> list[dict]:
    return [json.loads(line) for line in run.stdout.splitlines()]


def deep(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


# (a line's text, its error kind, a fragment of its message)
BAD_LINES = [
    (json.dumps({**GOOD, "X": [[1, 2], [3]]}), "value", "the value of 'X' is ragged"),
    (json.dumps({**GOOD, "X": [[1, 2, 3]]}), "shape", "X @ w: (1, 3) @ (2,): the inner sizes 3 and 2 differ"),
    (json.dumps({"X": GOOD["X"], "w": GOOD["w"]}), "name", "no value for variable 't'"),
    (json.dumps({**GOOD, "w": [0.5, "a"]}), "value", "the element at [1] is the string \"a\", not a number"),
    (json.dumps({**GOOD, "w": [0.5, True]}), "value", "the element at [1] is boolean, not a number"),
    (json.dumps({**GOOD, "w": [0.5, None]}), "value", "the element at [1] is null, not a number"),
    (json.dumps({**GOOD, "w": []}), "value", "the value of 'w' is empty"),
    ('{"X": [[1, 2], [3, 4], [5, 6]], "w": [0.5, 1e400], "t": [1, 0, 2]}', "value",
     "not a finite number (inf) at [1]"),
    ('{"X": [[1, 2], [3, 4], [5, 6]], "w": ' + deep(33) + ', "t": [1, 0, 2]}', "value",
     "the value of 'w' is nested too deeply (an array has at most 32 axes)"),
    ('{"X": [[1, 2], [3, 4], [5, 6]], "w": ' + deep(100_000) + ', "t": [1, 0, 2]}', "value",
     "arrays or objects nested too deeply"),
    (json.dumps({**GOOD, "w": "@w.npy"}), "value", "files and zeros/ones/randn/rand belong on the command line"),
    (json.dumps({**GOOD, "w": "randn(2)"}), "value", "is not a number or an array for one point"),
    (json.dumps({**GOOD, "w": {"a": 1}}), "value", "the value of 'w' is not a number"),
]


@pytest.mark.parametrize("line,kind,fragment", BAD_LINES, ids=[b[2][:40] for b in BAD_LINES])
def test_one_bad_line_among_good_ones(tmp_path, line, kind, fragment):
    other = {"X": [[1.0, -1.0]], "w": [2.0, 3.0], "t": [0.5]}
    path = write(tmp_path / "p.jsonl", [GOOD, line, other])
    run = run_cli("grad", FIT, "--batch", path)
    out = lines_of(run)
    assert len(out) == 3
    assert out[1]["error"]["kind"] == kind and out[1]["error"]["line"] == 2
    assert fragment in out[1]["error"]["message"]
    assert out[0]["value"] == pytest.approx(fit_value(GOOD), rel=1e-15)
    assert out[2]["value"] == pytest.approx(fit_value(other), rel=1e-15)
    assert_clean_error(run, 2, f"1 of 3 points failed; the first at line 2: {kind} error")
    if kind == "shape":   # the caret under the node, as at one point
        assert "\n  L = mean((X @ w - t)^2)\n            ^^^^^" in out[1]["error"]["message"]


def test_the_exit_code_is_the_first_failures(tmp_path):
    # a math error (exit 3) on line 2, a shape error (exit 2) on line 3
    lines = [{"x": [1, 2]}, {"x": [1, -2]}, {"x": [[1, 2], [3]]}, {"x": [[1, 2, 3]]}]
    run = run_cli("grad", "sum(log(x))", "--batch", write(tmp_path / "p.jsonl", lines))
    out = lines_of(run)
    assert out[1]["error"]["kind"] == "math" and "log needs a positive number" in out[1]["error"]["message"]
    assert out[2]["error"]["kind"] == "value"
    assert out[3]["gradient"]["x"] == [[1.0, 0.5, pytest.approx(1 / 3, rel=1e-15)]]
    assert_clean_error(run, 3, "2 of 4 points failed; the first at line 2: math error")


def test_bad_class_indices_in_one_line(tmp_path):
    lines = [{"s": [[1, 2], [3, 4]], "y": [0, 2]}, {"s": [[1, 2], [3, 4]], "y": [0, 0.5]},
             {"s": [1, 2, 3], "y": 2}]
    run = run_cli("grad", "cross_entropy(s, y)", "--batch", write(tmp_path / "p.jsonl", lines))
    out = lines_of(run)
    assert [o["error"]["kind"] for o in out[:2]] == ["value", "value"]
    assert "y[1] is 2" in out[0]["error"]["message"] and "y[1] is 0.5" in out[1]["error"]["message"]
    p = np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum()
    np.testing.assert_allclose(out[2]["gradient"]["s"], p - [0, 0, 1], rtol=1e-13)
    assert list(out[2]["gradient"]) == ["s"]
    assert run.exit_code == 2


def test_an_array_output_has_no_gradient_at_any_line(tmp_path):
    run = run_cli("grad", "X @ w", "--batch", write(tmp_path / "p.jsonl", [GOOD, GOOD]))
    out = lines_of(run)
    assert all(o["error"]["kind"] == "shape" and "needs a scalar output" in o["error"]["message"]
               for o in out)
    assert_clean_error(run, 2, "2 of 2 points failed")


def test_what_holds_for_every_point_stops_the_batch_first(tmp_path):
    path = write(tmp_path / "p.jsonl", [{"s": [1, 2], "y": 0}])
    run = run_cli("grad", "cross_entropy(s, y)", "--wrt", "y", "--batch", path)
    assert_clean_error(run, 2, "'y' is used only as class indices")
    assert run.json["error"]["kind"] == "usage"
    run = run_cli("grad", "cross_entropy(s, y)", "--wrt", "q", "--batch", path)
    assert_clean_error(run, 2, "'q'")
    assert run.json["error"]["kind"] == "name"
    run = run_cli("grad", "cross_entropy(s, y)", "-W", "[1, 2]", "--batch", path)
    assert_clean_error(run, 2, "does not use")
    run = run_cli("grad", "cross_entropy(s, y)", "-s", "[1, 2", "--batch", path)
    assert_clean_error(run, 2, "the value of 's'")
    assert run.json["error"]["kind"] == "value"
