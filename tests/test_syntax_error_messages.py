"""Syntax errors name what went wrong and where, with a caret."""

from __future__ import annotations

from conftest import assert_clean_error


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
