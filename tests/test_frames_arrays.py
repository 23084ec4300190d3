"""trace --svg-frames DIR of an array program: one well-formed SVG per step, the last --svg's
picture byte for byte; shapes appear on the wires as the forward pass computes them, and
each frame writes its step's rule and the node's value or gradient (4 digits, rows aligned in
a fixed-width font) under the legend, checked against NumPy derived by hand."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import numpy as np

from conftest import run_cli

LSQ = ["L = mean((X @ w + b - y)^2)", "-X", "[[1, 2], [3, 4], [5, 6]]", "-w", "[0.5, -1]",
       "-b", "0.1", "-y", "[1, 0, 2]"]
X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
W = np.array([0.5, -1.0])
NS = "{http://www.w3.org/2000/svg}"
VALUE, AMBER, INK = "#2e7d32", "#f9a825", "#37474f"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def frames(tmp_path, *args: str) -> list[Path]:
    out = tmp_path / "slides"
    run = run_cli("trace", *args, "--svg-frames", str(out))
    assert run.exit_code == 0, run.stderr
    files = sorted(out.glob("frame_*.svg"))
    assert f"wrote {len(files)} frames into {out}" in run.stderr
    return files


def step_text(svg) -> list[str]:
    """The lines a frame writes under its legend (fixed-width, spaces kept)."""
    return [t.text for t in svg.iter(NS + "text") if t.get(XML_SPACE) == "preserve"]


def parse(text: str):
    m = re.fullmatch(r"\(([\d, ]*)\)\s+(\[.*\])", text.strip(), re.S)
    return np.array(json.loads(m.group(2))) if m else float(text)


def test_one_frame_per_step_and_the_last_is_the_svg(tmp_path):
    files = frames(tmp_path, *LSQ)
    # 10 nodes forward, 9 back (not the constant 2), done
    assert [f.name for f in files] == [f"frame_{k:03d}.svg" for k in range(1, 21)]
    svg_file = tmp_path / "g.svg"
    assert run_cli("trace", *LSQ, "--svg", str(svg_file)).exit_code == 0
    assert files[-1].read_bytes() == svg_file.read_bytes()
    sizes = set()
    for f in files:
        root = ElementTree.parse(f).getroot()    # each one well-formed
        sizes.add((root.get("width"), root.get("height")))
    assert len(sizes) == 2                       # the steps' frames one size, the last --svg's


def test_shapes_appear_and_each_frame_says_its_step(tmp_path):
    pics = [ElementTree.parse(f).getroot() for f in frames(tmp_path, *LSQ)]
    # forward: X (3, 2) and w (2,) feed X @ w (3,), b 0.1, … one label a wire
    forward = [("0", ["(3, 2)"]), ("1", ["(2,)"]), ("2", ["(3,)"]), ("3", ["0.1"]), ("4", ["(3,)"]),
               ("5", ["(3,)"]), ("6", ["(3,)"]), ("7", ["2"]), ("8", ["(3,)"]), ("9", ["13.56"])]
    shown: list[str] = []
    for pic, (node, wires) in zip(pics, forward):
        shown += wires
        green = sorted(t.text for t in pic.iter(NS + "text") if t.get("fill") == VALUE
                       and t.text != "■")
        assert green == sorted(shown)
        assert [s.get("data-node") for s in pic if s.get("stroke") == AMBER] == [node]
    # by hand: r = X @ w + 0.1 - y = [-2.4, -2.4, -5.4], L = mean(r^2) = 13.56
    assert step_text(pics[9])[-1] == "L = 13.56"
    assert step_text(pics[9])[0].endswith("L = mean((X @ w + b - y)^2): (3,) → ()")
    # backward, X's step (the last before done): ∂L/∂X = outer(2r/3, w)
    lines = step_text(pics[18])
    assert lines[0] == "∂L/∂X = outer(∂L/∂#2, w): (3,) ⊗ (2,) → (3, 2)"
    head, _, value = "\n".join(lines[1:]).partition(" = ")
    assert head == "∂L/∂X"
    r = X @ W + 0.1 - np.array([1.0, 0.0, 2.0])
    assert np.allclose(parse(value), np.outer(2 * r / 3, W), rtol=1e-3)
    # the rows stay aligned: each later row's '[' under the first row's second '['
    assert lines[1].index("[[") + 1 == lines[2].index("[") == lines[3].index("[")
    assert [s.get("data-node") for s in pics[18] if s.get("stroke") == AMBER] == ["0"]
    assert step_text(pics[-1]) == []             # the finished picture: no step written


def test_the_two_layer_example_frames(tmp_path):
    files = frames(tmp_path, "@examples/two_layer.gc", "--inputs", "examples/two_layer.npz")
    data = run_cli("trace", "@examples/two_layer.gc", "--inputs", "examples/two_layer.npz",
                   "--json").json
    # every node forward, every node but y (class indices) back, y's line, done
    assert len(files) == 2 * len(data["nodes"]) - 1 + 2
    for f in files:
        ElementTree.parse(f)
