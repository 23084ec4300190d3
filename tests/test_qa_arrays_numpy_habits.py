"""QA: what a student used to NumPy types first (W.T, np.exp, W.sum(), A[:, 0], axis=0,
dot, maximum) gets a hint that says how the language writes it, and the rewrite the hint
gives computes what NumPy computes (the oracle). Before, most of these said only
"unexpected character '.'" or "unknown function".
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import assert_clean_error, run_cli

W = np.array([[1.0, -2.0], [3.0, 0.5]])
x = np.array([0.5, 2.0])
BIND = ["-W", json.dumps(W.tolist()), "-x", json.dumps(x.tolist())]


@pytest.mark.parametrize("typed, hint, rewrite, numpy_value, code", [
    ("sum(W.T @ x)", "did you mean transpose(W)?", "sum(transpose(W) @ x)", np.sum(W.T @ x), 2),
    ("sum(np.exp(W) @ x)", "exp(…), not np.exp(…)", "sum(exp(W) @ x)", np.sum(np.exp(W) @ x), 2),
    ("W.sum() + sum(x)", "write sum(W), not W.sum()", "sum(W) + sum(x)", W.sum() + x.sum(), 2),
    ("sum(W[:, 0] * x)", "slices are not part of the language", "sum(transpose(W)[0] * x)",
     np.sum(W[:, 0] * x), 2),
    ("sum(sum(W, axis=0) * x)", "the axis is the second argument", "sum(sum(W, 0) * x)",
     np.sum(W.sum(axis=0) * x), 2),
    ("sum(dot(W, x))", "a matrix product is written a @ b", "sum(W @ x)", np.sum(W @ x), 2),
    ("sum(maximum(W, 0) @ x)", "did you mean 'max'?", "sum(max(W, 0) @ x)",
     np.sum(np.maximum(W, 0) @ x), 2),
])
def test_a_numpy_habit_gets_a_hint_whose_rewrite_numpy_agrees_with(typed, hint, rewrite,
                                                                    numpy_value, code):
    run = run_cli("eval", typed, *BIND)
    assert_clean_error(run, code, hint)
    fixed = run_cli("eval", rewrite, *BIND, "--json")
    assert fixed.exit_code == 0, fixed.stderr
    assert fixed.json["value"] == pytest.approx(float(numpy_value), rel=1e-15)


def test_a_number_after_a_name_still_reads_as_a_missing_star():
    run = run_cli("eval", "x.5", "-x", "2")
    assert run.exit_code == 2 and "methods" not in run.stderr


M = np.array([[1.0, 2.0, -1.0], [3.0, 4.0, 0.5]])
G = np.array([[0.3, -1.0, 2.0], [1.5, 0.2, -0.7]])


def test_softmax_over_axis_0_gets_a_rewrite_that_torch_agrees_with():
    from torch_oracle import oracle_torch

    torch = oracle_torch()    # below 3.11 this test skips

    bind = ["-M", json.dumps(M.tolist()), "-G", json.dumps(G.tolist())]
    run = run_cli("grad", "sum(softmax(M, 0) * G)", *bind)
    assert_clean_error(run, 2, "softmax works over the last axis",
                       "transpose(softmax(transpose(X)))")
    fixed = run_cli("grad", "sum(transpose(softmax(transpose(M))) * G)", *bind, "--json", "--wrt", "M")
    assert fixed.exit_code == 0, fixed.stderr
    t = torch.tensor(M, dtype=torch.float64, requires_grad=True)
    value = (torch.softmax(t, dim=0) * torch.tensor(G)).sum()
    value.backward()
    assert fixed.json["value"] == pytest.approx(value.item(), rel=1e-14)
    np.testing.assert_allclose(fixed.json["gradient"]["M"], t.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("typed", ["sum(transpose(M, 1, 0))", "sum(transpose(M, 0))"])
def test_transpose_with_an_axis_order_says_it_takes_none(typed):
    run = run_cli("eval", typed, "-M", json.dumps(M.tolist()))
    assert_clean_error(run, 2, "transpose(a) reverses the axes; it takes no axis order")
