"""Pictures of a trace: the SVG gradcli draws itself, DOT and Mermaid text.

The SVG must parse as XML and hold every node's caption and every wire's
value and gradient; its geometry must keep every wire off every label and
every node it does not join (checked on the drawing's own estimate of text
sizes, for the seed graphs and for random graphs of up to about 30 nodes).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.program.trace import show, trace
from gradcli.views.svg import draw

NS = "{http://www.w3.org/2000/svg}"
SEED = ("(x+y)*z", {"x": 1, "y": 3, "z": -3})
NEURON = ("1/(1+exp(-(w0*x0+w1*x1+w2)))", {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3})
CASES = [
    SEED,
    NEURON,
    ("q = x*x + x; s = q + relu(y); t = sigmoid(s) * max(x, y)", {"x": 3, "y": 0}),
    ("w0*x0+w1*x1+w2*x2+w3*x3+w4*x4+w5*x5+w6*x6+w7*x7",
     {f"{v}{i}": 1 + (v == "x") for i in range(8) for v in "wx"}),
    ("u = exp(y); c = 2 + 1; t = x^c + abs(x)*0", {"x": -3, "y": 1}),
    ("h = tanh(w*x + b); o = h*v + h^2; L = (o - t)^2", {"w": .5, "x": 2, "b": -1, "v": 3, "t": 1}),
]


def svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    return [el.text for el in root.iter(f"{NS}text")]


@pytest.mark.parametrize("text, values", CASES)
def test_svg_parses_and_holds_every_label(cli, text, values):
    args = [a for k, v in values.items() for a in (f"--{k}", str(v))]
    r = cli("trace", text, *args, "--format", "svg", "--show-constants")   # every wire's gradient
    assert r.exit_code == 0, r.stderr
    texts = svg_texts(r.stdout)
    t = trace(text, values)
    for n in t.nodes:   # every node: an input by name, a constant by its text, an op by symbol
        want = n.label if n.op.name in ("input", "const") else (
            n.op.name if n.op.form in ("call", "prefix") else n.op.symbol or "=")
        assert want in texts, (n.id, want)
        if n.named and n.op.name not in ("input", "const"):
            assert n.label in texts
    wires = [(j, n.id, k) for n in t.nodes for k, j in enumerate(n.inputs)]
    for j, i, k in wires:   # each wire: the value it carries and the gradient back along it
        assert show(t.nodes[j].value, 4) in texts
        assert show(t.edge_grad(i, k), 4) in texts
    assert texts.count(show(t.out.value, 4)) >= 1


def test_svg_file_and_stdout_agree(cli, tmp_path):
    path = tmp_path / "seed.svg"
    r = cli("trace", SEED[0], "-x", "1", "-y", "3", "-z", "-3", "--svg", str(path))
    assert r.exit_code == 0 and "wrote" in r.stderr
    assert "∂f/∂x = -3" in r.stdout                       # the terminal view still prints
    piped = cli("trace", SEED[0], "-x", "1", "-y", "3", "-z", "-3", "--format", "svg").stdout
    assert path.read_text(encoding="utf-8") == piped
    # the seed's wires, worked by hand: x+y carries 4 back -3; z carries -3 back 4 (= x+y)
    texts = svg_texts(piped)
    assert {"4", "-3", "-12", "1"} <= set(texts)


def test_user_text_is_escaped(cli):
    r = cli("trace", "x*2 # a <comment> & more", "-x", "1", "--format", "svg")
    assert r.exit_code == 0
    ET.fromstring(r.stdout)
    dot = cli("trace", "x*2 # a <comment> & more */", "-x", "1", "--format", "dot").stdout
    assert "*/ " not in dot.split("\n")[0][3:-3]


# -- geometry: no wire crosses a label or a node it does not join --------------------

def crosses(points, box, shrink=1.0) -> bool:
    left, top, right, bottom = box
    left, top, right, bottom = left + shrink, top + shrink, right - shrink, bottom - shrink
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        steps = max(1, int(max(abs(x1 - x0), abs(y1 - y0)) / 1.5))
        for s in range(steps + 1):
            x, y = x0 + (x1 - x0) * s / steps, y0 + (y1 - y0) * s / steps
            if left < x < right and top < y < bottom:
                return True
    return False


def overlap(a, b) -> bool:
    return a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1


def check_geometry(t, edge_derivatives: bool = False) -> None:
    pic = draw(t, edge_derivatives=edge_derivatives)
    boxes = [x.box() for x in pic.texts]
    for k, a in enumerate(boxes):
        for b in boxes[k + 1:]:
            assert not overlap(a, b), (a, b)
        for s in pic.shapes:
            inside = s.box()
            contained = (inside[0] <= a[0] and a[2] <= inside[2] + 1
                         and inside[1] <= a[1] and a[3] <= inside[3] + 1)
            assert contained or not overlap(a, inside), (pic.texts[k].text, s.node)
    for p, (src, dst) in zip(pic.paths, _wire_ends(t)):
        pts = p.points()
        for box in boxes:
            assert not crosses(pts, box), ("wire", src, dst, "crosses a label", box)
        for s in pic.shapes:
            if s.node not in (src, dst):
                assert not crosses(pts, s.box(), shrink=2.0), ("wire", src, dst, "crosses", s.node)


def _wire_ends(t):
    return [(j, n.id) for n in t.nodes for j in n.inputs] + [(t.output, -1)]


@pytest.mark.parametrize("text, values", CASES)
def test_no_wire_crosses_a_label(text, values):
    check_geometry(trace(text, values))


UNARY = ["exp", "sin", "tanh", "sigmoid", "relu", "neg"]


@st.composite
def graphs(draw_):
    names = ["a", "b", "c"]
    lines = []
    for k in range(draw_(st.integers(1, 14))):
        if draw_(st.integers(0, 2)) == 0:
            fn, arg = draw_(st.sampled_from(UNARY)), draw_(st.sampled_from(names))
            rhs = f"-{arg}" if fn == "neg" else f"{fn}({arg})"
        else:
            op = draw_(st.sampled_from(["+", "-", "*"]))
            rhs = f"{draw_(st.sampled_from(names))} {op} {draw_(st.sampled_from(names))}"
            if draw_(st.booleans()):
                rhs += f" {op} 0.5"
        names.append(f"v{k}")
        lines.append(f"v{k} = {rhs}")
    return "; ".join(lines)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_random_graphs_keep_wires_off_labels(text):
    from gradcli.program.program import Program

    p = Program(text)
    values = {name: 0.5 for name in p.inputs}
    check_geometry(trace(p, values))


def test_too_big_to_draw_is_a_clear_error(cli):
    text = "x" + "+x" * 400    # every term reads x: wires across hundreds of columns
    r = cli("trace", text, "-x", "1", "--format", "svg")
    assert r.exit_code == 2 and "--format dot" in r.stderr


# -- DOT and Mermaid ---------------------------------------------------------------

@pytest.mark.parametrize("text, values", CASES)
def test_dot_and_mermaid_name_every_node_and_wire(cli, text, values):
    args = [a for k, v in values.items() for a in (f"--{k}", str(v))]
    t = trace(text, values)
    dot = cli("trace", text, *args, "--format", "dot", "--show-constants").stdout
    mermaid = cli("trace", text, *args, "--format", "mermaid", "--show-constants").stdout
    assert dot.count("{") == dot.count("}") and dot.rstrip().endswith("}")
    assert mermaid.startswith("flowchart LR\n")
    for n in t.nodes:
        assert f"\n  n{n.id} [label=" in dot
        assert f"\n  n{n.id}[" in mermaid or f"\n  n{n.id}((" in mermaid
        for k, j in enumerate(n.inputs):
            value, grad = show(t.nodes[j].value, 4), show(t.edge_grad(n.id, k), 4)
            assert f"n{j} -> n{n.id} [label=<" in dot
            assert f">{value}</font><br/>" in dot and f">{grad}</font>>" in dot
            assert f'n{j} -->|"{value}<br/>∂ {grad}"| n{n.id}' in mermaid or not n.live
    assert f"n{t.output} -> out" in dot and f"n{t.output} -->" in mermaid
