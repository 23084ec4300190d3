"""Binding values (SPEC §2), the program from stdin or a file, and --wrt (SPEC §3)."""

from __future__ import annotations

import math

import pytest

import gradcli
from conftest import run_cli


def grad_json(*args, stdin=None):
    run = run_cli("grad", *args, "--json", input=stdin)
    assert run.exit_code == 0, (args, run.stderr)
    return run.json


# -- the four forms ---------------------------------------------------------------------------

@pytest.mark.parametrize("bindings", [
    ["-x", "2", "-y", "5"],
    ["--x", "2", "--y", "5"],
    ["--x=2", "--y=5"],
    ["x=2", "y=5"],
    ["-x", "2", "--y=5"],           # forms mix freely
    ["y=5", "--x", "2"],            # in any order
])
def test_binding_forms(bindings):
    # x*y + x: value 12; d/dx = y + 1 = 6, d/dy = x = 2
    out = grad_json("x*y + x", *bindings)
    assert out["inputs"] == {"x": 2.0, "y": 5.0}
    assert out["value"] == 12.0 and out["gradient"] == {"x": 6.0, "y": 2.0}


@pytest.mark.parametrize("bindings", [
    ["-z", "-3"], ["--z", "-3"], ["--z=-3"], ["z=-3"], ["-z", "-3.0"], ["-z", "-3e0"],
])
def test_negative_values(bindings):
    out = grad_json("z^2", *bindings)
    assert out["inputs"] == {"z": -3.0}
    assert out["value"] == 9.0 and out["gradient"] == {"z": -6.0}


@pytest.mark.parametrize(("text", "want"), [
    ("pi/4", math.pi / 4),
    ("2^0.5", 2 ** 0.5),
    ("-1e-3", -0.001),
    ("-pi", -math.pi),
    ("e", math.e),
    ("2*3 + 1", 7.0),
    ("(1+2)^2", 9.0),
    ("sqrt(16)", 4.0),
    ("-(2)", -2.0),
    ("+3", 3.0),
    (".5", 0.5),
    ("2.5E+4", 25000.0),
    ("1/3", 1 / 3),
    (" 7 ", 7.0),
    ("log(e^2)", 2.0),
])
def test_constant_expression_values(text, want):
    out = grad_json("x", "-x", text)
    assert out["inputs"]["x"] == pytest.approx(want, rel=1e-15, abs=0)


def test_the_spec_examples_of_constant_values():
    # -x pi/4 -y 2^0.5 -z -1e-3: x*y*z = (pi/4)·√2·(-0.001); d/dz = x*y
    out = grad_json("x*y*z", "-x", "pi/4", "-y", "2^0.5", "-z", "-1e-3")
    assert out["inputs"] == {"x": math.pi / 4, "y": 2 ** 0.5, "z": -0.001}
    assert out["gradient"]["z"] == pytest.approx(math.pi / 4 * 2 ** 0.5, rel=1e-15)


def test_trig_value_of_a_constant_expression():
    out = grad_json("sin(x)", "-x", "pi/6")
    assert out["value"] == pytest.approx(0.5, rel=1e-15)
    assert out["gradient"]["x"] == pytest.approx(math.sqrt(3) / 2, rel=1e-15)


@pytest.mark.parametrize("bindings", [
    ["--w1", "0.5"], ["-w1", "0.5"], ["w1=0.5"], ["--w1=0.5"],
])
def test_multi_letter_names(bindings):
    out = grad_json("w1 * hidden_2", *bindings, "--hidden_2", "4")
    assert out["inputs"] == {"w1": 0.5, "hidden_2": 4.0}
    assert out["gradient"] == {"w1": 4.0, "hidden_2": 0.5}


@pytest.mark.parametrize("bindings", [["-θ", "2", "-α", "3"], ["--θ=2", "α=3"], ["θ=2", "--α", "3"]])
def test_unicode_names(bindings):
    out = grad_json("θ^2 * α", *bindings)
    assert out["inputs"] == {"θ": 2.0, "α": 3.0}
    assert out["gradient"] == {"θ": 12.0, "α": 4.0}


@pytest.mark.parametrize("letter", ["h", "v", "V", "j", "w", "o", "q", "n", "e1"])
def test_every_single_letter_is_free_for_variables(letter):
    # No short options: -h is a variable h, not help; -v is not --version; -w is not --wrt.
    out = grad_json(f"{letter} * 2", f"-{letter}", "3")
    assert out["inputs"] == {letter: 3.0} and out["gradient"] == {letter: 2.0}


def test_a_variable_named_like_a_long_option_is_bound_with_name_equals_value():
    # --json is the option; the variable json is bound with json=VALUE (SPEC §2).
    out = grad_json("json * 2 + x", "json=5", "-x", "1")
    assert out["inputs"] == {"json": 5.0, "x": 1.0}
    assert out["value"] == 11.0 and out["gradient"] == {"json": 2.0, "x": 1.0}


def test_wrt_as_a_variable_name_beside_the_wrt_option():
    out = grad_json("wrt * x", "wrt=3", "-x", "2", "--wrt", "wrt")
    assert out["gradient"] == {"wrt": 2.0}


def test_help_as_a_variable_name():
    out = grad_json("help + 1", "help=2")
    assert out["value"] == 3.0 and out["gradient"] == {"help": 1.0}
    # ...while --help still asks for help.
    run = run_cli("grad", "help + 1", "--help")
    assert run.exit_code == 0 and "Usage" in run.stdout


def test_the_long_option_wins_over_a_variable_of_the_same_name():
    # `--json 5` is the flag --json followed by a stray word, not json = 5.
    run = run_cli("grad", "json * 2", "--json", "5")
    assert run.exit_code == 2
    assert run.json["error"]["kind"] == "usage"


def test_single_dash_with_equals():
    # SPEC lists four forms; gradcli also reads -x=1 the way it reads --x=1.
    out = grad_json("x + 1", "-x=2")
    assert out["inputs"] == {"x": 2.0}


def test_eval_takes_the_same_forms():
    for bindings in (["-x", "2"], ["--x", "2"], ["--x=2"], ["x=2"], ["-x", "pi/pi*2"]):
        run = run_cli("eval", "x^3", *bindings, "--json")
        assert run.exit_code == 0, run.stderr
        assert run.json == {"expression": "x^3", "inputs": {"x": 2.0}, "value": 8.0}


def test_python_api_takes_numbers_and_constant_expressions():
    r = gradcli.grad("x*y", {"x": "pi/4"}, y=2)
    assert r.inputs == {"x": math.pi / 4, "y": 2.0}
    assert r.gradient == {"x": 2.0, "y": math.pi / 4}


# -- the program from stdin and from a file --------------------------------------------------

def test_program_from_stdin():
    text = "a = x*y  # a product\nb = a + x\nb^2\n"
    # b = x*y + x = 8 at (2, 3); b^2 = 64; d/dx = 2b(y + 1) = 64, d/dy = 2b·x = 32
    out = grad_json("-", "-x", "2", "-y", "3", stdin=text)
    assert out["expression"] == text
    assert out["value"] == 64.0 and out["gradient"] == {"x": 64.0, "y": 32.0}


def test_program_from_a_file(tmp_path):
    text = "# the loss\ny = x*w\nL = (y - target)^2\n"
    path = tmp_path / "loss.grad"
    path.write_text(text, encoding="utf-8")
    out = grad_json(f"@{path}", "-x", "2", "-w", "3", "--target", "2")
    assert out["expression"] == text
    assert out["value"] == 16.0 and out["gradient"] == {"x": 24.0, "w": 16.0, "target": -8.0}


def test_program_file_with_unicode_and_windows_line_ends(tmp_path):
    path = tmp_path / "θ.txt"
    path.write_bytes("a = θ*2\r\na^2\r\n".encode("utf-8"))
    out = grad_json(f"@{path}", "-θ", "3")
    assert out["value"] == 36.0 and out["gradient"] == {"θ": 24.0}


def test_stdin_and_file_work_for_eval(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("x + 1")
    for args, stdin in ((["-"], "x + 1"), ([f"@{path}"], None)):
        run = run_cli("eval", *args, "-x", "4", "--json", input=stdin)
        assert run.exit_code == 0 and run.json["value"] == 5.0


def test_a_program_of_over_128_kib_through_stdin_and_a_file(tmp_path):
    # The Linux limit on one argument; SPEC §5 sends big programs through - or @FILE.
    n = 40_000
    text = " + ".join(["x"] * n)          # ~160 KB; d/dx = n
    path = tmp_path / "big.txt"
    path.write_text(text)
    for args, stdin in ((["-"], text), ([f"@{path}"], None)):
        out = grad_json(*args, "-x", "0.5", stdin=stdin)
        assert out["value"] == n * 0.5 and out["gradient"] == {"x": float(n)}


# -- --wrt -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("wrt", "want"), [
    (["--wrt", "x"], {"x": -3.0}),
    (["--wrt", "x,z"], {"x": -3.0, "z": 4.0}),
    (["--wrt", "z", "--wrt", "y"], {"z": 4.0, "y": -3.0}),
    (["--wrt=y"], {"y": -3.0}),
    (["--wrt", "x, y"], {"x": -3.0, "y": -3.0}),
])
def test_wrt_reports_only_some_variables(wrt, want):
    out = grad_json("(x+y)*z", "-x", "1", "-y", "3", "-z", "-3", *wrt)
    assert out["gradient"] == want
    assert out["inputs"] == {"x": 1.0, "y": 3.0, "z": -3.0}   # every input is still reported
    assert out["value"] == -12.0


def test_wrt_an_assigned_name():
    # L = (y - t)^2 with y = x*w: ∂L/∂y = 2(y - t) = 8 at x = 2, w = 3, t = 2
    out = grad_json("y = x*w; L = (y - target)^2", "-x", "2", "-w", "3", "--target", "2", "--wrt", "y,w")
    assert out["gradient"] == {"y": 8.0, "w": 16.0}


def test_wrt_in_the_human_table():
    run = run_cli("grad", "(x+y)*z", "-x", "1", "-y", "3", "-z", "-3", "--wrt", "z")
    assert run.exit_code == 0
    rows = [line.split() for line in run.stdout.splitlines()]
    assert ["z", "-3", "4"] in rows
    assert not any(row and row[0] in ("x", "y") for row in rows)


def test_wrt_avoids_a_gradient_that_is_not_finite():
    # ∂/∂y of x^y at x = -2 is not real; ∂/∂x alone is fine: 3·(-2)^2 = 12.
    out = grad_json("x^y", "-x", "-2", "-y", "3", "--wrt", "x")
    assert out["value"] == -8.0 and out["gradient"] == {"x": 12.0}
    assert run_cli("grad", "x^y", "-x", "-2", "-y", "3").exit_code == 3
