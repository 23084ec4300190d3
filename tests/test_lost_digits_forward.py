"""Forward mode's tangents lie by being 0 as gradients do (issue 9, item 12; QA found
`grad "a/b^c" --mode forward` printing silent zeros). A pass whose sums cancel or whose
products underflow is redone exactly, so forward mode prints what reverse mode prints,
warnings included. Oracles: hand derivations evaluated with mpmath at 50 digits.
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


def test_an_underflowing_tangent_is_recovered():
    # ∂/∂b (a/b^c) = -a·c·b^(-c-1), ∂/∂c = -a·b^-c·ln b: ordinary doubles at a = b = 1e154.
    a, b, c = mpmath.mpf(1e154), mpmath.mpf(1e154), mpmath.mpf(1.83)
    truth = {"a": b ** -c, "b": -a * c * b ** (-c - 1), "c": -a * b ** -c * mpmath.log(b)}
    r = gradcli.grad("a/b^c", a=1e154, b=1e154, c=1.83, mode="forward")
    for name, t in truth.items():
        assert rel(r.gradient[name], t) < 1e-12, (name, r.gradient[name], t)
    assert r.warnings == []


def test_the_command_and_its_json_agree_with_reverse_mode():
    args = ["a/b^c", "-a", "1e154", "-b", "1e154", "-c", "1.83"]
    for extra in ([], ["--json"]):
        fwd = run_cli("grad", *args, "--mode", "forward", *extra)
        rev = run_cli("grad", *args, *extra)
        assert fwd.exit_code == rev.exit_code == 0
        assert fwd.stderr == rev.stderr == ""
        if extra:
            assert json.loads(fwd.stdout)["gradient"] == json.loads(rev.stdout)["gradient"]
        else:  # the tables differ only in their last line (the mode and its products)
            assert fwd.stdout.splitlines()[:-1] == rev.stdout.splitlines()[:-1]
            assert "-2.76981708464e-282" in fwd.stdout


def test_trace_json_gradient_in_forward_mode_is_recovered():
    run = run_cli("trace", "a/b^c", "-a", "1e154", "-b", "1e154", "-c", "1.83", "--mode", "forward",
                  "--json")
    assert run.exit_code == 0
    grad = json.loads(run.stdout)["gradient"]
    b = mpmath.mpf(1e154)
    assert rel(grad["b"], -b * mpmath.mpf(1.83) * b ** (-mpmath.mpf(1.83) - 1)) < 1e-12
    assert grad["c"] != 0


@pytest.mark.parametrize("text, point, truth", [
    ("x + x/x", {"x": 1e-17}, {"x": 1}),                      # 1 + 1/x - x/x^2 = 1
    ("u = z + cosh(2*w); exp(u - z) + u", {"z": 0.5, "w": -2.2}, {"z": 1}),
])
def test_cancelling_sums_give_the_exact_gradient(text, point, truth):
    r = gradcli.grad(text, point, mode="forward", wrt=list(truth))
    assert r.gradient == truth and r.warnings == []


def test_an_underflow_that_cannot_be_redone_exactly_is_a_warning_in_forward_mode_too():
    truth = 1e300 * mpmath.sech(400) ** 2       # about 1.6e-47; doubles give 0
    r = gradcli.grad("1e300*tanh(x)", x=400, mode="forward")
    assert len(r.warnings) == 1 and "'x'" in r.warnings[0]
    bound = float(r.warnings[0].split("up to ")[1].split(":")[0])
    assert abs(r.gradient["x"] - truth) <= bound
    run = run_cli("grad", "1e300*tanh(x)", "-x", "400", "--mode", "forward", "--json")
    assert json.loads(run.stdout)["warnings"] == r.warnings and "gradcli: warning:" in run.stderr


@pytest.mark.parametrize("text, point", [
    ("tanh(x)", {"x": 1000}),
    ("relu(x)*y", {"x": -1, "y": 2}),
    ("x*y - y*x", {"x": 0.3, "y": 0.7}),
    ("sin(x)*y - y*sin(x)", {"x": 0.3, "y": 0.7}),
    ("x*y", {"x": 1e-310, "y": 1}),
])  # x*(1/x) at 1e-160: an infinite tangent, a math error in forward mode (README)
def test_exact_zeros_and_tiny_exact_gradients_are_not_flagged(text, point):
    assert gradcli.grad(text, point, mode="forward").warnings == []


def test_forward_equals_reverse_on_the_random_programs():
    from test_random_expressions import PROGRAMS

    for p in PROGRAMS:
        fwd = gradcli.grad(p.text, p.point, mode="forward")
        rev = gradcli.grad(p.text, p.point)
        assert fwd.warnings == rev.warnings == [], p.text
        for name, v in rev.gradient.items():
            assert fwd.gradient[name] == pytest.approx(v, rel=1e-9, abs=1e-300), (p.text, name)
