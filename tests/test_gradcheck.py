"""`grad --check` and gradcli.homework.gradcheck: analytic gradients beside central differences.

The analytic column is compared with SymPy's exact derivative, the numeric one
with the same derivative within the error a central difference makes; a wrong
derivative, injected through the Python API or by patching a rule, must fail
the check with exit 1.
"""

from __future__ import annotations

import math

import pytest
import sympy as sp
from conftest import assert_clean_error, run_cli

from gradcli.passes import floats as passes
from gradcli.errors import CheckFailed
from gradcli.homework.gradcheck import check_gradient
from gradcli.ops.table import FUNCTIONS

x, y = sp.symbols("x y", real=True)


def sympy_grad(expr, point):
    subs = {x: sp.Rational(point["x"]), y: sp.Rational(point["y"])}
    return {n: float(sp.N(sp.diff(expr, s).subs(subs), 30)) for n, s in (("x", x), ("y", y))}


@pytest.mark.parametrize("text,expr,point", [
    ("x^3 * sin(y)", x**3 * sp.sin(y), {"x": 1.5, "y": 0.3}),
    ("q = x*y; f = exp(q) / (1 + y^2)", sp.exp(x * y) / (1 + y**2), {"x": 0.7, "y": -1.2}),
    ("sigmoid(x) * tanh(y) + log(x)", 1 / (1 + sp.exp(-x)) * sp.tanh(y) + sp.log(x), {"x": 2.0, "y": 0.5}),
])
def test_correct_gradients_pass(text, expr, point):
    args = [f"{k}={v}" for k, v in point.items()]
    run = run_cli("grad", text, *args, "--check", "--json")
    assert run.exit_code == 0, run.stderr
    check = run.json["check"]
    assert check["ok"] is True and (check["eps"], check["atol"], check["rtol"]) == (1e-6, 1e-5, 1e-3)
    want = sympy_grad(expr, point)
    for name, row in check["gradient"].items():
        assert row["status"] == "ok"
        assert row["analytic"] == pytest.approx(want[name], rel=1e-12)
        assert row["numeric"] == pytest.approx(want[name], rel=1e-6, abs=1e-8)
        assert row["abs_error"] == abs(row["analytic"] - row["numeric"])
    human = run_cli("grad", text, *args, "--check")
    assert human.exit_code == 0 and "✓" in human.stdout and "all 2 gradients agree" in human.stdout


def test_wrong_gradient_through_the_api_fails():
    # ∂/∂y of x^3·sin(y) is x^3·cos(y); hand in x^3·sin(y) instead.
    right = 1.5**3 * math.cos(0.3)
    report = check_gradient("x^3 * sin(y)", {"x": 1.5, "y": 0.3}, analytic={"y": 1.5**3 * math.sin(0.3)})
    assert not report.ok
    rows = {r.name: r for r in report.rows}
    assert rows["x"].status == "ok" and rows["y"].status == "wrong"
    assert rows["y"].numeric == pytest.approx(right, rel=1e-6)
    failure = report.failure()
    assert isinstance(failure, CheckFailed) and failure.exit_code == 1
    assert "∂/∂y" in failure.message
    # The right hand-derived gradient passes.
    assert check_gradient("x^3 * sin(y)", {"x": 1.5, "y": 0.3}, analytic={"y": right}).ok


def test_a_patched_wrong_rule_fails_the_cli(monkeypatch):
    sin = FUNCTIONS["sin"][1]
    real = passes.local_rules

    def patched(op, *rest):
        if op is sin:  # d/da sin(a) written, wrongly, as -cos(a)
            return (lambda a, b, out: -math.cos(a),)
        return real(op, *rest)

    monkeypatch.setattr(passes, "local_rules", patched)
    run = run_cli("grad", "x^3 * sin(y)", "-x", "1.5", "-y", "0.3", "--check")
    assert run.exit_code == 1
    assert "✗" in run.stdout and "1 of 2 gradients disagree" in run.stdout
    assert "gradient check failed" in run.stderr and "Traceback" not in run.stderr
    run = run_cli("grad", "x^3 * sin(y)", "-x", "1.5", "-y", "0.3", "--check", "--json")
    assert run.exit_code == 1
    assert run.json["check"]["ok"] is False  # one JSON object: the report, not an error
    assert run.json["check"]["gradient"]["y"]["status"] == "wrong"
    assert run.json["check"]["gradient"]["x"]["status"] == "ok"


def test_kinks_are_noted_not_failed():
    # relu'(0) = 0 by convention, but the difference across 0 is (2·eps - 0)/2eps = 1.
    run = run_cli("grad", "relu(x) * y", "-x", "0", "-y", "2", "--check", "--json")
    assert run.exit_code == 0
    check = run.json["check"]
    assert check["ok"] is True
    assert check["gradient"]["x"]["status"] == "kink"
    assert (check["gradient"]["x"]["analytic"], check["gradient"]["x"]["numeric"]) == (0, 1)
    assert any("relu'(0) = 0 (PyTorch)" in n for n in check["notes"])
    # A tie in max splits the gradient evenly: the difference agrees, and the note says why.
    run = run_cli("grad", "max(x, y)", "-x", "1", "-y", "1", "--check", "--json")
    check = run.json["check"]
    assert run.exit_code == 0 and check["gradient"]["x"]["status"] == "ok"
    assert check["gradient"]["x"]["analytic"] == 0.5
    assert any("tie" in n for n in check["notes"])
    human = run_cli("grad", "abs(x)", "-x", "0", "--check")
    assert human.exit_code == 0 and "kink" in human.stdout and "abs'(0) = 0" in human.stdout


def test_intermediate_names_and_boundaries():
    # ∂f/∂q of f = sin(q) is cos(q), q = x·y = 0.6.
    report = check_gradient("q = x*y; f = sin(q)", {"x": 2, "y": 0.3}, wrt=["q", "x"])
    rows = {r.name: r for r in report.rows}
    assert rows["q"].numeric == pytest.approx(math.cos(0.6), rel=1e-8)
    assert rows["x"].numeric == pytest.approx(0.3 * math.cos(0.6), rel=1e-8)
    assert report.ok
    # sqrt at 5e-7: x - eps is negative, so no central difference exists.
    run = run_cli("grad", "sqrt(x)", "-x", "5e-7", "--check")
    assert run.exit_code == 0 and "n/a" in run.stdout and "cannot be computed" in run.stdout


def test_tolerance_options():
    # With eps 0.1 the central difference of x^3 at 1 is 3 + eps^2 = 3.01: relative error 1/300.
    run = run_cli("grad", "x^3", "-x", "1", "--check", "--eps", "0.1", "--json")
    assert run.exit_code == 1
    row = run.json["check"]["gradient"]["x"]
    assert row["numeric"] == pytest.approx(3.01, rel=1e-12)
    assert row["rel_error"] == pytest.approx(0.01 / 3.01, rel=1e-9)
    run = run_cli("grad", "x^3", "-x", "1", "--check", "--eps", "0.1", "--rtol", "0.01")
    assert run.exit_code == 0


def test_bad_options():
    assert_clean_error(run_cli("grad", "x", "-x", "1", "--eps", "1e-3"), 2, "--check")
    assert_clean_error(run_cli("grad", "x", "-x", "1", "--check", "--eps", "0"), 2, "--eps")
    assert_clean_error(run_cli("grad", "x", "-x", "1", "--check", "--atol", "-1"), 2, "--atol")
    assert_clean_error(run_cli("grad", "x", "--check", "--batch", "p.jsonl"), 2, "--batch")
    assert_clean_error(run_cli("grad", "x", "-x", "1", "--check", "--eps", "abc"), 2, "abc")
    run = run_cli("grad", "log(x)", "-x", "0", "--check")
    assert_clean_error(run, 3, "log")
