"""`--mode forward` on a big array: one tangent pass per element, so refused above a size."""

from __future__ import annotations

import numpy as np
from conftest import assert_clean_error, run_cli

from gradcli.passes.array_domain import FORWARD_MAX_ELEMENTS


def _npy(tmp_path, x):
    path = tmp_path / "x.npy"
    np.save(path, x)
    return "@" + str(path)


def test_forward_mode_at_its_limit_gives_the_hand_gradient(tmp_path):
    x = np.random.default_rng(1).standard_normal((100, 100))
    assert x.size == FORWARD_MAX_ELEMENTS
    run = run_cli("grad", "sum(X * X)", "-X", _npy(tmp_path, x), "--mode", "forward", "--json")
    assert run.exit_code == 0
    np.testing.assert_allclose(np.array(run.json["gradient"]["X"]), 2 * x, rtol=1e-12)


def test_forward_mode_refuses_a_bigger_array(tmp_path):
    x = _npy(tmp_path, np.ones((101, 100)))
    run = run_cli("grad", "sum(X * X)", "-X", x, "--mode", "forward")
    assert_clean_error(run, 2, "X has 10,100 elements", "at most 10,000", "reverse mode")
    assert run.stdout == ""
    run = run_cli("grad", "sum(X * X)", "-X", x, "--mode", "forward", "--json")
    assert run.exit_code == 2 and run.json["error"]["kind"] == "usage"


def test_the_limit_counts_every_input(tmp_path):
    run = run_cli("grad", "sum(X) + sum(w)", "-X", "ones(100, 60)", "-w", "ones(5000)",
                  "--mode", "forward")
    assert_clean_error(run, 2, "the inputs have 11,000 elements (X: 6,000)", "at most 10,000")
    ok = run_cli("grad", "sum(X) + sum(w)", "-X", "ones(100, 60)", "-w", "ones(5000)",
                 "--mode", "forward", "--wrt", "w", "--json")
    assert ok.exit_code == 0 and ok.json["gradient"]["w"] == [1.0] * 5000


def test_trace_forward_refuses_a_jacobian_too_big_to_keep():
    run = run_cli("trace", "sum(X * X)", "-X", "ones(100, 100)", "--mode", "forward")
    # nodes X, X * X (10^4 each) and the sum (1): (2·10^4 + 1)·10^4 tangent numbers
    assert_clean_error(run, 2, "200,010,000 numbers", "at most 10,000,000", "grad --mode forward")
    small = run_cli("trace", "sum(X * X)", "-X", "[[1, 2], [3, 4]]", "--mode", "forward", "--json")
    assert small.exit_code == 0
