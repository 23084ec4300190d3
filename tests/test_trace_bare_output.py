"""A program whose output is a bare input variable while other statements are dead
("p = x*2; x", "(-x); x") draws in every format (it was KeyError: 0, issue 9 item 11)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from test_trace_pictures import check_geometry

from gradcli.program.trace import trace

NS = "{http://www.w3.org/2000/svg}"
PROGRAMS = ["p = x*2; x", "(-x); x", "p = x*2; q = p + 1; x", "u = exp(x); x"]


@pytest.mark.parametrize("program", PROGRAMS)
def test_every_view_of_a_bare_output(cli, tmp_path, program):
    svg_path = tmp_path / "g.svg"
    r = cli("trace", program, "-x", "1", "--svg", str(svg_path))
    assert r.exit_code == 0, r.stderr
    ET.fromstring(svg_path.read_text(encoding="utf-8"))
    # the output x: value 1 and gradient 1 (∂x/∂x); the dead nodes' gradients are 0
    assert "x  input #0  value 1  grad 1" in r.stdout
    assert "unused" in r.stdout and "∂x/∂x = 1" in r.stdout
    for form in ("svg", "dot", "mermaid"):
        out = cli("trace", program, "-x", "1", "--format", form)
        assert out.exit_code == 0, (form, out.stderr)
    svg = cli("trace", program, "-x", "1", "--format", "svg").stdout
    texts = [t.text for t in ET.fromstring(svg).iter(f"{NS}text")]
    assert texts.count("1") >= 2          # the output's wire: value 1 over gradient 1
    steps = cli("trace", program, "-x", "1", "--steps")
    assert steps.exit_code == 0 and "∂x/∂x = 1" in steps.stdout


@pytest.mark.parametrize("program", PROGRAMS)
@pytest.mark.parametrize("show_constants", [False, True])
def test_the_output_wire_keeps_off_labels(program, show_constants):
    t = trace(program, {"x": 1})
    t.show_constants = show_constants
    check_geometry(t)


def test_the_output_wire_leaves_right_of_every_node():
    from gradcli.views.svg import draw

    t = trace("p = x*2; q = p + 1; x", {"x": 1})
    pic = draw(t)
    out_wire = pic.paths[-1]                        # the output's own wire comes last
    assert out_wire.arrow
    assert out_wire.end[0] > max(s.cx + s.w / 2 for s in pic.shapes)
