"""A picture's heading never makes the picture wider than its graph (or 640 px): a long
program or list of bindings is shortened on the picture, bindings first, and <title>
keeps the whole. Before, a three-node graph with long names was 1,476 px wide, two
thirds of it empty, for its heading."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"
LONG = "loss_of_the_whole_network_value = exp(first_input_variable) + second_input_variable"


def _svg(cli, program, *args):
    root = ET.fromstring(cli("trace", program, *args, "--format", "svg").stdout)
    return root, float(root.get("width"))


def _graph_right(root) -> float:
    """The rightmost point of any node or wire, read from the drawing itself."""
    right = 0.0
    for r in root.iter(f"{NS}rect"):
        if r.get("x"):
            right = max(right, float(r.get("x")) + float(r.get("width")))
    for e in root.iter(f"{NS}ellipse"):
        right = max(right, float(e.get("cx")) + float(e.get("rx")))
    for p in root.iter(f"{NS}path"):
        xs = [float(x) for x in re.findall(r"(-?\d+\.?\d*)[ ,]-?\d+\.?\d*", p.get("d", ""))]
        right = max([right] + xs)
    return right


def test_a_long_heading_is_shortened_to_the_graph(cli):
    args = ("--first_input_variable", "1", "--second_input_variable", "2")
    root, width = _svg(cli, LONG, *args)
    heading = next(t.text for t in root.iter(f"{NS}text"))
    margin = 24
    assert width <= max(_graph_right(root), 640 + margin) + 2 * margin + 1
    assert heading.endswith("…") and len(heading) < len(LONG)
    assert " — at first_input_variable = 1" in heading  # the first binding whole
    full = root.find(f"{NS}title").text
    assert LONG in full and "second_input_variable = 2" in full


def test_a_short_heading_is_left_whole(cli):
    root, _ = _svg(cli, "(x+y)*z", "-x", "1", "-y", "3", "-z", "-3")
    assert next(t.text for t in root.iter(f"{NS}text")) == "(x+y)*z — at x = 1, y = 3, z = -3"


def test_bindings_are_shortened_before_the_program(cli):
    names = [f"weight_number_{k}" for k in range(8)]
    program = " + ".join(names)
    args = [a for k, n in enumerate(names) for a in (f"--{n}", f"{k}.5")]
    root, _ = _svg(cli, program, *args)
    heading = next(t.text for t in root.iter(f"{NS}text"))
    text, values = heading.split(" — at ")
    assert values.endswith(", …") and values.startswith("weight_number_0 = 0.5")
    for binding in values.removesuffix(", …").split(", "):  # every number whole
        name, value = binding.split(" = ")
        assert value == f"{names.index(name)}.5"
    assert len(text) >= 40
