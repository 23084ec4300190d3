"""trace --edge-derivatives: the local derivative ∂node/∂input on each wire, as colah draws them.

The numbers are checked against derivatives worked by hand (the seed, the CS231n
neuron) and, for random programs, against each operation's derivative written out
here independently of the operation table. The layout's promise (no wire crosses
a label, no label overlaps another) must hold with the third line of labels too.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings

from gradcli.program.program import Program
from gradcli.program.trace import show, trace
from test_trace_pictures import CASES, NEURON, check_geometry, graphs

NS = "{http://www.w3.org/2000/svg}"
SEED = ["p = x + y; g = p * z", "-x", "1", "-y", "3", "-z", "-3"]


def texts(svg: str) -> list[tuple[str, str]]:
    """(text, colour) of every <text> element."""
    return [(el.text, el.get("fill")) for el in ET.fromstring(svg).iter(f"{NS}text")]


def test_seed_wires_carry_their_local_derivatives(cli, tmp_path):
    path = tmp_path / "g.svg"
    r = cli("trace", *SEED, "--svg", str(path), "--edge-derivatives")
    assert r.exit_code == 0, r.stderr
    got = [t for t, colour in texts(path.read_text("utf-8")) if t.startswith("local ")]
    # by hand: ∂p/∂x = ∂p/∂y = 1; ∂g/∂p = z = -3; ∂g/∂z = p = 4
    assert sorted(got) == sorted(["local 1", "local 1", "local -3", "local 4"])
    blue = {colour for t, colour in texts(path.read_text("utf-8")) if t.startswith("local ")}
    assert len(blue) == 1 and blue != {"#2e7d32"} and blue != {"#c62828"}
    assert any("the local derivative" in t for t, _ in texts(path.read_text("utf-8")))


def test_without_the_option_the_picture_is_unchanged(cli):
    plain = cli("trace", *SEED, "--format", "svg").stdout
    assert "local " not in plain
    labelled = cli("trace", *SEED, "--format", "svg", "--edge-derivatives").stdout
    assert labelled != plain and "local -3" in labelled


def test_neuron_locals_match_the_cs231n_hand_derivation(cli):
    text, values = NEURON
    args = [a for k, v in values.items() for a in (f"--{k}", str(v))]
    svg = cli("trace", text, *args, "--format", "svg", "--edge-derivatives").stdout
    got = [t[len("local "):] for t, _ in texts(svg) if t.startswith("local ")]
    dot = 1.0                                  # w0*x0 + w1*x1 + w2 = -2 + 6 - 3
    e = math.exp(-dot)
    want = [-1, 2, -2, -3,                     # ∂(w0*x0)/∂w0 = x0, /∂x0 = w0; likewise w1*x1
            1, 1, 1, 1,                        # the two sums
            -1,                                # -( )
            e,                                 # exp: e^a
            1,                                 # 1 + ( ): into exp's wire (the 1 is a constant)
            -1 / (1 + e) ** 2]                 # 1/( ): -1/a^2 (the numerator is a constant)
    assert sorted(got) == sorted(show(v, 4) for v in want)


# an operation's derivatives, worked by hand (not read from gradcli's table)
HAND = {
    "add": lambda a, b, out: (1, 1),
    "sub": lambda a, b, out: (1, -1),
    "mul": lambda a, b, out: (b, a),
    "exp": lambda a, out: (out,),
    "sin": lambda a, out: (math.cos(a),),
    # Written without 1 - out: near saturation that difference keeps no digits
    # (tanh(14.9): 1 - out² gives 3.8747e-13, the truth is 3.8744e-13).
    "tanh": lambda a, out: (1 / math.cosh(a) ** 2 if abs(a) < 350 else 0.0,),
    "sigmoid": lambda a, out: (1 / ((1 + math.exp(-a)) * (1 + math.exp(a))) if abs(a) < 700 else 0.0,),
    "relu": lambda a, out: (1.0 if a > 0 else 0.0,),
    "neg": lambda a, out: (-1,),
}


def check_locals_against_hand(t) -> None:
    from gradcli.views.picture import wires

    shown = {(w.src, w.dst, w.position): w.local for w in wires(t, None, True)}
    for n in t.nodes:
        if not n.inputs:
            continue
        ins = [t.nodes[j].value for j in n.inputs]
        want = HAND[n.op.name](*ins, n.value)
        for k, j in enumerate(n.inputs):
            label = shown[(j, n.id, k)]
            if t.shows_grad(j):
                assert label == "local " + show(want[k], 4), (n.label, k, label, want[k])
            else:
                assert label == ""       # into a constant: hidden, as its gradient


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_random_programs_locals_are_the_hand_derivatives(text):
    p = Program(text)
    check_locals_against_hand(trace(p, {name: 0.7 for name in p.inputs}))


@pytest.mark.parametrize("text, values", CASES)
def test_no_wire_crosses_a_label_with_edge_derivatives(text, values):
    check_geometry(trace(text, values), edge_derivatives=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_random_graphs_keep_wires_off_labels_with_edge_derivatives(text):
    p = Program(text)
    check_geometry(trace(p, {name: 0.5 for name in p.inputs}), edge_derivatives=True)


def test_constants_wires_show_locals_only_with_show_constants(cli):
    plain = cli("trace", "x^2", "-x", "3", "--format", "svg", "--edge-derivatives").stdout
    assert [t for t, _ in texts(plain) if t.startswith("local ")] == ["local 6"]   # 2x
    every = cli("trace", "x^2", "-x", "3", "--format", "svg", "--edge-derivatives",
                "--show-constants").stdout
    # ∂(x^2)/∂2 = log(3)·9
    assert sorted(t for t, _ in texts(every) if t.startswith("local ")) == sorted(
        ["local 6", "local " + show(math.log(3) * 9, 4)])


def test_dot_and_mermaid_carry_them_too(cli):
    dot = cli("trace", *SEED, "--format", "dot", "--edge-derivatives").stdout
    mermaid = cli("trace", *SEED, "--format", "mermaid", "--edge-derivatives").stdout
    for local in ("local 1", "local -3", "local 4"):
        assert f">{local}</font>>" in dot
        assert f"<br/>{local}\"|" in mermaid
    assert 'n2 -> n4 [label=<<font color="#2e7d32">4</font><br/><font color="#c62828">-3</font>' in dot
    assert 'n2 -->|"4<br/>∂ -3<br/>local -3"| n4' in mermaid
    plain = cli("trace", *SEED, "--format", "dot").stdout
    assert "local" not in plain


@pytest.mark.parametrize("extra", [[], ["--json"], ["--steps"]])
def test_without_a_picture_it_is_a_usage_error(cli, extra):
    r = cli("trace", *SEED, "--edge-derivatives", *extra)
    assert r.exit_code == 2
    assert "--edge-derivatives" in r.stderr and "Traceback" not in r.stderr
    if extra == ["--json"]:
        import json

        assert json.loads(r.stdout)["error"]["kind"]
