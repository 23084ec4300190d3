"""Math errors (exit 3) name their one cause and the values that caused it."""

from __future__ import annotations

from conftest import assert_clean_error


def test_math_error_shows_a_constant_input_by_its_value(cli):
    r = cli("eval", "3/(x-1)", "-x", "1")
    assert_clean_error(r, 3, "(it got the numerator = 3 and the denominator x-1 = 0")


def test_a_power_error_names_its_one_cause(cli):
    assert_clean_error(cli("eval", "x^2", "-x", "1e200"), 3, "the result overflows a double")
    assert_clean_error(cli("eval", "x^0.5", "-x", "-2"), 3, "not real")
    assert_clean_error(cli("eval", "x^-1", "-x", "0"), 3, "0 to a negative power",
                       "(it got the base x = 0 and the exponent = -1,")
    assert_clean_error(cli("eval", "1/x", "-x", "0"), 3, "division by zero")


def test_exact_result_too_large_is_a_math_error_not_a_crash(cli):
    r = cli("grad", "x^1200", "-x", "1.0001", "--exact", "--json")
    assert_clean_error(r, 3, "too large")
    assert r.json["error"]["kind"] == "math"
