"""QA: an array literal nested more deeply than an array may be (SPEC §6: a literal is a
stack of its elements along a new first axis).

`sum([[[…70 deep…1]]])` in a program used to stop with "internal error" (exit 70: NumPy has
at most 64 axes), and so did a literal of names around an array binding. A binding already
refused more than 32 axes as a value error; the program's literal is now a shape error with
its caret, at the same limit. Oracle: the sum of a nested literal of one number is that number,
and its gradient is 1 (by hand); NumPy agrees for the depths it can hold.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import assert_clean_error, run_cli


def nested(inner: str, depth: int) -> str:
    return "[" * depth + inner + "]" * depth


@pytest.mark.parametrize("depth", [33, 70, 5000])
def test_a_literal_of_numbers_too_deep_is_a_shape_error(depth):
    run = run_cli("eval", f"sum({nested('1', depth)})", "--json")
    assert_clean_error(run, 2, "shape error", "nested too deeply (an array has at most 32 axes)", "^")
    assert run.json["error"]["kind"] == "shape"


@pytest.mark.parametrize("depth", [33, 70])
def test_a_literal_of_names_too_deep_is_a_shape_error(depth):
    run = run_cli("grad", f"sum({nested('x', depth)})", "-x", "2", "--json")
    assert_clean_error(run, 2, "nested too deeply")
    assert run.json["error"]["kind"] == "shape"


def test_a_literal_around_a_deep_binding_counts_the_bindings_axes():
    X = nested("1", 30)
    assert np.array(eval_literal(X)).ndim == 30
    run = run_cli("grad", "sum([[[X]]])", "-X", X)
    assert_clean_error(run, 2, "nested too deeply")
    ok = run_cli("grad", "sum([[X]])", "-X", X, "--json")
    assert ok.exit_code == 0, ok.stderr
    assert ok.json["value"] == 1.0
    assert np.array(ok.json["gradient"]["X"]).shape == (1,) * 30


def eval_literal(text: str):
    import json

    return json.loads(text)


@pytest.mark.parametrize("program", [f"sum({nested('1', 32)})", f"2 * sum({nested('x', 32)})"])
def test_thirty_two_axes_still_work(program):
    run = run_cli("grad" if "x" in program else "eval", program, *(["-x", "3"] if "x" in program else []),
                  "--json")
    assert run.exit_code == 0, run.stderr
    if "x" in program:
        assert run.json["value"] == 6.0 and run.json["gradient"]["x"] == 2.0
    else:
        assert run.json["value"] == 1.0
