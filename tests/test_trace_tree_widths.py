"""The trace tree never folds a number either: on a narrow console a deep tree is drawn
as plain text (long lines for the terminal to wrap) rather than squeezed by Rich."""

from __future__ import annotations

import math
import re

import pytest

DEPTH = 12


@pytest.mark.parametrize("width", [60, 80, 100, 200])
def test_every_value_and_gradient_of_a_deep_tree_is_whole(cli, width):
    text = "sin(" * DEPTH + "x" + ")" * DEPTH
    r = cli("trace", text, "-x", "0.987654321", env={"COLUMNS": str(width)})
    assert r.exit_code == 0, r.stderr
    tree = r.stdout.split("\n\n")[1]
    tokens = set(re.split(r"\s+", tree))
    # the oracle: the chain by hand, values forwards and gradients (products of cosines) backwards
    values = [0.987654321]
    for _ in range(DEPTH):
        values.append(math.sin(values[-1]))
    grads = [1.0]
    for v in reversed(values[:-1]):
        grads.append(grads[-1] * math.cos(v))
    grads.reverse()
    for number in values + grads:
        shown = next((t for t in tokens if re.fullmatch(r"-?\d+(\.\d+)?(e-?\d+)?", t)
                      and math.isclose(float(t), number, rel_tol=1e-11)), None)
        assert shown is not None, (width, number, tree)


def test_a_narrow_terminal_console_gets_no_folded_number():
    # a real 60-column terminal (not COLUMNS): the view itself picks plain text
    import io

    from rich.console import Console

    from gradcli.program.trace import trace
    from gradcli.views.trace_text import print_trace

    t = trace("sin(" * DEPTH + "x" + ")" * DEPTH, {"x": 0.987654321})
    out = io.StringIO()
    print_trace(Console(file=out, width=60, highlight=False), t)
    tree = out.getvalue().split("\n\n")[1]
    for n in t.nodes:
        assert f"value {n.value:.12g}  grad {n.grad:.12g}" in tree, (n.id, tree)


@pytest.mark.parametrize("width", [60, 80])
def test_a_long_line_breaks_between_fields_never_between_a_name_and_its_number(cli, width):
    # CS231n's neuron: long labels near the root; by hand, f = σ(1) and ∂f/∂(1+e^-1) = -f²
    r = cli("trace", "1/(1+exp(-(w0*x0 + w1*x1 + w2)))", "-w0", "2", "-x0", "-1", "-w1", "-3",
            "-x1", "-2", "-w2", "-3", env={"COLUMNS": str(width)})
    assert r.exit_code == 0, r.stderr
    tree = r.stdout.split("\n\n")[1]
    lines = tree.splitlines()
    assert all(len(line) <= width for line in lines), tree
    # every "value" and "grad" has its number on its own line
    assert not any(re.search(r"\b(value|grad)\s*$", line) for line in lines), tree
    f = 1 / (1 + math.exp(-1))
    grads = [float(m) for m in re.findall(r"\bgrad (-?[\d.]+)", tree)]
    assert any(math.isclose(g, -f * f, rel_tol=1e-11) for g in grads), tree
