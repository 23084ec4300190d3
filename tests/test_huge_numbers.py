"""Numbers past Python's 4,300-digit limit on int/str conversion (issue 9, item 11).

Exact mode keeps a binding as a fraction; one too long for the exact kernels'
limit is a value error that states the limit, never an internal error.
"""

import json

import pytest

from conftest import run_cli

THIRD_4400 = "0." + "3" * 4400
THIRD_5000 = "0." + "3" * 5000


@pytest.mark.parametrize("args", [
    ("grad", "x", "-x", "1e-100000", "--exact", "--json"),
    ("hessian", "x^2", "-x", THIRD_4400, "--exact", "--json"),
    ("grad", "x", "-x", THIRD_5000, "--exact", "--json"),
    ("grad", "x", "--exact", "--json", "x=1e-99999999999999"),
])
def test_exact_mode_refuses_a_number_past_its_limit(args):
    r = run_cli(*args)
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    err = json.loads(r.stdout)["error"]
    assert r.exit_code == 2 and err["kind"] == "value"
    assert "12,000 bits" in err["message"]


def test_a_long_number_within_the_limit_stays_exact():
    digits = "0." + "3" * 1500   # x^2 then has 3,000 digits, within the limit
    r = run_cli("grad", "x^2", "-x", digits, "--exact", "--json")
    assert r.exit_code == 0, r.stderr
    got = json.loads(r.stdout)["exact"]["gradient"]["x"]
    from fractions import Fraction
    assert Fraction(got) == 2 * Fraction(digits)   # d/dx x^2 = 2x, every digit kept


@pytest.mark.parametrize("command", ["eval", "grad", "hessian", "trace"])
def test_float_commands_take_a_5000_digit_binding(command):
    r = run_cli(command, "x^2", "-x", THIRD_5000, "--json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["inputs"]["x"] == 1 / 3
