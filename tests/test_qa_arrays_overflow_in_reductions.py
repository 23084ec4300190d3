"""QA: an overflow inside an operation that is not elementwise (sum, mean, @, softmax …).

`eval "sum(X)" -X "[1e308, 1e308]"` and `grad "sum(X @ w)"` with a huge X used to stop with
"internal error" (exit 70), in --batch for the whole file: the math error's text looked for
the input's element at the output's index, which only elementwise operations have. Now it
is a math error (exit 3) naming the node, the output's element that is not finite, and each
input by its shape and its largest magnitude; in --batch that line gets its error and the
other lines go on. The oracle is NumPy (with its own overflow) and the hand-known gradients.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import assert_clean_error, run_cli


def first_bad(values) -> str:
    values = np.asarray(values)
    if not values.ndim:
        return ""
    at = np.unravel_index(int(np.argmax(~np.isfinite(values))), values.shape)
    return " at [" + ", ".join(str(int(n)) for n in at) + "]"


X = np.array([[1e308, 1e308], [3.0, 4.0]])
W = np.array([10.0, 1.0])


@pytest.mark.parametrize("program, bindings, numpy_value", [
    ("sum(X)", {"X": "[1e308, 1e308]"}, lambda: np.sum([1e308, 1e308])),
    ("sum(X @ w)", {"X": json.dumps(X.tolist()), "w": json.dumps(W.tolist())}, lambda: X @ W),
    ("mean(X, 0)", {"X": "[[1e308, 1], [1e308, 2]]"},
     lambda: np.sum([[1e308, 1], [1e308, 2]], axis=0) / 2),
    ("sum(transpose(X) @ X)", {"X": "[[1e200, 1], [2, 3]]"},
     lambda: np.array([[1e200, 1], [2, 3]]).T @ np.array([[1e200, 1], [2, 3]])),
])
def test_an_overflow_in_a_whole_array_operation_is_a_math_error(program, bindings, numpy_value):
    with np.errstate(over="ignore"):
        oracle = numpy_value()
    assert not np.isfinite(oracle).all()   # NumPy overflows there too
    args = [a for name, v in bindings.items() for a in (f"-{name}", v)]
    run = run_cli("eval", program, *args, "--json")
    assert_clean_error(run, 3, "math error", "cannot be computed" + first_bad(oracle),
                       "overflows a double", "largest |element|")
    assert run.json["error"]["kind"] == "math"


def test_the_inputs_are_named_by_shape_and_largest_magnitude():
    run = run_cli("grad", "sum(X @ w)", "-X", json.dumps(X.tolist()), "-w", json.dumps(W.tolist()))
    assert_clean_error(run, 3, "'X @ w' cannot be computed at [0]",
                       "X of shape (2, 2), largest |element| 1e+308",
                       "w of shape (2,), largest |element| 10")


def test_in_a_batch_the_overflowing_line_fails_and_the_others_go_on(tmp_path):
    good = [(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, -1.0])),
            (np.array([[0.5, 2.0, 3.0]]), np.array([1.0, 0.0, 2.0]))]
    lines = [{"X": good[0][0].tolist(), "w": good[0][1].tolist()},
             {"X": X.tolist(), "w": W.tolist()},
             {"X": good[1][0].tolist(), "w": good[1][1].tolist()}]
    path = tmp_path / "points.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    run = run_cli("grad", "sum(X @ w)", "--batch", str(path))
    assert run.exit_code == 3, (run.exit_code, run.stderr)
    assert "internal error" not in run.stderr
    out = [json.loads(line) for line in run.stdout.splitlines()]
    assert out[1]["error"]["kind"] == "math" and out[1]["error"]["line"] == 2
    for got, (Xg, wg) in zip([out[0], out[2]], good):
        assert got["value"] == pytest.approx(float(np.sum(Xg @ wg)), rel=1e-15)
        # ∂ sum(X @ w)/∂X = 1 wᵀ (every row is w), ∂/∂w = the column sums of X
        np.testing.assert_allclose(got["gradient"]["X"], np.tile(wg, (len(Xg), 1)))
        np.testing.assert_allclose(got["gradient"]["w"], Xg.sum(axis=0))


def test_an_element_of_an_indexed_name_reads_as_it_is_written():
    run = run_cli("eval", "X[0] * 10", "-X", "[[1e308, 1], [1e308, 2]]")
    assert_clean_error(run, 3, "X[0][0] = 1e+308")
