"""A binding that a double cannot hold is refused, never silently taken as 0 (README, Limits)."""

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
