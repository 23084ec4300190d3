"""A math error names the operands of / and ^ by role (issue 9, item 10)."""

from conftest import assert_clean_error, run_cli


def test_a_power_says_which_value_is_the_exponent():
    r = run_cli("grad", "x^0.5", "-x", "0")
    assert_clean_error(r, 3, "where the base x = 0 and the exponent = 0.5")
    r = run_cli("eval", "x^y", "-x", "-1", "-y", "0.5")
    assert_clean_error(r, 3, "the base x = -1 and the exponent y = 0.5")


def test_a_division_names_numerator_and_denominator():
    r = run_cli("eval", "x/y", "-x", "1", "-y", "0")
    assert_clean_error(r, 3, "the numerator x = 1 and the denominator y = 0")


def test_other_operations_keep_the_plain_list():
    r = run_cli("eval", "log(x - y)", "-x", "1", "-y", "1")
    assert_clean_error(r, 3, "it got x - y = 0")
