"""Exact answers beyond the largest double (`--exact`): never an internal error.

QA found `hessian "sqrt(x)" -x 1e-308 --exact` and `hessian "1/x" -x 1e-160 --exact`
exiting 70 (OverflowError: float() of a fraction past 1.8e308). An exact answer
is a fraction and is printed as one, however large, as `grad --exact` prints
-1/x^2 at 1e-200; only what needs a double of it says that it has none, as a
math error (exit 3) naming the entry: `--json` (its plain numbers are
doubles) and `--classify`/`--newton` (which run on the floats).

Every expected fraction here is worked out by hand with Python's Fraction from
the calculus (d²/dx² x^(1/2) = -1/4·x^(-3/2), d²/dx² x^-1 = 2/x^3, …), never by
gradcli.
"""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction

import pytest

from conftest import assert_clean_error
from gradcli.errors import GradMathError
from gradcli.symbolic.curvature import classify
from gradcli.symbolic.exact import exact_grad
from gradcli.symbolic.hessian import hessian

BEYOND = "beyond the largest double"


def dec(exponent: int) -> Fraction:
    """10^exponent, exactly: what `-x 1e-308` means in exact mode."""
    return Fraction(10) ** exponent


def shown(run, v: Fraction) -> bool:
    """Whether the human output holds the fraction v whole (its lines are wrapped)."""
    squashed = "".join(run.stdout.split())
    return re.search(rf"(?<![\d/]){re.escape(str(v))}(?![\d/])", squashed) is not None


def sqrt_second(x: Fraction, root: Fraction) -> Fraction:
    """d²/dx² x^(1/2) = -1/4 · x^(-3/2), with root = x^(1/2) given by hand."""
    assert root > 0 and root * root == x
    return Fraction(-1, 4) / (x * root)


# (program, x, its exact square root): sqrt and the powers 1/2 are one function
SQRT_CASES = [(p, v, root) for p in ("sqrt(x)", "x^0.5", "pow(x, 0.5)")
              for v, root in (("1e-308", dec(-154)), ("1e-300", dec(-150)), ("1e-320", dec(-160)))]


@pytest.mark.parametrize("program, value, root", SQRT_CASES)
def test_sqrt_second_derivative_past_the_doubles_is_printed_exactly(cli, program, value, root):
    x = Fraction(value)
    expected = sqrt_second(x, root)
    assert abs(expected) > Fraction(1.7976931348623157e308)          # the case QA found
    run = cli("hessian", program, "-x", value, "--exact")
    assert run.exit_code == 0, (run.exit_code, run.stderr)
    assert run.stderr == ""
    assert shown(run, expected), run.stdout
    assert shown(run, root)                                          # the value, sqrt(x)
    h = hessian(program, x=value, exact=True)
    assert h.exact["matrix"] == {"x": {"x": expected}}
    assert h.exact["value"] == root
    assert h.matrix == {"x": {"x": -math.inf}}                       # its float, which no double holds


@pytest.mark.parametrize("program, value, root", SQRT_CASES)
def test_sqrt_second_derivative_past_the_doubles_in_json_is_a_math_error(cli, program, value, root):
    expected = sqrt_second(Fraction(value), root)
    run = cli("hessian", program, "-x", value, "--exact", "--json")
    assert_clean_error(run, 3, "math error", "exact mode", "the second derivative ∂²/∂x²", BEYOND,
                       "JSON", "without --json")
    err = run.json["error"]
    assert err["kind"] == "math"
    digits = len(str(-expected.numerator // expected.denominator))   # -1/4·10^462: 2.5e+461
    assert f"-2.5e+{digits - 1}" in err["message"]


def test_reciprocal_second_derivative_is_2_over_x_cubed(cli):
    x = dec(-160)
    expected = 2 / x ** 3                                            # d²/dx² x^-1 = 2·x^-3
    assert expected == 2 * dec(480)
    run = cli("hessian", "1/x", "-x", "1e-160", "--exact")
    assert run.exit_code == 0, (run.exit_code, run.stderr)
    assert shown(run, expected) and shown(run, 1 / x)
    assert hessian("1/x", x="1e-160", exact=True).exact["matrix"]["x"]["x"] == expected
    as_json = cli("hessian", "1/x", "-x", "1e-160", "--exact", "--json")
    assert_clean_error(as_json, 3, "the second derivative ∂²/∂x² is 2e+480", BEYOND)
    assert as_json.json["error"]["kind"] == "math"


def test_negative_side_and_wider_programs(cli):
    run = cli("hessian", "1/x", "-x", "-1e-160", "--exact", "--json")
    assert_clean_error(run, 3, "∂²/∂x² is -2e+480", BEYOND)
    # x^(1/2)·y^-2 at x = 1e-300, y = 1: f_xx = -1/4 x^(-3/2) y^-2, f_xy = -x^(-1/2) y^-3,
    # f_yy = 6 x^(1/2) y^-4
    x, root, y = dec(-300), dec(-150), Fraction(1)
    fxx, fxy, fyy = Fraction(-1, 4) / (x * root) / y ** 2, -1 / root / y ** 3, 6 * root / y ** 4
    run = cli("hessian", "x^0.5*y^-2", "-x", "1e-300", "-y", "1", "--exact")
    assert run.exit_code == 0, run.stderr
    assert all(shown(run, v) for v in (fxx, fxy, fyy))
    h = hessian("x^0.5*y^-2", x="1e-300", y=1, exact=True)
    assert h.exact["matrix"] == {"x": {"x": fxx, "y": fxy}, "y": {"x": fxy, "y": fyy}}
    assert h.matrix["x"]["y"] == float(fxy) and h.matrix["y"]["y"] == float(fyy)
    as_json = cli("hessian", "x^0.5*y^-2", "-x", "1e-300", "-y", "1", "--exact", "--json")
    assert_clean_error(as_json, 3, "∂²/∂x² is -2.5e+449", BEYOND)
    # --wrt y leaves out the entry that does not fit: plain JSON numbers, exact strings beside them
    wrt_y = cli("hessian", "x^0.5*y^-2", "-x", "1e-300", "-y", "1", "--exact", "--wrt", "y", "--json")
    assert wrt_y.exit_code == 0, wrt_y.stderr
    assert wrt_y.json["hessian"] == {"y": {"y": float(fyy)}}
    assert Fraction(wrt_y.json["exact"]["hessian"]["y"]["y"]) == fyy


def test_grad_exact_json_of_a_huge_gradient_is_a_math_error(cli):
    # grad --exact already printed -1/x^2 at 1e-200 as a fraction; its JSON exited 70
    x = dec(-200)
    human = cli("grad", "1/x", "-x", "1e-200", "--exact")
    assert human.exit_code == 0 and shown(human, -1 / x ** 2) and shown(human, 1 / x)
    for value, exponent in (("1e-200", 400), ("1e-160", 320), ("1e-300", 600), ("1e-308", 616)):
        run = cli("grad", "1/x", "-x", value, "--exact", "--json")
        assert_clean_error(run, 3, f"the derivative ∂/∂x is -1e+{exponent}", BEYOND, "without --json")
        assert run.json["error"]["kind"] == "math"
    with pytest.raises(GradMathError, match=BEYOND):
        exact_grad("1/x", x="1e-200").to_json()
    assert exact_grad("1/x", x="1e-200").gradient == {"x": -1 / x ** 2}


def test_a_value_just_past_the_largest_double(cli):
    # the float pass rounds x·y to the largest double; the exact product is past it
    x, y = Fraction("1.7976931348623157e308"), Fraction("1.0000000000000001")
    assert x * y > Fraction(1.7976931348623157e308)
    args = ("x*y", "-x", "1.7976931348623157e308", "-y", "1.0000000000000001", "--exact")
    for command in ("grad", "hessian"):
        run = cli(command, *args)
        assert run.exit_code == 0, (command, run.stderr)
        assert shown(run, x * y)
        as_json = cli(command, *args, "--json")
        # six digits would say 1.79769e+308 for both: the message shows 20, enough to tell
        # them apart (x·y = 1.7976931348623157e308 + 1.7976931348623157e292
        #             = 1.79769313486231587976931…e308)
        assert_clean_error(as_json, 3, "the value is 1.7976931348623158798e+308",
                           "beyond the largest double (1.7976931348623157e+308)")


@pytest.mark.parametrize("option", ["--classify", "--newton"])
def test_classify_and_newton_need_floats(cli, option):
    # sqrt at 1e-308: the gradient 1/2·x^(-1/2) = 5e153 fits, the second derivative does not
    run = cli("hessian", "sqrt(x)", "-x", "1e-308", "--exact", option)
    assert_clean_error(run, 3, "the second derivative ∂²/∂x² is -2.5e+461", BEYOND,
                       "--classify and --newton work on the floats")
    # 1/x at 1e-160: already the gradient, -1/x^2 = -1e320, has no float
    run = cli("hessian", "1/x", "-x", "1e-160", "--exact", option, "--json")
    assert_clean_error(run, 3, "the derivative ∂/∂x is -1e+320", BEYOND)
    assert run.json["error"]["kind"] == "math"
    with pytest.raises(GradMathError, match="∂²/∂x²"):
        classify(hessian("sqrt(x)", x="1e-308", exact=True, gradient=True))
    # tiny exact entries are fine: x^2 + y^2 at a subnormal y
    ok = cli("hessian", "x^2 + y^2", "-x", "1e-160", "-y", "1e-320", "--exact", option, "--json")
    assert ok.exit_code == 0, ok.stderr


# The brief's sweep: every command with --exact, every program, every hard value, JSON or not.
SWEEP_PROGRAMS = ["sqrt(x)", "1/x", "x^-3", "exp(x)", "log(x)", "x^0.5", "pow(x, 0.5)", "x^0.5*y^-2"]
SWEEP_VALUES = ["1e-308", "1e-320", "1e308", "5e-324", "1e-300", "1e-160"]


@pytest.mark.parametrize("command", ["grad", "hessian"])
@pytest.mark.parametrize("program", SWEEP_PROGRAMS)
def test_sweep_gives_a_value_or_a_documented_error(cli, command, program):
    for value in SWEEP_VALUES:
        ys = ["-y", value] if "y" in program else []
        for extra in ([], ["--json"]):
            run = cli(command, program, "-x", value, *ys, "--exact", *extra)
            where = (command, program, value, extra, run.stderr)
            assert run.exit_code in (0, 2, 3), where
            assert "bug in gradcli" not in run.stderr and "Traceback" not in run.stderr, where
            if extra:
                obj = json.loads(run.stdout)
                if run.exit_code:
                    kind = obj["error"]["kind"]
                    assert kind == ("math" if run.exit_code == 3 else "value"), where
                else:
                    assert "exact" in obj, where


@pytest.mark.parametrize("program, value, kind, fragment", [
    ("exp(x)", "1e-308", "value", "'exp(x)' is not a rational number"),
    ("log(x)", "1e-320", "value", "'log(x)' is not a rational number"),
    ("exp(x)", "1e308", "math", "exp overflows a double"),
    ("sqrt(x)", "5e-324", "value", "'sqrt(x)' is not a rational number"),     # 5e-324 is 1/(2·10^323)
    ("x^-3", "1e-160", "math", "'x^-3' cannot be computed"),                 # as without --exact
])
def test_documented_refusals(cli, program, value, kind, fragment):
    for command in ("grad", "hessian"):
        run = cli(command, program, "-x", value, "--exact")
        assert_clean_error(run, 3 if kind == "math" else 2, fragment)
        assert cli(command, program, "-x", value, "--exact", "--json").json["error"]["kind"] == kind
