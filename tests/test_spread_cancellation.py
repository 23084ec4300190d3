"""A cancellation spread over several sums (QA: the gradient of x + 1e17*x -
99999990000000000*x - 9999999000*x came out 1000; by integer arithmetic it is
1 + 10^17 - 99999990000000000 - 9999999000 = 1001). Each sum is compared with the
largest term on its way, not only the one just added, so it is redone exactly."""

from __future__ import annotations

import json

import pytest

import gradcli
from conftest import run_cli

TRUTH = 1 + 10**17 - 99999990000000000 - 9999999000   # 1001, exactly


@pytest.mark.parametrize("text", [
    "x + 1e17*x - 99999990000000000*x - 9999999000*x",
    "(-9999999000)*x + 1e17*x + (-99999990000000000)*x + x",
])
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_both_modes_give_the_integer_answer(text, mode):
    r = gradcli.grad(text, x=1, mode=mode)
    assert r.gradient["x"] == TRUTH and r.warnings == []


def test_a_batch_too(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("x\n1\n2\n")
    run = run_cli("grad", "x + 1e17*x - 99999990000000000*x - 9999999000*x", "--batch", str(path))
    assert [json.loads(line)["gradient"]["x"] for line in run.stdout.splitlines()] == [TRUTH, TRUTH]
