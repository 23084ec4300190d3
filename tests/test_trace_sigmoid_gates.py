"""trace --sigmoid-gates: sigmoid drawn as CS231n's gates ×−1, exp, +1, 1/x.

The program is rewritten before it is parsed, so the gates' numbers come from the
normal passes; they are checked against the CS231n notes' staged example (w =
[2, -3, -3], x = [-1, -2]: the dot product 1, the output 0.73, gradients on w
[-0.2, -0.39, 0.2] and on x [0.39, -0.59]) and against math.exp worked by hand.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET

import pytest

from gradcli.language.sigmoid_gates import expand_sigmoid
from gradcli.program.program import Program

NEURON = ["sigmoid(w0*x0+w1*x1+w2)", "--w0", "2", "--x0", "-1", "--w1", "-3", "--x1", "-2",
          "--w2", "-3"]
NS = "{http://www.w3.org/2000/svg}"


def gates(cli, *extra):
    r = cli("trace", *NEURON, "--sigmoid-gates", "--json", *extra)
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def test_the_gates_carry_the_cs231n_numbers(cli):
    out = gates(cli)
    nodes = out["nodes"]
    by_op = {}
    for n in nodes:
        by_op.setdefault(n["op"], []).append(n)
    assert "sigmoid" not in by_op
    neg, = by_op["neg"]
    exp, = by_op["exp"]
    div, = by_op["div"]
    plus_one = nodes[div["inputs"][1]]                       # 1 + exp(...)
    dot = nodes[neg["inputs"][0]]                            # w0*x0 + w1*x1 + w2
    assert plus_one["op"] == "add" and nodes[plus_one["inputs"][0]]["value"] == 1
    # forward, as in the notes' figure: 1.00 -> -1.00 -> 0.37 -> 1.37 -> 0.73
    assert [round(n["value"], 2) for n in (dot, neg, exp, plus_one, div)] == [1, -1, 0.37, 1.37, 0.73]
    # backward: 1.00 at the output, -0.53 through 1/x and +1, -0.20 through exp, 0.20 through ×−1
    assert [round(n["grad"], 2) for n in (div, plus_one, exp, neg, dot)] == [1, -0.53, -0.53, -0.2, 0.2]
    g = out["gradient"]
    assert [round(g[k], 2) for k in ("w0", "w1", "w2")] == [-0.2, -0.39, 0.2]
    assert [round(g[k], 2) for k in ("x0", "x1")] == [0.39, -0.59]
    # and exactly, by hand: σ(1) = 1/(1+e^-1), σ' = σ(1-σ); ∂/∂w = x σ', ∂/∂x = w σ'
    s = 1 / (1 + math.exp(-1))
    d = s * (1 - s)
    assert div["value"] == pytest.approx(s, rel=1e-15)
    assert exp["value"] == pytest.approx(math.exp(-1), rel=1e-15)
    assert plus_one["grad"] == pytest.approx(-1 / (1 + math.exp(-1)) ** 2, rel=1e-14)
    for name, want in [("w0", -d), ("w1", -2 * d), ("w2", d), ("x0", 2 * d), ("x1", -3 * d)]:
        assert g[name] == pytest.approx(want, rel=1e-12)


def test_same_gradients_as_the_sigmoid_node(cli):
    plain = json.loads(cli("trace", *NEURON, "--json").stdout)
    expanded = gates(cli)
    assert len(expanded["nodes"]) == len(plain["nodes"]) + 5   # 1 sigmoid -> 4 gates, 2 ones
    for name, v in plain["gradient"].items():
        assert expanded["gradient"][name] == pytest.approx(v, rel=1e-12)
    assert expanded["value"] == pytest.approx(plain["value"], rel=1e-15)


def test_the_picture_draws_the_gates(cli):
    r = cli("trace", *NEURON, "--sigmoid-gates", "--format", "svg")
    assert r.exit_code == 0
    texts = [el.text for el in ET.fromstring(r.stdout).iter(f"{NS}text")]
    assert {"neg", "exp", "/", "0.7311", "0.3679", "-0.5344", "-0.1966"} <= set(texts)
    assert "sigmoid" not in texts


@pytest.mark.parametrize("text, values", [
    ("sigmoid(a)^2", {"a": 0.3}),                           # stays (σ(a))^2
    ("2^sigmoid(a) - sigmoid(-a)", {"a": -1.5}),
    ("h = sigmoid(sigmoid(a)*b); sigmoid_w * h # sigmoid(q)", {"a": 0.2, "b": 3, "sigmoid_w": 2}),
    ("sigmoid (\n a # a comment (\n )", {"a": 1}),
    ("x*2", {"x": 1}),
])
def test_the_rewrite_keeps_the_value_and_gradients(text, values):
    new = expand_sigmoid(text)
    calls = sum(op.name == "sigmoid" for op in Program(text).graph.ops)
    assert new.count("exp(") == calls
    assert not any(op.name == "sigmoid" for op in Program(new).graph.ops)
    before, after = Program(text).grad(values), Program(new).grad(values)
    assert after.value == pytest.approx(before.value, rel=1e-14)
    for name, v in before.gradient.items():
        assert after.gradient[name] == pytest.approx(v, rel=1e-12, abs=1e-15)


def test_the_rewrite_leaves_names_and_comments_alone():
    assert expand_sigmoid("sigmoid_w + 1 # sigmoid(x)") == "sigmoid_w + 1 # sigmoid(x)"
    assert expand_sigmoid("sigmoid(x)") == "(1/(1+exp(-(x))))"


def test_deep_nesting_is_rewritten_without_recursion():
    n = 100_000
    new = expand_sigmoid("sigmoid(" * n + "x" + ")" * n)
    assert new.count("exp(") == n and new.count("(") == new.count(")")


def test_a_bad_program_is_the_same_error_with_or_without_gates(cli):
    plain = cli("trace", "sigmoid(x", "-x", "1")
    gated = cli("trace", "sigmoid(x", "-x", "1", "--sigmoid-gates")
    assert gated.exit_code == plain.exit_code == 2
    assert gated.stderr == plain.stderr and "Traceback" not in gated.stderr
    r = cli("trace", "sigmoid(x", "-x", "1", "--sigmoid-gates", "--json")
    assert json.loads(r.stdout)["error"]["kind"]
