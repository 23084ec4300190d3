"""trace --svg-frames DIR: one well-formed SVG per step, numbered; the last is --svg's
picture byte for byte; the labels appear as the passes compute them (hand numbers)."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest

from conftest import assert_clean_error, run_cli

SEED = ["p = x + y; g = p * z", "-x", "1", "-y", "3", "-z", "-3"]
NS = "{http://www.w3.org/2000/svg}"
VALUE, GRAD, AMBER = "#2e7d32", "#c62828", "#f9a825"


def frames(tmp_path, *args: str, folder: str = "slides") -> list[Path]:
    out = tmp_path / folder
    run = run_cli("trace", *args, "--svg-frames", str(out))
    assert run.exit_code == 0, run.stderr
    files = sorted(out.glob("frame_*.svg"))
    assert f"wrote {len(files)} frames into {out}" in run.stderr
    return files


def labels(svg: ElementTree.Element, colour: str) -> list[str]:
    return sorted(t.text for t in svg.iter(NS + "text") if t.get("fill") == colour and t.text != "■")


def outlined(svg: ElementTree.Element) -> list[str]:
    return [s.get("data-node") for s in svg if s.get("stroke") == AMBER]


def test_one_frame_per_step_and_the_last_is_the_svg(tmp_path):
    files = frames(tmp_path, *SEED)
    assert [f.name for f in files] == [f"frame_{k:03d}.svg" for k in range(1, 12)]
    svg_file = tmp_path / "g.svg"
    assert run_cli("trace", *SEED, "--svg", str(svg_file)).exit_code == 0
    assert files[-1].read_bytes() == svg_file.read_bytes()
    for f in files:
        ElementTree.parse(f)   # each one well-formed


def test_the_labels_appear_as_the_passes_compute_them(tmp_path):
    """Hand numbers: x=1, y=3, p=4, z=-3, g=-12; then ∂g/∂g=1, ∂g/∂z=4, ∂g/∂p=-3,
    ∂g/∂y=-3, ∂g/∂x=-3, each on the wires leaving its node."""
    pics = [ElementTree.parse(f).getroot() for f in frames(tmp_path, *SEED)]
    ids = {"x": "0", "y": "1", "p": "2", "z": "3", "g": "4"}   # the trace's ids (inputs first)
    values, grads = [], []
    order = [("x", "1", None), ("y", "3", None), ("p", "4", None), ("z", "-3", None),
             ("g", "-12", None), ("g", None, "1"), ("z", None, "4"), ("p", None, "-3"),
             ("y", None, "-3"), ("x", None, "-3")]
    for pic, (name, value, grad) in zip(pics, order):
        values += [value] if value else []
        grads += [grad] if grad else []
        assert labels(pic, VALUE) == sorted(values)
        assert labels(pic, GRAD) == sorted(grads)
        assert outlined(pic) == [ids[name]]
    assert outlined(pics[-1]) == []
    # the step's line is written under the picture, as --steps says it
    texts = [t.text for t in pics[2].iter(NS + "text")]
    assert "#2    p = x + y = 1 + 3 = 4" in texts
    assert "∂g/∂z = ∂g/∂g · ∂g/∂z = 1 · 4 = 4    (∂g/∂z = p)" in [t.text for t in pics[6].iter(NS + "text")]


def test_the_step_frames_are_one_size(tmp_path):
    pics = [ElementTree.parse(f).getroot() for f in frames(tmp_path, *SEED)]
    sizes = {(p.get("width"), p.get("height")) for p in pics[:-1]}
    assert len(sizes) == 1
    (w, h), = sizes
    assert int(h) > int(pics[-1].get("height")) and int(w) >= int(pics[-1].get("width"))


@pytest.mark.parametrize("extra", [(), ("--show-constants",), ("--digits", "2")])
def test_the_last_frame_is_the_svg_with_the_same_options(tmp_path, extra):
    program = ["q = y*3; r = 2^x * sin(1); x*2 + r", "-x", "1.234567", "-y", "2"]  # unused q, constants
    files = frames(tmp_path, *program, *extra)
    expected = run_cli("trace", *program, *extra, "--svg", "-").stdout
    assert files[-1].read_text(encoding="utf-8") == expected
    # the constants' wires get red labels only with --show-constants
    reds = [len(labels(ElementTree.parse(f).getroot(), GRAD)) for f in files]
    assert reds == sorted(reds) and reds[0] == 0


def test_the_folder_is_made_and_old_frames_go(tmp_path):
    deep = tmp_path / "a" / "b"
    long = frames(tmp_path, "p = x*y; q = p*x; q*y", "-x", "1", "-y", "2", folder="a/b")
    (deep / "notes.txt").write_text("mine")
    short = frames(tmp_path, "x*y", "-x", "1", "-y", "2", folder="a/b")
    assert len(short) < len(long)
    assert sorted(f.name for f in deep.iterdir()) == sorted([f.name for f in short] + ["notes.txt"])


def test_a_file_is_not_a_folder(tmp_path):
    target = tmp_path / "slides"
    target.write_text("not a folder")
    run = run_cli("trace", *SEED, "--svg-frames", str(target))
    assert_clean_error(run, 2, "--svg-frames needs a folder", "is a file")
    assert target.read_text() == "not a folder"
    run = run_cli("trace", *SEED, "--svg-frames", str(target), "--json")
    assert run.exit_code == 2 and run.json["error"]["kind"] == "usage"


def test_frames_are_reverse_mode_pictures(tmp_path):
    run = run_cli("trace", *SEED, "--mode", "forward", "--svg-frames", str(tmp_path / "f"))
    assert_clean_error(run, 2, "reverse mode only")
    assert not (tmp_path / "f").exists()


def test_an_empty_folder_name(tmp_path):
    assert_clean_error(run_cli("trace", *SEED, "--svg-frames", ""), 2, "needs a folder name")


def test_more_nodes_than_slides_take(tmp_path):
    from gradcli.views.frames import MAX_NODES

    program = "sin(" * MAX_NODES + "x" + ")" * MAX_NODES    # MAX_NODES + 1 nodes
    src = tmp_path / "chain.txt"
    src.write_text(program)
    run = run_cli("trace", "@" + str(src), "-x", "1", "--svg-frames", str(tmp_path / "f"))
    assert_clean_error(run, 2, f"at most {MAX_NODES} nodes")
    assert not (tmp_path / "f").exists()
