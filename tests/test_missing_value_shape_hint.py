"""A missing value's hint has the shape the given arrays call for (shapes.fitting_shapes).

The oracle: the words the hint suggests, added to the command, make it run, and the
gradient then agrees with NumPy's hand-written one.
"""

from __future__ import annotations

import json
import shlex

import numpy as np
import pytest

from conftest import assert_clean_error, run_cli


def suggested(stderr: str) -> list[str]:
    hint = stderr.strip().splitlines()[-1]
    assert hint.startswith("give one, e.g. "), stderr
    return shlex.split(hint.removeprefix("give one, e.g. "))


def test_a_vector_is_asked_for_where_a_matrix_multiplies_it():
    W = [[1, 2], [3, 4]]
    run = run_cli("grad", "sum(W @ x)", "-W", json.dumps(W))
    assert_clean_error(run, 2, "no value for variable 'x'", 'e.g. -x "[0, 0]"')
    assert "-x 1" not in run.stderr
    done = run_cli("grad", "sum(W @ x)", "-W", json.dumps(W), *suggested(run.stderr), "--json")
    assert done.exit_code == 0, done.stderr
    # d/dx sum(W x) = W^T 1, whatever x is.
    np.testing.assert_allclose(done.json["gradient"]["x"], np.array(W).T @ np.ones(2))


def test_a_long_vector_is_written_with_zeros_and_a_scalar_as_today():
    run = run_cli("grad", "sum(W @ x + b)", "-W", "zeros(3, 5)")
    assert_clean_error(run, 2, "no value for variables 'x' and 'b'", 'e.g. -x "zeros(5)" -b 1')
    done = run_cli("grad", "sum(W @ x + b)", "-W", "ones(3, 5)", *suggested(run.stderr), "--json")
    assert done.exit_code == 0, done.stderr
    np.testing.assert_allclose(done.json["gradient"]["x"], np.ones((3, 5)).T @ np.ones(3))
    assert done.json["gradient"]["b"] == pytest.approx(3.0)


def test_a_matrix_is_asked_for_with_its_two_sizes():
    program = "sum(transpose(W) @ x) + sum(W @ v)"
    run = run_cli("grad", program, "-x", "[1, 2, 3]", "-v", "[1, 2]")
    assert_clean_error(run, 2, 'e.g. -W "zeros(3, 2)"')
    done = run_cli("grad", program, "-x", "[1, 2, 3]", "-v", "[1, 2]", *suggested(run.stderr), "--json")
    assert done.exit_code == 0, done.stderr
    # d/dW of x·(W v) summed both ways: x 1ᵀ + 1 vᵀ.
    np.testing.assert_allclose(done.json["gradient"]["W"],
                               np.outer([1, 2, 3], np.ones(2)) + np.outer(np.ones(3), [1, 2]))


@pytest.mark.parametrize("args, hint", [
    (("x*y", "-x", "1"), "give one, e.g. -y 1"),                          # no arrays at all
    (("sum(W @ x)",), "give one, e.g. -W 1 -x 1"),                        # no shape to go by
    (("sum(W * x)", "-W", "[1, 2]"), "give one, e.g. -x 1"),              # a number fits
])
def test_where_no_shape_can_be_inferred_the_hint_is_as_before(args, hint):
    run = run_cli("grad", *args)
    assert_clean_error(run, 2, "no value for", hint)


def test_json_error_carries_the_shaped_hint():
    run = run_cli("eval", "W @ x", "-W", "[[1, 2], [3, 4], [5, 6]]", "--json")
    assert run.exit_code == 2
    error = run.json["error"]
    assert error["kind"] == "name" and 'e.g. -x "[0, 0]"' in error["message"]
