"""The expression language of SPEC §1: what a program means.

Expected values are worked out by hand in each test (exact fractions where
they help), never taken from gradcli.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

import gradcli
from gradcli.errors import GradNameError


def value(text: str, **values) -> float:
    return gradcli.evaluate(text, values).value


def gradient(text: str, **values) -> dict[str, float]:
    return gradcli.grad(text, values).gradient


# -- precedence and associativity ------------------------------------------------------------

@pytest.mark.parametrize(("text", "want"), [
    ("2^3^2", 512.0),            # right-associative: 2^(3^2) = 2^9, not (2^3)^2 = 64
    ("2**3**2", 512.0),          # ** is the same operator
    ("2^3**2", 512.0),
    ("(2^3)^2", 64.0),
    ("2^-1", 0.5),               # the exponent may carry a sign
    ("2^-2^2", 1 / 16),          # 2^(-(2^2))
    ("-2^2", -4.0),              # -(2^2): ^ binds tighter than unary minus
    ("(-2)^2", 4.0),
    ("-2^-2", -0.25),
    ("2 + 3 * 4", 14.0),
    ("(2 + 3) * 4", 20.0),
    ("2 * 3 + 4 * 5", 26.0),
    ("10 - 4 - 3", 3.0),         # left-associative: (10-4)-3
    ("2 / 4 / 5", float(Fraction(1, 10))),  # (2/4)/5
    ("2 * 3 ^ 2", 18.0),         # ^ above *
    ("-3 * 2", -6.0),
    ("2 * -3", -6.0),
    ("2 - -3", 5.0),
    ("- - 3", 3.0),
    ("+-3", -3.0),
    ("+3", 3.0),
    ("((((7))))", 7.0),
    ("7 / 2", 3.5),              # numbers are floats: no integer division
    ("1 / 3", float(Fraction(1, 3))),
    ("2^0.5", math.sqrt(2)),
    ("pow(2, 10)", 1024.0),
])
def test_precedence_and_associativity(text, want):
    assert value(text) == want


def test_minus_x_squared_is_minus_of_the_square():
    # -x^2 = -(x^2): value -9 and slope -2x = -6 at x = 3; (-x)^2 would give 9 and 6.
    r = gradcli.grad("-x^2", x=3.0)
    assert r.value == -9.0 and r.gradient == {"x": -6.0}


def test_power_operators_are_the_same():
    # d/dx x^y = y x^(y-1) = 3*4 = 12; d/dy = x^y ln x = 8 ln 2 at (2, 3)
    for text in ("x^y", "x**y", "pow(x, y)"):
        r = gradcli.grad(text, x=2.0, y=3.0)
        assert r.value == 8.0
        assert r.gradient["x"] == 12.0
        assert r.gradient["y"] == pytest.approx(8 * math.log(2), rel=1e-15)


def test_right_associative_power_with_variables():
    # f = x^(y^z) at (2, 3, 2) = 2^9 = 512; df/dx = y^z x^(y^z - 1) = 9 * 2^8 = 2304
    r = gradcli.grad("x^y^z", x=2.0, y=3.0, z=2.0)
    assert r.value == 512.0
    assert r.gradient["x"] == 2304.0


def test_exponent_with_unary_minus_binds_the_whole_power():
    # 2^-x^2 = 2^(-(x^2)) = 2^-4 at x = 2; derivative -2x ln2 2^(-x^2) = -4 ln2 / 16
    r = gradcli.grad("2^-x^2", x=2.0)
    assert r.value == 0.0625
    assert r.gradient["x"] == pytest.approx(-math.log(2) / 4, rel=1e-15)


# -- numbers, names, constants ---------------------------------------------------------------

@pytest.mark.parametrize(("text", "want"), [
    ("3", 3.0), ("3.14", 3.14), (".5", 0.5), ("1e-3", 0.001), ("2.5E+4", 25000.0),
    ("1E3", 1000.0), ("2e1", 20.0), ("0.25e-2", 0.0025), ("10", 10.0),
])
def test_numbers(text, want):
    v = value(text)
    assert isinstance(v, float) and v == want


def test_numbers_are_floats_in_json(cli):
    run = cli("eval", "3", "--json")
    assert run.exit_code == 0
    assert isinstance(run.json["value"], float) and run.json["value"] == 3.0


@pytest.mark.parametrize("name", ["x", "w1", "hidden_2", "θ", "α", "_t", "Δx", "X"])
def test_names(name):
    # f = name^2 + 1: value 10 and slope 6 at 3
    r = gradcli.grad(f"{name}^2 + 1", {name: 3.0})
    assert r.value == 10.0 and r.gradient == {name: 6.0}


def test_unicode_names_together():
    # θ*α + α: ∂/∂θ = α = 3, ∂/∂α = θ + 1 = 3 at θ = 2, α = 3
    r = gradcli.grad("θ*α + α", {"θ": 2.0, "α": 3.0})
    assert r.value == 9.0 and r.gradient == {"θ": 3.0, "α": 3.0}


def test_names_are_case_sensitive():
    r = gradcli.grad("X - x", X=5.0, x=2.0)
    assert r.value == 3.0 and r.gradient == {"X": 1.0, "x": -1.0}


def test_constants():
    assert value("pi") == math.pi
    assert value("e") == math.e
    assert value("e^2") == math.e ** 2
    assert value("2*pi") == 2 * math.pi
    assert value("e-1") == math.e - 1       # the constant e minus 1, not a number
    assert value("sin(pi/2)") == 1.0


def test_constants_are_not_inputs():
    # pi*x: only x is an input; d/dx = pi
    r = gradcli.grad("pi*x + e", x=2.0)
    assert r.gradient == {"x": math.pi}
    assert gradcli.compile("pi*x + e").inputs == ["x"]


def test_names_that_only_start_like_constants_are_variables():
    r = gradcli.grad("e1 + pie + pi2", e1=1.0, pie=2.0, pi2=3.0)
    assert r.value == 6.0 and set(r.gradient) == {"e1", "pie", "pi2"}


# -- comments, statements, line breaks ------------------------------------------------------

@pytest.mark.parametrize("text", [
    "x^2 # the square",
    "# a comment first\nx^2",
    "x^2\n# a comment last",
    "a = x # name it\na^2",
    "a = x; # name it\n  a^2  # and square it",
])
def test_comments(text):
    r = gradcli.grad(text, x=3.0)
    assert r.value == 9.0 and r.gradient == {"x": 6.0}


@pytest.mark.parametrize("text", [
    "a = x*2; b = a + 1; b^2",
    "a = x*2\nb = a + 1\nb^2",
    "a = x*2\r\nb = a + 1\r\nb^2",          # Windows line ends
    "a = x*2;\nb = a + 1;\n\nb^2\n",
    ";a = x*2;; b = a + 1 ;\n;b^2;",         # extra separators are harmless
    "\n\na = x*2\n\n\nb = a + 1\nb^2\n\n",
])
def test_statements(text):
    # b = 2x + 1 = 7 at x = 3; b^2 = 49; d/dx = 2b * 2 = 28
    r = gradcli.grad(text, x=3.0)
    assert r.value == 49.0 and r.gradient == {"x": 28.0}


@pytest.mark.parametrize("text", [
    "(x +\n y)",
    "(x\n + y)",
    "max(x,\n y) + y",                       # max(3, 1) + 1
    "max(\n  x,\n  y\n) + y",
    "((x\n)\n+\n(\ny))",
    "a = (x\n + y)\na",
    "(x + # a comment inside\n y)",
])
def test_line_breaks_inside_parentheses(text):
    r = gradcli.grad(text, x=3.0, y=1.0)
    assert r.value == 4.0


def test_line_break_outside_parentheses_ends_a_statement():
    # "x\n-y" is two statements: x, then -y; the output is -y.
    r = gradcli.grad("x\n-y", x=3.0, y=1.0)
    assert r.value == -1.0 and r.gradient == {"x": 0.0, "y": -1.0}


# -- assignments ----------------------------------------------------------------------------

def test_output_is_the_last_statement():
    r = gradcli.grad("p = x + y; p * 2", x=1.0, y=2.0)
    assert r.value == 6.0 and r.gradient == {"x": 2.0, "y": 2.0}


def test_output_may_be_an_assignment():
    p = gradcli.compile("p = x + y")
    assert p.output_name == "p"
    assert p.graph.assigned == {"p": p.graph.output}
    r = p.grad({"x": 1.0, "y": 2.0})
    assert r.value == 3.0 and r.gradient == {"x": 1.0, "y": 1.0}


def test_output_assignment_is_named_in_the_human_output(cli):
    run = cli("grad", "y = x*w; L = (y - target)^2", "-x", "2", "-w", "3", "--target", "2")
    assert run.exit_code == 0
    assert "L = 16" in run.stdout
    assert "∂L/∂v" in run.stdout


def test_assignment_names_a_node():
    p = gradcli.compile("p = x + y; q = p * z; q - p")
    g = p.graph
    assert set(g.assigned) == {"p", "q"}
    assert g.names[g.assigned["p"]] == "p"
    assert g.label(g.assigned["q"]) == "q"
    assert p.inputs == ["x", "y", "z"]


def test_assigned_name_may_be_asked_for_with_wrt():
    # f = p^2 with p = x + y: ∂f/∂p = 2p = 6 at x = 1, y = 2
    r = gradcli.grad("p = x + y; p^2", {"x": 1.0, "y": 2.0}, wrt=["p", "x"])
    assert r.gradient == {"p": 6.0, "x": 6.0}


@pytest.mark.parametrize(("text", "want", "dx"), [
    ("a = x; a * a", 9.0, 6.0),              # a name for an input: one node, two uses
    ("k = 3; k * x", 9.0, 3.0),              # a name for a constant
    ("a = x*2; b = a; a + b", 12.0, 4.0),    # a second name for a named node
    ("p = x", 3.0, 1.0),                     # the output is an input under another name
    ("a = 2; b = a^2; b * x", 12.0, 4.0),
])
def test_assignment_forms(text, want, dx):
    r = gradcli.grad(text, x=3.0)
    assert r.value == want and r.gradient == {"x": dx}


def test_program_without_inputs():
    r = gradcli.grad("a = 2; b = a^3; b + 1", {})
    assert r.value == 9.0 and r.gradient == {}


def test_a_name_is_assigned_once():
    with pytest.raises(GradNameError):
        gradcli.compile("a = x; a = y; a")


def test_use_before_assignment():
    with pytest.raises(GradNameError):
        gradcli.compile("b = a * 2; a = x; b")


def test_assigning_a_constant():
    for text in ("pi = 3; pi", "e = 2; x * e"):
        with pytest.raises(GradNameError):
            gradcli.compile(text)


def test_input_used_only_in_a_dead_statement_must_be_bound_and_has_zero_gradient():
    # q = y*2 does not feed the output x^2; y is still an input (SPEC §1).
    program = gradcli.compile("q = y*2; x^2")
    assert set(program.inputs) == {"x", "y"}
    with pytest.raises(GradNameError, match="'y'"):
        program.grad({"x": 3.0})
    r = program.grad({"x": 3.0, "y": 5.0})
    assert r.value == 9.0 and r.gradient == {"y": 0.0, "x": 6.0}


def test_dead_statement_through_the_cli(cli):
    run = cli("grad", "q = y*2; x^2", "-x", "3", "-y", "5", "--json")
    assert run.exit_code == 0
    assert run.json["gradient"] == {"y": 0.0, "x": 6.0}
    missing = cli("grad", "q = y*2; x^2", "-x", "3")
    assert missing.exit_code == 2 and "'y'" in missing.stderr


# -- shared variables: the gradient sums over every use --------------------------------------

@pytest.mark.parametrize(("text", "point", "want"), [
    # x*x*x = x^3: 3x^2 = 12 at 2
    ("x*x*x", {"x": 2.0}, {"x": 12.0}),
    # x + x + x + x: 4
    ("x + x + x + x", {"x": 2.0}, {"x": 4.0}),
    # x/x is 1 for every x: slope 1/x - x/x^2 = 0
    ("x/x", {"x": 2.0}, {"x": 0.0}),
    # x - x: 0
    ("x - x", {"x": 2.0}, {"x": 0.0}),
    # u = x*y; u*u + u: df/dx = (2u + 1) y = (2*6 + 1)*3 = 39; df/dy = (2u + 1) x = 26
    ("u = x*y; u*u + u", {"x": 2.0, "y": 3.0}, {"x": 39.0, "y": 26.0}),
    # (x+y)*z headline (SPEC §3 / the issue): -3, -3, 4
    ("(x+y)*z", {"x": 1.0, "y": 3.0, "z": -3.0}, {"x": -3.0, "y": -3.0, "z": 4.0}),
    # y = x*w; L = (y - target)^2: L = 16; ∂L/∂w = 2(y - t)x = 16, ∂L/∂x = 2(y - t)w = 24, ∂/∂t = -8
    ("y = x*w; L = (y - target)^2", {"x": 2.0, "w": 3.0, "target": 2.0},
     {"x": 24.0, "w": 16.0, "target": -8.0}),
    # max(x, x*x) at x = 3: 9, slope 2x = 6 (the x branch loses)
    ("max(x, x*x)", {"x": 3.0}, {"x": 6.0}),
])
def test_shared_uses_sum_their_gradients(text, point, want):
    assert gradcli.grad(text, point).gradient == want


def test_sin_cos_product_shares_x():
    # d/dx sin(x)cos(x) = cos^2 x - sin^2 x = cos 2x
    x = 0.3
    r = gradcli.grad("sin(x)*cos(x)", x=x)
    assert r.gradient["x"] == pytest.approx(math.cos(2 * x), rel=1e-14)


def test_repeated_runs_start_from_zero_gradients():
    program = gradcli.compile("u = x*x; u + u")
    first = program.grad({"x": 3.0}).gradient
    second = program.grad({"x": 3.0}).gradient
    assert first == second == {"x": 12.0}   # d/dx 2x^2 = 4x


def test_inputs_in_order_of_first_use(cli):
    # SPEC is silent on the order; gradcli lists inputs in order of first use.
    run = cli("grad", "z*y + x", "-x", "1", "-y", "2", "-z", "3", "--json")
    assert list(run.json["inputs"]) == ["z", "y", "x"]
    assert list(run.json["gradient"]) == ["z", "y", "x"]


def test_human_output_shows_the_value_and_a_table_of_gradients(cli):
    # The first example: the value -12, then x → -3, y → -3, z → 4.
    run = cli("grad", "(x+y)*z", "-x", "1", "-y", "3", "-z", "-3")
    assert run.exit_code == 0 and run.stderr == ""
    rows = [line.split() for line in run.stdout.splitlines()]
    assert any("-12" in row for row in rows[:1])
    assert ["x", "1", "-3"] in rows and ["y", "3", "-3"] in rows and ["z", "-3", "4"] in rows


def test_human_output_of_eval_is_the_value(cli):
    run = cli("eval", "x^3", "-x", "2")
    assert run.exit_code == 0
    assert float(run.stdout.strip()) == 8.0
