"""Constants' gradients: left out of the human views unless --show-constants; JSON keeps them
(SPEC §3, issue 9 item 3). Expected numbers are worked by hand with math.log as the oracle.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from gradcli.views.picture import GRAD_COLOUR

NS = "{http://www.w3.org/2000/svg}"
# L = (x*w - target)^2 at x = 2, w = 3, target = 2: y - target = 4, so ∂L/∂(the exponent 2)
# = 4^2 · log 4 = 22.18..., and ∂L/∂w = 2·4·x = 16.
SEED = ["y = x*w; L = (y - target)^2", "-x", "2", "-w", "3", "--target", "2"]
EXPONENT_GRAD = 16 * math.log(4)
STAGED = ["sigy = 1 / (1 + exp(-y)); num = x + sigy; sigx = 1 / (1 + exp(-x)); xpy = x + y; "
          "xpysqr = xpy^2; den = sigx + xpysqr; invden = 1 / den; f = num * invden",
          "-x", "3", "-y", "-4"]


def test_steps_leave_out_the_constant(cli):
    out = cli("trace", "y = x^2", "-x", "3", "--steps").stdout
    assert "∂y/∂#1" not in out
    assert "∂y/∂x = ∂y/∂y · ∂y/∂x = 1 · 6 = 6" in out          # 2x at x = 3
    shown = cli("trace", "y = x^2", "-x", "3", "--steps", "--show-constants").stdout
    grad = f"{9 * math.log(3):.12g}"                           # ∂(x^c)/∂c = x^c log x
    assert f"∂y/∂#1 = ∂y/∂y · ∂y/∂#1 = 1 · {grad} = {grad}" in shown


def test_tree_and_table_leave_out_the_constant(cli):
    full = f"{EXPONENT_GRAD:.12g}"
    out = cli("trace", *SEED).stdout
    assert full not in out
    tree, table = out.split("\n\n")[1:3]
    const_line = next(line for line in tree.splitlines() if "const #" in line)
    assert "grad" not in const_line, const_line
    row = next(line for line in table.splitlines() if line.split()[2:3] == ["const"])
    assert row.split()[1:] == ["2", "const", "2"], row         # id, label, op, value: no gradient
    assert "∂L/∂w = 16" in out                                 # the inputs' gradients stay
    shown = cli("trace", *SEED, "--show-constants").stdout
    assert shown.count(full) == 3      # tree, table, and the local ∂L/∂2 (the upstream is 1)


def _red_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return [t.text for t in root.iter(f"{NS}text") if t.get("fill") == GRAD_COLOUR]


def test_pictures_leave_out_the_constant(cli):
    short = f"{EXPONENT_GRAD:.4g}"                             # 22.18
    svg = cli("trace", *SEED, "--format", "svg").stdout
    red = _red_texts(svg)
    assert short not in red and "16" in red                    # the wire into w*x... carries 16
    assert short in _red_texts(cli("trace", *SEED, "--format", "svg", "--show-constants").stdout)
    for form in ("dot", "mermaid"):
        assert short not in cli("trace", *SEED, "--format", form).stdout
        assert short in cli("trace", *SEED, "--format", form, "--show-constants").stdout


def test_json_keeps_every_constant_gradient(cli):
    nodes = cli("trace", *SEED, "--json").json["nodes"]
    exponent = next(n for n in nodes if n["op"] == "const" and n["label"] == "2")
    assert math.isclose(exponent["grad"], EXPONENT_GRAD, rel_tol=1e-12)


def test_null_exactly_where_the_gradient_is_undefined(cli):
    # CS231n's staged example at x = 3, y = -4: xpy = -1, and ∂(xpy^c)/∂c = log(-1)·xpy^c
    # is not real. Every other node, the constant 1s included, has a number.
    nodes = cli("trace", *STAGED, "--json").json["nodes"]
    nulls = [n for n in nodes if n["grad"] is None]
    assert len(nulls) == 1
    pow_node = next(n for n in nodes if n["op"] == "pow")
    assert nulls[0]["id"] == pow_node["inputs"][1] and nulls[0]["label"] == "2"
    # 0^c: ∂/∂c = 0 for c > 0 (0^c is 0 there), a number, not null
    nodes = cli("trace", "x*0^2", "-x", "5", "--json").json["nodes"]
    assert all(n["grad"] is not None for n in nodes)
    assert next(n for n in nodes if n["label"] == "2")["grad"] == 0


def test_the_flag_is_in_the_help(cli):
    assert "--show-constants" in cli("trace", "--help").stdout
