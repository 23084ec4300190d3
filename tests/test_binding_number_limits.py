"""Numbers a binding cannot take are refused at once and never silently changed (README, Limits)."""

from __future__ import annotations

import json

import pytest


@pytest.mark.parametrize("text", ["1e-3000", "-2.5e-400", "0.0000001e-330"])
def test_a_number_below_the_smallest_double_is_a_value_error(cli, text):
    r = cli("eval", "x", "-x", text, "--json")
    assert r.exit_code == 2
    err = json.loads(r.stdout)["error"]
    assert err["kind"] == "value" and "too small for a double" in err["message"]


@pytest.mark.parametrize("text, value", [("0e-3000", 0.0), ("5e-324", 5e-324), ("-0.000", -0.0),
                                          ("2.2250738585072014e-308", 2.2250738585072014e-308)])
def test_zero_and_the_smallest_doubles_still_bind(cli, text, value):
    r = cli("eval", "x", "-x", text, "--json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["value"] == value


def test_a_long_malformed_number_is_refused_at_once(cli):
    # 50,000 digits then a letter: the number pattern once backtracked quadratically (minutes)
    r = cli("eval", "x", "-x", "9" * 50_000 + "z", "--json")
    assert r.exit_code == 2
    err = json.loads(r.stdout)["error"]
    assert err["kind"] == "value" and len(err["message"]) < 1000
