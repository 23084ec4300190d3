"""`trace --steps`: a power's local rule with a computed constant exponent reads as `--symbolic` does.

The exponent of x^-1 is a node of its own (-1 is neg(1)), as is the 1/2 of
x^(1/2); the rule `b * a^(b - 1)` used to print them as handles,
`#2*x^(#2 - 1)`. Now a node that depends on no input and folds to a small
fraction goes into the rule as its exact value, and the rule is simplified
and printed by the code `--symbolic` uses, so the text, the LaTeX sheet, the
forward-mode narration and `grad --symbolic` read the same.

Every expected string below is derived by hand (the power rule
d/dx x^c = c·x^(c-1), then the number at x = 4), not copied from the output.
"""

from __future__ import annotations

import re
from fractions import Fraction

import pytest

import gradcli

X = 4.0

# (expression, the rule as text, as LaTeX, its exact value at x = 4), derived by hand:
CASES = [
    # d/dx x^-1 = -1·x^-2 = -1/x^2; at 4: -1/16 = -0.0625
    ("x^-1", "-1/x^2", r"-\frac{1}{x^{2}}", Fraction(-1, 16)),
    # the same exponent in parentheses
    ("x^(-1)", "-1/x^2", r"-\frac{1}{x^{2}}", Fraction(-1, 16)),
    # d/dx x^-2 = -2·x^-3 = -2/x^3; at 4: -2/64 = -1/32 = -0.03125
    ("x^-2", "-2/x^3", r"-\frac{2}{x^{3}}", Fraction(-1, 32)),
    # d/dx x^(1/2) = (1/2)·x^(-1/2) = x^-0.5/2 (1/2 is written 0.5, as --symbolic writes it);
    # at 4: (1/2)/2 = 0.25
    ("x^(1/2)", "x^-0.5/2", r"\frac{x^{-0.5}}{2}", Fraction(1, 4)),
    # the literal 0.5 gives the same
    ("x^0.5", "x^-0.5/2", r"\frac{x^{-0.5}}{2}", Fraction(1, 4)),
    # d/dx x^(2-1) = 1·x^0 = 1
    ("x^(2-1)", "1", "1", Fraction(1)),
    # d/dx x^(2-2) = 0·x^-1 = 0 (and PyTorch's ∂(a^b)/∂a = 0 where b = 0 agrees)
    ("x^(2-2)", "0", "0", Fraction(0)),
    # d/dx x^3 = 3·x^2; at 4: 48
    ("x^3", "3*x^2", r"3 \cdot x^{2}", Fraction(48)),
    # d/dx x^(1/3) = (1/3)·x^(-2/3) = x^(-2/3)/3 (1/3 has no short decimal: a fraction);
    # at 4: 4^(-2/3)/3 (irrational: checked as a float)
    ("x^(1/3)", "x^(-2/3)/3", r"\frac{x^{-\frac{2}{3}}}{3}", None),
    # d/dx x*-2 = -2
    ("x*-2", "-2", "-2", Fraction(-2)),
]

# ∂f/∂x = ∂f/∂f · ∂f/∂x = 1 · (-0.0625) = -0.0625    (∂f/∂x = -1/x^2)
BACKWARD = re.compile(r"  ∂f/∂x = ∂f/∂f · ∂f/∂x = 1 · \(?(?P<local>[^ )]+)\)? = (?P<grad>\S+)"
                      r"    \(∂f/∂x = (?P<rule>.*)\)$")
# df/dx = ∂f/∂x · dx/dx = (-0.0625) · 1 = -0.0625    (∂f/∂x = -1/x^2)
TANGENT = re.compile(r"  df/dx = ∂f/∂x · dx/dx = \(?(?P<local>[^ )]+)\)? · 1 = (?P<grad>\S+)"
                     r"    \(∂f/∂x = (?P<rule>.*)\)$")


def _line(pattern, text: str) -> re.Match:
    found = [m for m in map(pattern.match, text.splitlines()) if m]
    assert len(found) == 1, text
    return found[0]


def _true(expr: str, exact: Fraction | None) -> float:
    if exact is not None:
        return float(exact)
    assert expr == "x^(1/3)"
    return X ** (-2 / 3) / 3


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-11 * max(1.0, abs(b))


@pytest.mark.parametrize("expr,rule,latex,exact", CASES, ids=[c[0] for c in CASES])
def test_the_steps_text_prints_the_simplified_rule_and_the_true_number(cli, expr, rule, latex, exact):
    run = cli("trace", f"f = {expr}", "-x", "4", "--steps")
    assert run.exit_code == 0, run.stderr
    m = _line(BACKWARD, run.stdout)
    assert m["rule"] == rule
    assert "#" not in m["rule"]
    true = _true(expr, exact)
    assert _close(float(m["local"]), true), (m["local"], true)
    assert _close(float(m["grad"]), true)
    # the printed rule is a gradcli expression: at x = 4 it is the number printed beside it
    assert _close(gradcli.compile(m["rule"]).evaluate({"x": X} if "x" in m["rule"] else {}).value,
                  true)


def test_the_numbers_of_the_simple_cases_read_exactly(cli):
    # -1/16 and -1/32 are short decimals: printed exactly, as derived
    out = cli("trace", "f = x^-1", "-x", "4", "--steps").stdout
    assert "1 · (-0.0625) = -0.0625    (∂f/∂x = -1/x^2)" in out
    out = cli("trace", "f = x^-2", "-x", "4", "--steps").stdout
    assert "1 · (-0.03125) = -0.03125    (∂f/∂x = -2/x^3)" in out
    out = cli("trace", "f = x^(1/2)", "-x", "4", "--steps").stdout
    assert "1 · 0.25 = 0.25    (∂f/∂x = x^-0.5/2)" in out


@pytest.mark.parametrize("expr,rule,latex,exact", CASES, ids=[c[0] for c in CASES])
def test_the_latex_sheet_prints_the_same_rule(cli, expr, rule, latex, exact):
    run = cli("trace", f"f = {expr}", "-x", "4", "--steps", "--latex")
    assert run.exit_code == 0, run.stderr
    want = rf"&& \frac{{\partial f}}{{\partial x}} = {latex}"
    assert [ln for ln in run.stdout.splitlines() if want in ln], run.stdout
    assert r"\#" not in run.stdout.split("Backward pass")[1]


@pytest.mark.parametrize("expr,rule,latex,exact", CASES, ids=[c[0] for c in CASES])
def test_forward_mode_steps_print_the_same_rule(cli, expr, rule, latex, exact):
    run = cli("trace", f"f = {expr}", "-x", "4", "--steps", "--mode", "forward")
    assert run.exit_code == 0, run.stderr
    m = _line(TANGENT, run.stdout)
    assert m["rule"] == rule
    assert _close(float(m["local"]), _true(expr, exact))


@pytest.mark.parametrize("expr,rule,latex,exact", CASES, ids=[c[0] for c in CASES])
def test_the_rule_reads_as_grad_symbolic(cli, expr, rule, latex, exact):
    # f = x^c: its local derivative along x is the whole gradient, so the two must read the same
    text = cli("grad", expr, "-x", "4", "--symbolic").stdout
    assert f"∂/∂x = {rule}\n" in text, text
    tex = cli("grad", expr, "-x", "4", "--latex").stdout
    assert rf"\frac{{\partial f}}{{\partial x}} = {latex}" + "\n" in tex, tex


def test_a_base_that_is_a_node_keeps_its_handle_and_the_exponent_folds(cli):
    # d/du u^(3/2) = (3/2)·u^(1/2) = 3*u^0.5/2, u = #2 = x + 1 = 5: 1.5·√5 = 3.35410196625
    out = cli("trace", "f = (x+1)^(3/2)", "-x", "4", "--steps").stdout
    m = re.search(r"1 · (\S+) = \S+    \(∂f/∂#2 = (.*)\)$", out, re.M)
    assert m and m[2] == "3*#2^0.5/2", out
    assert _close(float(m[1]), 1.5 * 5 ** 0.5)
    tex = cli("trace", "f = (x+1)^(3/2)", "-x", "4", "--steps", "--latex").stdout
    assert r"\frac{\partial f}{\partial \#2} = \frac{3 \cdot \#2^{0.5}}{2}" in tex


def test_a_constant_node_under_show_constants_is_its_number(cli):
    # #2 = 1/2 (#0 = 1, #1 = 2): ∂(1/b)/∂b = -1/b^2 = -1/4 = -0.25, and ∂(a/2)/∂a = 1/2 = 0.5
    out = cli("trace", "f = (1/2)^x", "-x", "4", "--steps", "--show-constants").stdout
    assert "(∂#2/∂#1 = -0.25)" in out and "(∂#2/∂#0 = 0.5)" in out
    # d/da a^x = x·a^(x-1) at a = 1/2: written with the number, 4·0.5^3 = 0.5
    assert "1 · 0.5 = 0.5    (∂f/∂#2 = x*0.5^(x - 1))" in out


def test_an_exponent_that_is_no_fraction_keeps_its_handle(cli):
    # 2*pi is irrational: the rule names the node, #3, as the README's `--steps` does for nodes
    out = cli("trace", "f = x^(2*pi)", "-x", "4", "--steps").stdout
    assert "(∂f/∂x = #3*x^(#3 - 1))" in out
    assert "  #3    2*pi = 2 * 3.14159265359 = 6.28318530718" in out


def test_a_named_constant_keeps_its_name(cli):
    out = cli("trace", "k = 1/2; f = x^k", "-x", "4", "--steps").stdout
    assert "1 · 0.25 = 0.25    (∂f/∂x = k*x^(k - 1))" in out


def test_a_100000_deep_constant_exponent_folds_without_recursion(cli, tmp_path):
    # -(-(…-(1)…)) with 100,001 minus signs is -1: the rule is x^-1's, -1/x^2
    depth = 100_001
    program = tmp_path / "deep.gc"
    program.write_text("f = x^(" + "-(" * depth + "1" + ")" * depth + ")\n", encoding="utf-8")
    run = cli("trace", f"@{program}", "-x", "4", "--steps")
    assert run.exit_code == 0, run.stderr
    assert "1 · (-0.0625) = -0.0625    (∂f/∂x = -1/x^2)" in run.stdout
