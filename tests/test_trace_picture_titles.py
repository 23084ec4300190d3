"""Pictures' titles (SVG, DOT, Mermaid): statements joined with '; ', comments dropped,
long titles shortened with an ellipsis, never inside a binding's number (issue 9, item 4)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"
STAGED = """# CS231n staged computation
sigy = 1 / (1 + exp(-y))   # sigmoid in numerator   #(1)
num = x + sigy             # numerator              #(2)
f = num * sigy             # done!                  #(8)
"""


def _titles(cli, program: str, *args: str) -> list[str]:
    svg = cli("trace", program, *args, "--format", "svg").stdout
    root = ET.fromstring(svg)
    heading = next(t.text for t in root.iter(f"{NS}text"))
    svg_title = root.find(f"{NS}title").text.removeprefix("gradcli trace: ")
    dot = cli("trace", program, *args, "--format", "dot").stdout.splitlines()[0]
    mermaid = cli("trace", program, *args, "--format", "mermaid").stdout.splitlines()[1]
    return [heading, svg_title, dot.removeprefix("/* gradcli trace: ").removesuffix(" */"),
            mermaid.removeprefix("  %% gradcli trace: ")]


def test_a_multi_line_program_reads_as_statements(cli):
    want = "sigy = 1 / (1 + exp(-y)); num = x + sigy; f = num * sigy — at y = -4, x = 3"
    for title in _titles(cli, STAGED, "-x", "3", "-y", "-4"):
        assert title == want


def test_a_long_title_keeps_whole_statements_and_bindings(cli):
    program = "; ".join(f"v{k} = x*{k} + y" for k in range(1, 30)) + "; v1 + v29"
    names = [f"w{k}" for k in range(40)]
    program2 = " + ".join(names)
    for title in _titles(cli, program, "-x", "1.5", "-y", "2"):
        text = title.split(" — at ")[0]
        assert text.endswith("; …") and len(text) <= 100
        assert text.startswith("v1 = x*1 + y; v2 = x*2 + y; ")
    args = [a for k, n in enumerate(names) for a in (f"--{n}", f"{k}.123456789")]
    for title in _titles(cli, program2, *args):
        values = title.split(" — at ")[1]
        assert values.endswith(", …") and len(values) <= 100
        for binding in values.removesuffix(", …").split(", "):
            name, value = binding.split(" = ")
            assert value == f"{names.index(name)}.123456789"      # every number whole
