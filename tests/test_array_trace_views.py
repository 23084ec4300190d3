"""The human views of an array trace (SPEC §6): shapes everywhere, and no number ever cut.

As for the scalar table (test_trace_table_widths.py), each program is traced with --json
(every number at full precision) and printed at 60, 80, 100 and 200 columns; each node's
block is read back and must hold exactly the elements of its value and its gradient, to
the 12 significant digits shown, and no line may be wider than the terminal.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from conftest import run_cli
from torch_oracle import oracle_torch

WIDTHS = [60, 80, 100, 200]
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
SHAPE = re.compile(r"^\((?:\d+(?:, )?)*,?\)\s*")

TWO_LAYER = ["h = relu(X @ W1 + b1); s = h @ W2 + b2; L = cross_entropy(s, y)",
             "-X", "0.37*randn(5, 4)", "-W1", "randn(4, 10)", "-b1", "rand(10)",
             "-W2", "randn(10, 3)", "-b2", "zeros(3)", "-y", "[0, 2, 1, 1, 0]", "--seed", "3"]
SHARED = ["a = tanh(W @ v); b = tanh(W @ a); L = sum(b * [1.5, -2e-7, 123456.789])",
          "-W", "[[0.1, -0.2, 0.3], [0.4, 0.5, -0.6], [0.7, -0.8, 0.9]]", "-v", "[1, -1, 0.5]"]


def blocks(text: str, count: int):
    """Each node's block of the table: {id: (value text, grad text)}, in id order."""
    lines = text.split("\n")
    start = next(k for k, line in enumerate(lines) if line.startswith("#0  "))
    found, current = {}, None
    for line in lines[start:]:
        m = re.match(r"#(\d+)  ", line)
        if m and int(m.group(1)) == len(found) and len(found) < count:
            current = found[int(m.group(1))] = {"value": "", "grad": ""}
            part = None
            continue
        if current is None or not line.startswith("    "):
            if current is not None and len(found) == count:
                break
            continue
        body = line.strip()
        if body.startswith("value "):
            part, body = "value", body[len("value "):]
        elif body.startswith("∂L/∂node "):
            part, body = "grad", body[len("∂L/∂node "):]
        if part:
            current[part] += " " + body
    return found


def numbers(field: str):
    return [float(x) for x in NUMBER.findall(SHAPE.sub("", field.strip()))]


@pytest.mark.parametrize("case", [TWO_LAYER, SHARED], ids=["two_layer", "shared"])
@pytest.mark.parametrize("width", WIDTHS)
def test_array_table_never_cuts_a_number(case, width):
    data = run_cli("trace", *case, "--json")
    assert data.exit_code == 0, data.stderr
    nodes = data.json["nodes"]
    run = run_cli("trace", *case, env={"COLUMNS": str(width)})
    assert run.exit_code == 0, run.stderr
    assert max(len(line) for line in run.stdout.split("\n")) <= width
    got = blocks(run.stdout, len(nodes))
    assert len(got) == len(nodes)
    for n in nodes:
        value = np.ravel(n["value"])
        assert f"shape ({', '.join(map(str, n['shape']))}{',' if len(n['shape']) == 1 else ''})" \
            in run.stdout
        np.testing.assert_allclose(numbers(got[n["id"]]["value"]), value, rtol=1e-11, atol=0)
        if n["grad"] is not None and n["op"] != "const":
            np.testing.assert_allclose(numbers(got[n["id"]]["grad"]), np.ravel(n["grad"]),
                                       rtol=1e-11, atol=0)


@pytest.mark.parametrize("width", WIDTHS)
def test_steps_narrate_array_rules_with_shapes(width):
    run = run_cli("trace", *TWO_LAYER, "--steps", env={"COLUMNS": str(width)})
    assert run.exit_code == 0, run.stderr
    out = run.stdout
    # the line: ∂L/∂W1 = transpose(X) @ ∂L/∂z1: (4, 5) @ (5, 10) → (4, 10), with X (5, 4)
    assert re.search(r"∂L/∂W1 = transpose\(X\) @ ∂L/∂\S+: \(4, 5\) @ \(5, 10\) → \(4, 10\)", out), out
    assert re.search(r"∂L/∂X = ∂L/∂\S+ @ transpose\(W1\): \(5, 10\) @ \(10, 4\) → \(5, 4\)", out)
    assert "∂L/∂b1 = ∂L/∂" in out and "summed over the broadcast axes → (10,)" in out
    assert "∂L/∂y" not in out          # class indices have no gradient
    data = run_cli("trace", *TWO_LAYER, "--json").json
    grads = {n["label"]: n["grad"] for n in data["nodes"] if n["op"] == "input"}
    # the gradient printed after the rules is the gradient (read back in full)
    block = out.split("∂L/∂W1 = transpose(X)")[1].split("∂L/∂W1 = ", 1)[1]
    text = block.split("\n  ∂L/∂")[0]
    np.testing.assert_allclose(numbers(text), np.ravel(grads["W1"]), rtol=1e-11)


def test_steps_sum_the_uses_of_a_shared_weight():
    run = run_cli("trace", *SHARED, "--steps")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.count("∂L/∂W +=") == 2
    assert "∂L/∂W is the sum of its 2 uses" in run.stdout


def test_pictures_write_the_shape_on_each_wire():
    data = run_cli("trace", *TWO_LAYER, "--json").json
    dot = run_cli("trace", *TWO_LAYER, "--format", "dot").stdout
    for n in data["nodes"]:
        for j in n["inputs"]:
            shape = data["nodes"][j]["shape"]
            if shape:
                label = "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
                assert f"n{j} -> n{n['id']} [label=<<font color=\"#2e7d32\">{label}</font>>]" in dot
    mermaid = run_cli("trace", *TWO_LAYER, "--format", "mermaid")
    assert mermaid.exit_code == 0 and "(5, 10)" in mermaid.stdout
    svg = run_cli("trace", *TWO_LAYER, "--format", "svg")
    assert svg.exit_code == 0 and "(5, 10)" in svg.stdout


def test_big_arrays_are_shortened_in_the_table():
    run = run_cli("trace", "L = sum(W @ v)", "-W", "randn(30, 40)", "-v", "randn(40)",
                  env={"COLUMNS": "100"})
    assert run.exit_code == 0, run.stderr
    assert "(30, 40) [[" in run.stdout and "..." in run.stdout


def test_forward_mode_steps_give_jacobians_per_input():
    torch = oracle_torch()

    W = torch.tensor([[1.0, 2], [3, 4]], dtype=torch.float64)
    v = torch.tensor([1.0, -1], dtype=torch.float64)
    jac_W, jac_v = torch.autograd.functional.jacobian(lambda W, v: W @ v, (W, v))
    run = run_cli("trace", "L = sum(W @ v)", "-W", "[[1, 2], [3, 4]]", "-v", "[1, -1]",
                  "--mode", "forward", "--steps")
    assert run.exit_code == 0, run.stderr
    text = run.stdout
    part = text.split("∂#2/∂W = ")[1].split("∂#2/∂v")[0]
    assert part.startswith("(2, 2, 2) [[[")
    np.testing.assert_allclose(numbers(part), jac_W.numpy().ravel())
    part = text.split("∂#2/∂v = ")[1].split("#3")[0]
    np.testing.assert_allclose(numbers(part), jac_v.numpy().ravel())
    assert "(6 tangent passes)" in text   # one per element of W and of v


def grad_blocks(text: str) -> dict:
    """grad's blocks: {name: {"value": text, "grad": text}}, continuation lines joined."""
    found, field = {}, None
    for line in text.split("\n")[1:]:
        if line and not line.startswith(" ") and not line.startswith("reverse mode"):
            found[line] = {"value": "", "grad": ""}
            current = found[line]
        elif line.startswith("  value "):
            field = "value"
            current[field] += line[len("  value "):]
        elif line.startswith("  ∂"):
            field = "grad"
            current[field] += line.split(" ", 3)[3] if line.count(" ") >= 3 else ""
        elif line.startswith("   ") and field:
            current[field] += " " + line.strip()
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_grad_of_an_array_program_never_cuts_a_number(width):
    case = ["L = sum(W @ v) + b", "-W", "randn(3, 6)", "-v", "randn(6)", "-b", "0.25"]
    data = run_cli("grad", *case, "--json").json
    run = run_cli("grad", *case, env={"COLUMNS": str(width)})
    assert run.exit_code == 0, run.stderr
    assert max(len(line) for line in run.stdout.split("\n")) <= width
    blocks = grad_blocks(run.stdout.rsplit("reverse mode", 1)[0])
    assert list(blocks) == ["W", "v", "b"]
    for name, block in blocks.items():
        np.testing.assert_allclose(numbers(block["value"]), np.ravel(data["inputs"][name]), rtol=1e-11)
        np.testing.assert_allclose(numbers(block["grad"]), np.ravel(data["gradient"][name]), rtol=1e-11)
