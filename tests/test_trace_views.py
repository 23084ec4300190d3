"""`gradcli trace` in the terminal: tree, table, --steps, --json, and its errors.

Snapshot tests pin the human views (100 columns, no colour: what a pipe gets)
so that no view changes unnoticed; their numbers are checked against SymPy in
test_trace_oracle.py. To accept a deliberate change, run once with
GRADCLI_UPDATE_SNAPSHOTS=1 and review the diff of tests/snapshots/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import assert_clean_error

SNAPSHOTS = Path(__file__).parent / "snapshots"
SEED = ["p = x + y; g = p * z", "-x", "1", "-y", "3", "-z", "-3"]
NEURON = ["1/(1+exp(-(w0*x0+w1*x1+w2)))", "--w0", "2", "--x0", "-1", "--w1", "-3",
          "--x1", "-2", "--w2", "-3"]


def assert_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("GRADCLI_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path}: run with GRADCLI_UPDATE_SNAPSHOTS=1 and review it"
    assert text == path.read_text(encoding="utf-8"), f"{name} changed"


# -- snapshots ------------------------------------------------------------------------

@pytest.mark.parametrize("name, args", [
    ("trace_seed.txt", SEED),
    ("trace_seed_steps.txt", SEED + ["--steps"]),
    ("trace_neuron.txt", NEURON),
    ("trace_neuron_steps.txt", NEURON + ["--steps"]),
    ("trace_shared.txt", ["q = x*x + x; s = q + relu(y)", "-x", "3", "-y", "0"]),
    ("trace_shared_steps.txt", ["q = x*x + x; s = q + relu(y)", "-x", "3", "-y", "0", "--steps"]),
    ("trace_undefined.txt", ["u = exp(x); c = 2 + 1; t = x^c + abs(x)*0", "-x", "-3"]),
    ("trace_seed.dot", ["(x+y)*z", "-x", "1", "-y", "3", "-z", "-3", "--format", "dot"]),
    ("trace_seed.mmd", ["(x+y)*z", "-x", "1", "-y", "3", "-z", "-3", "--format", "mermaid"]),
])
def test_snapshot(cli, name, args):
    r = cli("trace", *args)
    assert r.exit_code == 0, r.stderr
    assert "\x1b[" not in r.stdout   # no colour without a terminal
    assert_snapshot(name, r.stdout)


# -- what the views must say (expectations written by hand) ----------------------------

def test_steps_read_like_the_issue(cli):
    out = cli("trace", *SEED, "--steps").stdout
    assert "p = x + y = 1 + 3 = 4" in out
    assert "g = p * z = 4 * (-3) = -12" in out
    assert "∂g/∂p = ∂g/∂g · ∂g/∂p = 1 · (-3) = -3" in out
    assert "∂g/∂x = ∂g/∂p · ∂p/∂x = (-3) · 1 = -3" in out
    # the backward pass comes after the forward pass, from the output down
    assert out.index("p = x + y") < out.index("∂g/∂g = 1") < out.index("∂g/∂x")


def test_steps_write_out_the_sum_over_uses(cli):
    out = cli("trace", "q = x*y + x; s = q * x", "-x", "2", "-y", "5", "--steps").stdout
    # s = (xy + x)·x: ∂s/∂x = ∂s/∂#2·y [through x*y] + ∂s/∂q·1 [through q] + ∂s/∂s·q
    # = 2·5 + 2·1 + 1·12 = 24 (by hand: 2xy + 2x = 20 + 4)
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("∂s/∂x ="))
    assert line.count(" + ") >= 2 and "= 24" in line, line


def test_tree_draws_a_shared_node_once(cli):
    out = cli("trace", "q = x*x + x; s = q + relu(y)", "-x", "3", "-y", "0").stdout
    tree = out.split("\n\n")[1]
    assert tree.count("x  input #0") == 1
    assert tree.count("x  → see #0") == 2


def test_table_marks_kinks_and_names_the_convention(cli):
    out = cli("trace", "relu(x) + abs(y) + max(x, y)", "-x", "0", "-y", "0").stdout
    assert "kink" in out
    assert "relu'(0) = 0 (PyTorch)" in out
    assert "abs'(0) = 0 (PyTorch)" in out
    assert "a tie splits the gradient evenly (PyTorch)" in out


def test_table_marks_vanishing_and_exploding_gradients(cli):
    out = cli("trace", "sigmoid(x) + 1e7*y", "-x", "30", "-y", "1").stdout
    table = out.split("\n\n")[2].splitlines()
    rows = {line.split()[1]: line for line in table[1:] if line.split()[0].isdigit()}
    assert "vanishing" in rows["x"]        # σ'(30) ≈ 9.4e-14
    assert "exploding" in rows["y"]        # 1e7
    calm = cli("trace", "relu(x) * y", "-x", "-1", "-y", "2").stdout
    assert "vanishing" not in calm         # an exact zero from relu is not vanishing


def test_wrt_restricts_the_gradient_only(cli):
    r = cli("trace", *SEED, "--wrt", "z,p", "--json")
    assert r.exit_code == 0
    assert r.json["gradient"] == {"z": 4, "p": -3}
    assert len(r.json["nodes"]) == 5 and r.json["output"] == 4


def test_json_is_the_grad_object_plus_nodes(cli):
    r = cli("trace", "(x+y)*z", "-x", "1", "-y", "3", "-z", "-3", "--json")
    assert r.exit_code == 0 and r.stdout.count("\n") == 1
    assert r.json == {
        "expression": "(x+y)*z", "inputs": {"x": 1, "y": 3, "z": -3}, "value": -12,
        "gradient": {"x": -3, "y": -3, "z": 4}, "output": 4,
        "products": 4,   # the backward pass: 2 edges out of the mul, 2 out of the add
        "nodes": [
            {"id": 0, "op": "input", "label": "x", "inputs": [], "value": 1, "grad": -3, "local": []},
            {"id": 1, "op": "input", "label": "y", "inputs": [], "value": 3, "grad": -3, "local": []},
            {"id": 2, "op": "add", "label": "x+y", "inputs": [0, 1], "value": 4, "grad": -3,
             "local": [1, 1]},
            {"id": 3, "op": "input", "label": "z", "inputs": [], "value": -3, "grad": 4, "local": []},
            {"id": 4, "op": "mul", "label": "(x+y)*z", "inputs": [2, 3], "value": -12, "grad": 1,
             "local": [-3, 4]},
        ]}


def test_an_undefined_gradient_where_no_input_reaches_is_null(cli):
    # ∂(x^2)/∂2 = log(x)·x^2 = log(-3)·9: undefined, but no input's gradient goes through it
    r = cli("trace", "x^2", "-x", "-3", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json["gradient"] == {"x": -6}
    assert r.json["nodes"][1]["grad"] is None
    assert r.json["nodes"][2]["local"] == [-6, None]
    human = cli("trace", "x^2", "-x", "-3", "--show-constants").stdout
    assert "undefined" in human and "nan" not in human


def test_a_zero_upstream_gradient_is_not_propagated(cli):
    # sqrt'(0) is infinite, but max(sqrt(x), 5) sends nothing back to sqrt: 0, not 0·∞
    r = cli("trace", "max(sqrt(x), 5)", "-x", "0", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json["gradient"] == {"x": 0}
    assert r.json["nodes"][1]["local"] == [None]


# -- errors ---------------------------------------------------------------------------

def test_a_non_finite_gradient_that_an_input_reaches_is_a_math_error(cli):
    # y alone is asked for, but x's gradient is infinite: still a math error
    r = cli("trace", "sqrt(x) + y", "-x", "0", "-y", "1", "--wrt", "y", "--json")
    assert_clean_error(r, 3, "not finite", "sqrt(x)")
    assert r.json["error"]["kind"] == "math"


@pytest.mark.parametrize("extra, fragment", [
    (["--json", "--steps"], "pick one"),
    (["--json", "--format", "dot"], "pick one"),
    (["--steps", "--format", "mermaid"], "--steps"),
    (["--format", "png"], "png"),
    (["--digits", "0"], "--digits"),
    (["--svg", "/nonexistent-dir/graph.svg"], "cannot write"),
])
def test_bad_options_are_usage_errors(cli, extra, fragment):
    r = cli("trace", *SEED, *extra)
    assert_clean_error(r, 2, fragment)


def test_errors_of_the_program_itself(cli):
    assert_clean_error(cli("trace", "(x+", "-x", "1"), 2, "^")
    assert_clean_error(cli("trace", "x + y", "-x", "1"), 2, "y")
    assert_clean_error(cli("trace", "log(x)", "-x", "0"), 3, "log")


def test_help_has_examples(cli):
    r = cli("trace", "--help")
    assert r.exit_code == 0
    assert "gradcli trace" in r.stdout and "--steps" in r.stdout and "--svg" in r.stdout
