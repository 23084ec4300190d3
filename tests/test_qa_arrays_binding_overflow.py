"""QA: a binding value whose arithmetic overflows on an array (`-W "randn(2, 3) * 1e308 * 10"`).

It used to stop with "internal error" (exit 70): the binding's arithmetic ran in the rows
domain, which indexes a value as a column of rows. Now it is a `value` error (a bad binding
value, SPEC §2) naming the first element that overflows, the draws written as typed.
The oracle is NumPy: the same draws (default_rng(seed)) and the first non-finite element.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import assert_clean_error, run_cli


def first_bad(values: np.ndarray) -> str:
    at = np.unravel_index(int(np.argmax(~np.isfinite(values))), values.shape)
    return "[" + ", ".join(str(int(n)) for n in at) + "]"


@pytest.mark.parametrize("seed", [0, 3])
def test_overflowing_draw_is_a_value_error_at_numpys_first_bad_element(seed):
    with np.errstate(over="ignore"):
        oracle = np.random.default_rng(seed).standard_normal((2, 3)) * 1e308 * 10
    run = run_cli("eval", "sum(W)", "-W", "randn(2, 3) * 1e308 * 10", "--seed", str(seed))
    assert_clean_error(run, 2, "value error", "the value of 'W'", "overflows",
                       f"cannot be computed at {first_bad(oracle)}")
    assert "internal error" not in run.stderr and "_gcarg" not in run.stderr


def test_overflowing_ones_is_a_value_error_in_json():
    run = run_cli("grad", "sum(W * x)", "-W", "ones(2, 3) * 1e308 * 10", "-x", "1", "--json")
    assert_clean_error(run, 2, "overflows", "at [0, 0]")
    error = json.loads(run.stdout)["error"]
    assert error["kind"] == "value"


def test_a_draw_is_named_as_written_not_by_an_internal_name():
    run = run_cli("eval", "sum(W)", "-W", "log(zeros(2))")
    assert_clean_error(run, 2, "value error", "log(zeros(2))", "zeros(2)[0] = 0")
    assert "_gcarg" not in run.stderr and "row" not in run.stderr


def test_values_that_do_not_overflow_still_bind_as_numpy_draws_them():
    run = run_cli("eval", "W", "-W", "0.5 * randn(2, 3) + ones(2, 3)", "--seed", "5", "--json")
    assert run.exit_code == 0, run.stderr
    oracle = 0.5 * np.random.default_rng(5).standard_normal((2, 3)) + 1
    np.testing.assert_allclose(np.array(run.json["value"]), oracle, rtol=1e-15)


@pytest.mark.parametrize("args, fragment", [
    # an index after an operator's text is put after parentheses: (y + 1)[1], not y + 1[1]
    (["grad", "cross_entropy(S, y + 1)", "-S", "[[1, 2, 3], [1, 0, 0]]", "-y", "[0, 2]"],
     "but (y + 1)[1] is 3"),
    (["eval", "sum(log(X - 1))", "-X", "[[1, 2], [3, 4]]"], "(X - 1)[0, 0] = 0"),
    (["eval", "sum(log(X))", "-X", "[[1, 2], [3, -4]]"], "X[1, 1] = -4"),
    (["eval", "sum(log(sin(X) - sin(X)))", "-X", "[1, 2]"], "(sin(X) - sin(X))[0] = 0"),
])
def test_an_element_of_a_compound_operand_is_written_with_parentheses(args, fragment):
    run = run_cli(*args)
    assert run.exit_code in (2, 3)
    assert fragment in run.stderr, run.stderr
