"""A gradient of 0 because a local rule underflowed is vanishing, as one of a product that
underflowed is (README: "vanishing: … or 0 only because a product underflowed"). QA found
b^c in a/b^c at a = b = 1e154 unmarked: the rule -a/(b^c)^2 is about -2.3e-410 exactly,
below the smallest double, so the float rule gives 0 and so does the gradient.
"""

from __future__ import annotations

import mpmath

from gradcli.program.trace import trace


def marks(text, **point) -> dict[str, bool]:
    return {n.label: n.vanishing for n in trace(text, point).nodes}


def test_a_rule_that_underflows_marks_the_zero_gradient():
    mpmath.mp.dps = 30
    a, b, c = mpmath.mpf(1e154), mpmath.mpf(1e154), mpmath.mpf(1.83)
    assert 0 < abs(-a / (b ** c) ** 2) < mpmath.mpf(5e-324)   # not a double: the float rule is 0
    assert marks("a/b^c", a=1e154, b=1e154, c=1.83)["b^c"] is True


def test_a_saturated_tanh_is_vanishing():
    assert 0 < mpmath.sech(1000) ** 2 < 1e-300
    assert marks("tanh(x)", x=1000)["x"] is True


def test_true_zeros_are_not_marked():
    assert marks("relu(x)*y", x=-1, y=2) == {"x": False, "relu(x)": False, "y": False,
                                               "relu(x)*y": False}
    assert marks("max(x, y)*z", x=-1, y=0, z=2)["x"] is False
