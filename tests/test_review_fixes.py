"""Bad inputs found in review, each with its documented message and exit code."""

from __future__ import annotations

import subprocess
import sys

from conftest import assert_clean_error


def test_missing_variable_named_like_an_option_gets_a_hint_that_works(cli):
    r = cli("eval", "json+1")
    assert_clean_error(r, 2, "json=1")
    assert "--json 1" not in r.stderr
    assert cli("eval", "json+1", "json=2", "--json").json["value"] == 3


def test_trailing_comma_is_not_called_an_unmatched_parenthesis(cli):
    r = cli("eval", "sin(x,)", "-x", "1")
    assert_clean_error(r, 2, "must be followed by another argument", "^")
    assert "no '('" not in r.stderr


def test_wrong_number_of_arguments_shows_the_program_and_a_caret(cli):
    r = cli("eval", "2 + max(x)", "-x", "1")
    assert_clean_error(r, 2, "max() takes 2 arguments, but 1 was given", "  2 + max(x)\n      ^")


def test_unknown_function_suggestion_ignores_case(cli):
    assert_clean_error(cli("eval", "ReLU(x)", "-x", "1"), 2, "did you mean 'relu'?")
    assert_clean_error(cli("eval", "SIN(x)", "-x", "1"), 2, "did you mean 'sin'?")


def test_unexpected_character_says_what_was_expected(cli):
    r = cli("eval", "x + $", "-x", "1")
    assert_clean_error(r, 2, "unexpected character '$'", "expected a number, a name, '(' or an operator")


def test_a_binding_value_is_one_constant_expression(cli):
    for value in ("1;2", "p = 2; p"):
        r = cli("eval", "x", "-x", value, "--json")
        assert_clean_error(r, 2, "not one constant expression")
        assert r.json["error"]["kind"] == "value"


def test_math_error_shows_a_constant_input_by_its_value(cli):
    r = cli("eval", "3/(x-1)", "-x", "1")
    assert_clean_error(r, 3, "(it got the numerator = 3 and the denominator x-1 = 0")


def test_exact_result_too_large_is_a_math_error_not_a_crash(cli):
    r = cli("grad", "x^1200", "-x", "1.0001", "--exact", "--json")
    assert_clean_error(r, 3, "too large")
    assert r.json["error"]["kind"] == "math"


def test_symbolic_formula_with_a_huge_coefficient_prints(cli, tmp_path):
    program = tmp_path / "p.txt"
    program.write_text("x" + "*1.0001" * 1200)
    r = cli("grad", f"@{program}", "--symbolic")
    assert r.exit_code == 0, r.stderr
    # d/dx of x * 1.0001^1200 is 1.0001^1200, about 1.127497
    value = cli("eval", r.stdout.split("=", 1)[1].strip()).stdout
    assert abs(float(value) - 1.0001 ** 1200) < 1e-9


def test_training_data_rejects_what_float_alone_would_take(cli, tmp_path):
    for cell in ("1_0", "\uff11"):
        data = tmp_path / "d.csv"
        data.write_text(f"x,y\n1,2\n{cell},3\n", encoding="utf-8")
        r = cli("train", "(w*x - y)^2", "--data", str(data), "--param", "w=0", "--steps", "1")
        assert_clean_error(r, 2, "is not a number", "column 'x'")


def test_train_json_never_imports_rich():
    probe = ("import sys\nfrom gradcli.cli import main\n"
             "try:\n    main(['train', '(w-3)^2', '--param', 'w=0', '--steps', '2', '--json'])\n"
             "except SystemExit:\n    pass\n"
             "print('rich' in sys.modules, 'numpy' in sys.modules, file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert run.stderr.strip().splitlines()[-1] == "False False", run.stderr


def test_a_power_error_names_its_one_cause(cli):
    assert_clean_error(cli("eval", "x^2", "-x", "1e200"), 3, "the result overflows a double")
    assert_clean_error(cli("eval", "x^0.5", "-x", "-2"), 3, "not real")
    assert_clean_error(cli("eval", "x^-1", "-x", "0"), 3, "0 to a negative power",
                       "(it got the base x = 0 and the exponent = -1,")
    assert_clean_error(cli("eval", "1/x", "-x", "0"), 3, "division by zero")


def test_bare_at_sign_is_a_usage_error(cli):
    r = cli("eval", "@", "--json")
    assert_clean_error(r, 2, "needs a file name")
    assert r.json["error"]["kind"] == "usage"


def test_expression_keeps_the_file_text_exactly(cli, tmp_path):
    program = tmp_path / "crlf.txt"
    program.write_bytes(b"p = x + 1\r\np * 2\r\n")
    r = cli("eval", f"@{program}", "-x", "1", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json["expression"] == "p = x + 1\r\np * 2\r\n" and r.json["value"] == 4


def test_an_overflowing_local_derivative_does_not_hide_a_finite_gradient(cli):
    # d/dx [x * (1/x)] = 1/x - x/x^2 = 0 exactly, though ∂(1/x)/∂x = -1e320 overflows.
    r = cli("grad", "x*(1/x)", "-x", "1e-160", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json["gradient"]["x"] == 0
    # d/dx [x log x] = log x + 1, though ∂log(x)/∂x = 1e320 overflows.
    import math

    r = cli("grad", "x*log(x)", "-x", "1e-320", "--json")
    assert r.exit_code == 0, r.stderr
    assert abs(r.json["gradient"]["x"] - (math.log(1e-320) + 1)) <= 1e-12 * 736
    # A truly infinite gradient is still a math error.
    assert_clean_error(cli("grad", "sqrt(x)", "-x", "0"), 3, "not finite")
