"""`gradcli grad --symbolic / --latex` through the command line: output shapes and errors."""

from __future__ import annotations

import pytest

from conftest import assert_clean_error
from gradcli import compile as compile_program


def test_formulas_without_values(cli):
    run = cli("grad", "x^2 * sin(y)", "--symbolic")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.splitlines() == ["∂/∂x = 2*x*sin(y)", "∂/∂y = x^2*cos(y)"]


def test_formulas_without_values_json(cli):
    run = cli("grad", "x^2 * sin(y)", "--symbolic", "--json")
    assert run.json == {"expression": "x^2 * sin(y)",
                        "formulas": {"x": "2*x*sin(y)", "y": "x^2*cos(y)"}}


def test_formulas_with_values(cli):
    run = cli("grad", "L = (x*w - target)^2", "-x", "2", "-w", "3", "--target", "2", "--symbolic",
              "--json")
    # by hand: L = 16, ∂L/∂w = 2·x·(x·w − target) = 16, ∂L/∂x = 24, ∂L/∂target = −8
    assert run.json["value"] == 16.0
    assert run.json["gradient"] == {"x": 24.0, "w": 16.0, "target": -8.0}
    assert run.json["formulas"]["w"] == "2*x*(x*w - target)"
    human = cli("grad", "L = (x*w - target)^2", "-x", "2", "-w", "3", "--target", "2", "--symbolic")
    assert "∂L/∂w = 2*x*(x*w - target)" in human.stdout and "16" in human.stdout


def test_latex(cli):
    run = cli("grad", "x^2 * sin(y)", "--latex")
    assert run.stdout.splitlines() == [
        r"\frac{\partial f}{\partial x} = 2 \cdot x \cdot \sin\left(y\right)",
        r"\frac{\partial f}{\partial y} = x^{2} \cdot \cos\left(y\right)"]
    as_json = cli("grad", "x^2 * sin(y)", "--symbolic", "--latex", "--json")
    assert as_json.json["latex"] == {"x": r"2 \cdot x \cdot \sin\left(y\right)",
                                     "y": r"x^{2} \cdot \cos\left(y\right)"}


def test_definitions_parse_back(cli):
    text = "a0 = sin(x)*y; a1 = a0*cos(a0) + x; a2 = a1*exp(a1) + a0; out = a2*a2 + a1"
    run = cli("grad", text, "--symbolic", "--json")
    assert run.json["definitions"], run.json
    point = {"x": 0.4, "y": -0.8}
    h = 1e-6
    program = compile_program(text)
    for name, formula in run.json["formulas"].items():
        source = "\n".join([f"{n} = {d}" for n, d in run.json["definitions"].items()] + [formula])
        back = compile_program(source)
        got = back.evaluate({n: point[n] for n in back.inputs}).value
        up, down = dict(point), dict(point)
        up[name] += h
        down[name] -= h
        numeric = (program.evaluate(up).value - program.evaluate(down).value) / (2 * h)
        assert got == pytest.approx(numeric, rel=1e-6)   # central differences: the oracle


def test_conventions_are_notes_on_stderr(cli):
    run = cli("grad", "x^y", "--symbolic")
    assert run.stdout.splitlines() == ["∂/∂x = y*x^(y - 1)", "∂/∂y = x^y*log(x)"]
    assert "PyTorch" in run.stderr
    as_json = cli("grad", "relu(x)", "--symbolic", "--json")
    assert as_json.json["notes"] == ["relu'(0) = 0 (PyTorch)"]


def test_wrt(cli):
    run = cli("grad", "p = x*y; out = sin(p)", "--symbolic", "--wrt", "p,y", "--json")
    assert run.json["formulas"] == {"p": "cos(x*y)", "y": "x*cos(x*y)"}


@pytest.mark.parametrize("args, code, kind, fragments", [
    (("x*y", "-x", "1", "--symbolic"), 2, "name", ["no value for variable 'y'"]),
    (("x*y", "--symbolic", "--wrt", "w"), 2, "name", ["'w'"]),
    (("x*", "--symbolic"), 2, "syntax", ["^"]),
    (("x", "--symbolic", "--batch", "p.csv"), 2, "usage", ["--batch"]),
    (("x", "-x", "1", "--latex", "--check"), 2, "usage", ["--check"]),
    (("log(x)", "-x", "0", "--symbolic"), 3, "math", ["log needs a positive number"]),
])
def test_errors(cli, args, code, kind, fragments):
    run = cli("grad", *args)
    assert_clean_error(run, code, *fragments)
    assert cli("grad", *args, "--json").json["error"]["kind"] == kind


def test_help_shows_the_flags(cli):
    run = cli("grad", "--help")
    assert "--symbolic" in run.stdout and "--latex" in run.stdout and "--exact" in run.stdout
