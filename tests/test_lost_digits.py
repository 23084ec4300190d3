"""Gradients that lie by being 0 (issue 9, item 12): cancellation and underflow.

The fast backward pass notices a sum at a shared node that cancels and a
gradient that is 0 or subnormal; then the gradients are redone in rationals
(passes.backward_careful). What still cannot be trusted is a warning on
stderr and in JSON's "warnings". Oracles: hand derivations, evaluated with
mpmath at 50 digits.
"""

from __future__ import annotations

import json

import mpmath
import pytest

import gradcli
from conftest import run_cli

mpmath.mp.dps = 50


def rel(a, b) -> float:
    return float(abs(mpmath.mpf(a) - b) / abs(b))


def test_a_sum_that_cancels_at_a_shared_node_is_redone_exactly():
    # d/dx (x + x/x) = 1 + 1/x - x/x^2 = 1 for every x != 0; doubles made it 1 + 1e17 - 1e17 = 0.
    r = gradcli.grad("x + x/x", x=1e-17)
    assert r.gradient["x"] == 1.0
    assert r.warnings == []


def test_the_cancelling_example_of_the_random_tests():
    # u = z + cosh(2w); exp(u - z) + u: d/dz = exp(u - z)*(1 - 1) + 1 = 1 exactly.
    r = gradcli.grad("u = z + cosh(2*w); exp(u - z) + u", z=0.5, w=-2.2)
    assert r.gradient["z"] == 1.0


def test_a_gradient_that_underflowed_on_the_way_is_recovered():
    a, b, c = mpmath.mpf(1e154), mpmath.mpf(1e154), mpmath.mpf(1.83)
    truth = {"a": b ** -c, "b": -a * c * b ** (-c - 1), "c": -a * b ** -c * mpmath.log(b)}
    r = gradcli.grad("a/b^c", a=1e154, b=1e154, c=1.83)
    for name, t in truth.items():
        assert rel(r.gradient[name], t) < 1e-12, (name, r.gradient[name], t)
    assert abs(truth["b"]) > 1e-300          # ordinary doubles, as the issue says
    assert r.warnings == []


def test_an_underflow_that_cannot_be_redone_exactly_is_a_warning():
    # sech(400)^2 underflows inside tanh's rule; times 1e300 the truth is about 1.6e-47.
    truth = 1e300 * mpmath.sech(400) ** 2
    r = gradcli.grad("1e300*tanh(x)", x=400)
    assert len(r.warnings) == 1 and "'x'" in r.warnings[0]
    run = run_cli("grad", "1e300*tanh(x)", "-x", "400", "--json")
    assert run.exit_code == 0
    out = json.loads(run.stdout)
    assert out["warnings"] == r.warnings
    assert "warning" in run.stderr and "'x'" in run.stderr
    bound = float(r.warnings[0].split("up to ")[1].split(":")[0])
    assert abs(r.gradient["x"] - truth) <= bound    # the bound it states holds


def test_the_human_table_warns_on_stderr():
    run = run_cli("grad", "1e300*tanh(x)", "-x", "400")
    assert run.exit_code == 0
    assert "gradcli: warning:" in run.stderr


@pytest.mark.parametrize("text, point", [
    ("tanh(x)", {"x": 1000}),                   # the truth, 4e-869, is no double: 0 is right
    ("relu(x)*y", {"x": -1, "y": 2}),          # a dead relu: an exact 0
    ("x*y - y*x", {"x": 0.3, "y": 0.7}),       # cancels exactly
    ("sin(x)*y - y*sin(x)", {"x": 0.3, "y": 0.7}),  # the same rounding twice cancels too
    ("x*y", {"x": 1e-310, "y": 1}),            # a subnormal gradient that is exact
    ("x*(1/x)", {"x": 1e-160}),                # an overflowing local derivative, exact product
])
def test_exact_zeros_and_tiny_exact_gradients_are_not_flagged(text, point):
    r = gradcli.grad(text, point)
    assert r.warnings == []
    run = run_cli("grad", text, *[a for n, v in point.items() for a in (f"{n}={v}",)], "--json")
    assert "warnings" not in json.loads(run.stdout) and run.stderr == ""


def test_no_false_flag_on_the_random_programs():
    from test_random_expressions import PROGRAMS

    flagged = [p.text for p in PROGRAMS if gradcli.grad(p.text, p.point).warnings]
    assert flagged == []
