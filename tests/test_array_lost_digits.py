"""Array programs' gradients that may lie by being small (QA: sum(W + W/W) at W[0] = 1e-17
gave ∂/∂W[0] = 0 where the truth is 1, silently; sum(a/b^c) at 1e154 gave -0). Arrays have
no exact pass: such a gradient is warned of, on stderr and in JSON; exact zeros are not."""

from __future__ import annotations

import json

import pytest

import gradcli
from conftest import run_cli


def warned(text, *bindings) -> dict:
    run = run_cli("grad", text, *bindings, "--json")
    assert run.exit_code == 0, run.stderr
    out = json.loads(run.stdout)
    return {w.split("'")[1] for w in out.get("warnings", [])}, run.stderr


def test_a_sum_that_cancels_is_warned():
    # d/dW sum(W + W/W) = 1 + 1/W - W/W^2 = 1 everywhere; doubles give 1 + 1e17 - 1e17 = 0
    names, stderr = warned("sum(W + W/W)", "W=[1e-17, 1]")
    assert names == {"W"} and "gradcli: warning:" in stderr


def test_an_underflowing_quotient_rule_is_warned():
    # ∂/∂b (a/b^c) = -a·c·b^(-c-1) = -2.77e-282 at a = b = 1e154: an ordinary double
    names, _ = warned("sum(a/b^c)", "a=[1e154, 1]", "b=[1e154, 2]", "c=1.83")
    assert names == {"b", "c"}


@pytest.mark.parametrize("text, bindings", [
    ("sum(relu(W)*V)", ["W=[-1, 2]", "V=[3, 4]"]),      # a dead relu: exact zeros
    ("sum(W/V)", ["W=[0, 2]", "V=[3, 4]"]),             # -W/V^2 at W = 0 is exactly 0
    ("sum(W*W)", ["W=[1, 2]"]),
    ("sum((X @ w - y)^2)", ["X=[[1, 2], [3, 4]]", "w=[0.5, -1]", "y=[1, 2]"]),
])
def test_exact_results_are_not_warned(text, bindings):
    names, stderr = warned(text, *bindings)
    assert names == set() and stderr == ""


def test_the_python_api_carries_the_warning():
    r = gradcli.grad("sum(W + W/W)", {"W": [1e-17, 1.0]})
    assert len(r.warnings) == 1 and "'W'" in r.warnings[0]
