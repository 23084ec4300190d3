"""trace --html FILE without a browser: the file is one offline page whose data is
trace --json's, whose picture is --svg's, whose steps say what --steps says, and that
nothing the user typed can break (SPEC §3). The browser tests: test_page_browser.py."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest

from conftest import assert_clean_error, run_cli

SEED = ["p = x + y; g = p * z", "-x", "1", "-y", "3", "-z", "-3"]


class Parts(HTMLParser):
    """The page's elements as a browser's tokenizer sees them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self.stack: list[str] = []
        self._script: dict | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script, self._text = dict(attrs), []

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text)))
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._text.append(data)


def write_page(tmp_path, *args: str, name: str = "page.html") -> tuple[str, object]:
    path = tmp_path / name
    run = run_cli("trace", *args, "--html", str(path))
    assert run.exit_code == 0, run.stderr
    assert f"wrote {path}" in run.stderr
    return path.read_text(encoding="utf-8"), run


def parse(text: str) -> Parts:
    p = Parts()
    p.feed(text)
    p.close()
    return p


def embedded(text: str, ident: str):
    (body,) = [body for attrs, body in parse(text).scripts if attrs.get("id") == ident]
    return json.loads(body)


def inline_svg(text: str) -> str:
    start = text.index("<svg ")
    return text[start:text.index("</svg>", start) + len("</svg>")]


def test_the_page_is_one_file_that_loads_nothing(tmp_path):
    text, _ = write_page(tmp_path, *SEED)
    p = parse(text)
    assert text.startswith("<!DOCTYPE html>")
    # three scripts, all inline: the trace, the steps, the code; no src, no link, no href
    assert [a.get("type") for a, _ in p.scripts] == ["application/json", "application/json", None]
    for tag, attrs in p.tags:
        assert tag not in ("link", "iframe", "img", "object", "embed"), tag
        assert not {"src", "href", "srcset", "action"} & set(attrs), (tag, attrs)
    # the only URL is the SVG namespace (a name, never fetched)
    assert re.findall(r"https?://[^\s\"'<>]+", text) == ["http://www.w3.org/2000/svg"]
    assert "@import" not in text and "url(http" not in text


def test_the_embedded_trace_is_trace_json(tmp_path):
    for mode in ("reverse", "forward"):
        text, _ = write_page(tmp_path, *SEED, "--mode", mode, name=f"{mode}.html")
        expected = run_cli("trace", *SEED, "--mode", mode, "--json").json
        assert embedded(text, "trace-data") == expected
    # and the hand numbers are in it
    nodes = {n["label"]: n for n in expected["nodes"]}
    assert (nodes["p"]["value"], nodes["g"]["value"]) == (4, -12)
    assert (nodes["p"]["grad"], nodes["z"]["grad"], nodes["x"]["grad"], nodes["y"]["grad"]) == (-3, 4, -3, -3)


def test_the_picture_is_the_svg_layout_with_every_label(tmp_path):
    """The page draws --svg's picture (drawn with the constants' gradients, which the page
    hides or shows): with its data-tag attributes taken out it is that file."""
    program = ["g = 3*x + sin(2)*x", "-x", "2"]
    text, _ = write_page(tmp_path, *program)
    svg = inline_svg(text)
    ElementTree.fromstring(svg)   # well-formed XML
    expected = run_cli("trace", *program, "--svg", "-", "--show-constants").stdout
    assert re.sub(r' data-tag="[^"]*"', "", svg) + "\n" == expected


def test_every_step_says_what_trace_steps_says(tmp_path):
    for mode, args in (("reverse", ()), ("reverse", ("--show-constants",)), ("forward", ())):
        program = ["p = x + y; g = p * z + 2^x; q = g*2; g", "-x", "1", "-y", "3", "-z", "-3"]
        text, _ = write_page(tmp_path, *program, "--mode", mode, *args)
        walk = embedded(text, "walk-data")
        steps = walk["steps"]["with" if args else "without"]
        printed = run_cli("trace", *program, "--mode", mode, "--steps", *args).stdout.splitlines()
        narrated = [line.strip() for line in printed if line.startswith("  ")]
        said = [line for s in steps[:-1] for line in s["line"].split("\n")]
        assert said == narrated
        assert steps[-1]["phase"] == "done" and steps[-1]["line"] == printed[-1]
        headings = [line for line in printed if line and not line.startswith(" ")][:-1]
        assert list(dict.fromkeys(s["heading"] for s in steps[:-1])) == headings


def test_each_step_reveals_the_hand_numbers(tmp_path):
    """The seed's steps, read from the page's data: which node, and the numbers it puts
    on its wires and in its row (p = 4, g = -12; ∂g/∂p = -3, ∂g/∂z = 4, ∂g/∂x = ∂g/∂y = -3)."""
    text, _ = write_page(tmp_path, *SEED)
    walk = embedded(text, "walk-data")
    data = embedded(text, "trace-data")
    label = {n["id"]: n["label"] for n in data["nodes"]}
    expected = [("forward", "x", "1"), ("forward", "y", "3"), ("forward", "p", "4"),
                ("forward", "z", "-3"), ("forward", "g", "-12"),
                ("backward", "g", "1"), ("backward", "z", "4"), ("backward", "p", "-3"),
                ("backward", "y", "-3"), ("backward", "x", "-3")]
    steps = walk["steps"]["without"]
    assert len(steps) == len(expected) + 1 and steps[-1]["node"] is None
    for step, (phase, name, number) in zip(steps, expected):
        assert (step["phase"], label[step["node"]]) == (phase, name)
        role = "value" if phase == "forward" else "grad"
        wires = {v for t, v in step["reveal"].items() if t.startswith(role + ":")}
        assert wires == {number}, step
        assert step["reveal"][f"row-{role}:{step['node']}"] == number


def test_what_the_user_typed_cannot_break_the_page(tmp_path):
    program = "p = x + y  # </script><b>bold</b> <!-- & \u2028\ng = p * z"
    path = tmp_path / "evil.txt"
    path.write_text(program, encoding="utf-8")
    text, _ = write_page(tmp_path, "@" + str(path), "-x", "1", "-y", "3", "-z", "-3")
    p = parse(text)
    assert len(p.scripts) == 3
    assert "<b>" not in text and "</script><b>" not in text and "<!-- &" not in text
    assert not any(tag == "b" for tag, _ in p.tags)
    assert embedded(text, "trace-data")["expression"] == program
    ElementTree.fromstring(inline_svg(text))


def test_refuses_more_nodes_than_the_page_takes(tmp_path):
    from gradcli.views.page import PAGE_MAX_NODES

    terms = PAGE_MAX_NODES // 3 + 1            # k*x + …: 3 nodes a term (k, *, +), 3·terms in all
    program = " + ".join(f"{k}*x" for k in range(1, terms + 1))
    assert len(run_cli("trace", program, "-x", "1", "--json").json["nodes"]) == PAGE_MAX_NODES + 1
    src = tmp_path / "big.txt"
    src.write_text(program)
    path = tmp_path / "big.html"
    run = run_cli("trace", "@" + str(src), "-x", "1", "--html", str(path))
    assert_clean_error(run, 2, f"at most {PAGE_MAX_NODES}", "nodes")
    assert not path.exists()
    run = run_cli("trace", "@" + str(src), "-x", "1", "--html", str(path), "--json")
    assert run.exit_code == 2 and run.json["error"]["kind"] == "usage"
    assert str(PAGE_MAX_NODES) in run.json["error"]["message"]


def test_the_page_takes_its_limit(tmp_path):
    from gradcli.views.page import PAGE_MAX_NODES

    terms = PAGE_MAX_NODES // 3                # k*x + …: 3 nodes a term (k, *, +), 3·terms in all
    program = " + ".join(f"{k}*x" for k in range(1, terms + 1))
    src = tmp_path / "big.txt"
    src.write_text(program)
    text, _ = write_page(tmp_path, "@" + str(src), "-x", "1")
    data = embedded(text, "trace-data")
    assert len(data["nodes"]) <= PAGE_MAX_NODES
    assert data["value"] == terms * (terms + 1) / 2


@pytest.mark.parametrize("target, fragment", [("", "--html needs a file name"),
                                               ("-", "--html needs a file name"),
                                               ("{tmp}/no/such/folder/page.html", "cannot write the page")])
def test_bad_page_targets(tmp_path, target, fragment):
    run = run_cli("trace", *SEED, "--html", target.format(tmp=tmp_path))
    assert_clean_error(run, 2, fragment)


def test_shapes_in_the_trace_get_a_column(monkeypatch, tmp_path):
    """Where trace --json carries "shape" per node (arrays), the table shows it; the page
    does not depend on it (the tests above have none)."""
    from gradcli.program.trace import Trace

    plain = Trace.to_json

    def with_shapes(self):
        obj = plain(self)
        for n in obj["nodes"]:
            n["shape"] = [2, 3] if n["label"] == "p" else []
        return obj

    monkeypatch.setattr(Trace, "to_json", with_shapes)
    text, _ = write_page(tmp_path, *SEED)
    assert "<th>shape</th>" in text
    row = re.search(r'<tr data-node="2">(.*?)</tr>', text).group(1)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row)[4] == "(2, 3)"
    assert embedded(text, "trace-data")["nodes"][2]["shape"] == [2, 3]
