"""trace --mode forward on a narrow terminal (QA): each node's tangents are separate fields
('d/dw0 -0.1966…'), so the stacked table keeps to the width instead of one 142-column
list; every digit is still there."""

from __future__ import annotations

import math

import pytest

from conftest import run_cli

PROGRAM = "1/(1+exp(-(w0*x0 + w1*x1 + w2)))"
POINT = {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}


def show(v: float) -> str:
    return f"{v:.12g}"


@pytest.mark.parametrize("width", [40, 60, 80])
def test_the_stacked_forward_table_keeps_to_the_width(width):
    args = [a for n, v in POINT.items() for a in (f"-{n}", str(v))]
    run = run_cli("trace", PROGRAM, *args, "--mode", "forward", env={"COLUMNS": str(width)})
    assert run.exit_code == 0
    table = run.stdout[run.stdout.index("\n#    node"):].split("\n\n")[0].splitlines()
    assert table and all(len(line) <= width for line in table), [l for l in table if len(l) > width]
    # the output's tangents, by hand: σ'(z)·∂z/∂v with z = w0*x0 + w1*x1 + w2 = 1
    s = 1 / (1 + math.exp(-1))
    d = s * (1 - s)
    text = "\n".join(table)
    for name, partial in {"w0": -1, "x0": 2, "w1": -2, "x1": -3, "w2": 1}.items():
        assert f"d/d{name} {show(d * partial)}" in text, name
