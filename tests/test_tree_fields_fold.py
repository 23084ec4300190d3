"""The Rich tree packs a node's fields into lines that fit, breaking before any field
(value, grad, each tangent d/dx), never inside a number (QA: forward mode at a narrow
terminal split '-0.098765432109' / '8')."""

from __future__ import annotations

import math

from conftest import run_cli


def test_forward_tangent_fields_are_whole_in_the_rich_tree():
    run = run_cli("trace", "1/(1+exp(-(w0*x0 + w1*x1 + w2)))", "-w0", "2", "-x0", "-1", "-w1", "-3",
                  "-x1", "-2", "-w2", "-3", "--mode", "forward", env={"COLUMNS": "60", "NO_COLOR": "1"})
    assert run.exit_code == 0
    tree = run.stdout.split("\n\n")[1].splitlines()
    assert all(len(line) <= 60 for line in tree)
    s = 1 / (1 + math.exp(-1))          # z = 1 at this point; ∂σ/∂z = σ(1 - σ)
    d = s * (1 - s)
    for name, partial in {"w0": -1, "x0": 2, "w1": -2, "x1": -3, "w2": 1}.items():
        assert f"d/d{name} {d * partial:.12g}" in "\n".join(tree[:4]), name
