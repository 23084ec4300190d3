"""A local derivative that overflows does not hide a finite gradient."""

from __future__ import annotations

from conftest import assert_clean_error


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
