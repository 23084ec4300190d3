"""classify(h, tol) from Python refuses a negative, nan or infinite tolerance, as
`hessian --tol` does, instead of calling a critical point "not critical"."""

import math

import pytest

import gradcli
from gradcli.errors import GradValueError
from gradcli.symbolic.curvature import classify


@pytest.mark.parametrize("tol", [-1, -1e-12, math.nan, math.inf, "1e-8", True])
def test_bad_tolerance(tol):
    # x³ + y³ − 3xy at (0, 0): ∇f = (3x² − 3y, 3y² − 3x) = (0, 0) by hand, a critical point.
    h = gradcli.hessian("x^3 + y^3 - 3*x*y", x=0, y=0, gradient=True)
    with pytest.raises(GradValueError, match="tol must be a finite number at least 0"):
        classify(h, tol=tol)


def test_good_tolerances():
    h = gradcli.hessian("x^3 + y^3 - 3*x*y", x=0, y=0, gradient=True)
    assert classify(h, tol=0).critical and classify(h).critical
    # At (1e-5, 0) the gradient is (3e-10, -3e-5): critical within 1e-4, not within 1e-8.
    h = gradcli.hessian("x^3 + y^3 - 3*x*y", x=1e-5, y=0, gradient=True)
    assert classify(h, tol=1e-4).critical and not classify(h).critical
