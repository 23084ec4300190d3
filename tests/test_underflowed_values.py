"""A value that underflowed on the way to the output (QA: exp(x)*1e300 at x = -740 printed
4.19955798965e-22 where the truth is 4.18873988005e-22; at -760, 0 for 8.6e-31) gets a
warning with a bound that holds, in every mode and in --batch; an underflow the output
cannot feel (exp(-1000) alone, rightly 0) gets none. Oracle: mpmath at 50 digits."""

from __future__ import annotations

import json

import mpmath
import pytest

import gradcli
from conftest import run_cli

mpmath.mp.dps = 50


def bound_of(warning: str) -> float:
    return float(warning.split("may be off by up to ")[1].split(",")[0])


@pytest.mark.parametrize("x", [-740, -745, -760])
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_an_underflow_the_output_feels_is_warned_with_a_bound_that_holds(x, mode):
    truth = mpmath.exp(x) * mpmath.mpf(10) ** 300
    r = gradcli.grad("exp(x)*1e300", x=x, mode=mode)
    notes = [w for w in r.warnings if "underflowed" in w]
    assert len(notes) == 1 and "'exp(x)'" in notes[0]
    assert abs(mpmath.mpf(r.value) - truth) <= bound_of(notes[0])
    assert abs(mpmath.mpf(r.gradient["x"]) - truth) <= bound_of(notes[0])   # d/dx = the value


def test_the_command_says_so_on_stderr_and_in_json():
    run = run_cli("grad", "exp(x)*1e300", "-x", "-740", "--json")
    assert run.exit_code == 0
    assert json.loads(run.stdout)["warnings"] == gradcli.grad("exp(x)*1e300", x=-740).warnings
    assert run.stderr.startswith("gradcli: warning: the value of 'exp(x)' underflowed")


@pytest.mark.parametrize("text, point", [
    ("exp(x)", {"x": -1000}),          # 0 is the double nearest the truth, 5e-435
    ("x*y", {"x": 1e-310, "y": 1}),    # a subnormal input is as given
    ("tanh(x)", {"x": 1000}),
    ("exp(x)*y", {"x": -740, "y": 1}), # subnormal, but the output is as small: no digits to lose
])
def test_underflows_the_output_cannot_feel_are_not_warned(text, point):
    assert [w for w in gradcli.grad(text, point).warnings if "underflowed" in w] == []


def test_a_batch_gives_each_point_its_one_point_line(tmp_path):
    path = tmp_path / "u.csv"
    path.write_text("x\n-740\n-760\n-1000\n1\n")
    run = run_cli("grad", "exp(x)*1e300", "--batch", str(path))
    assert run.exit_code == 0
    for line, x in zip(run.stdout.splitlines(), ["-740", "-760", "-1000", "1"]):
        assert line + "\n" == run_cli("grad", "exp(x)*1e300", "-x", x, "--json").stdout


def test_eval_warns_too_and_its_batch_lines_are_its_one_point_lines(tmp_path):
    # QA: eval "exp(x)*1e300" -x -760 printed 0 silently (the truth is 8.6e-31).
    run = run_cli("eval", "exp(x)*1e300", "-x", "-760", "--json")
    assert run.exit_code == 0 and "underflowed" in run.stderr
    assert json.loads(run.stdout)["warnings"] == gradcli.evaluate("exp(x)*1e300", x=-760).warnings
    plain = run_cli("eval", "exp(x)*1e300", "-x", "-760")
    assert plain.stdout == "0\n" and "gradcli: warning: the value of 'exp(x)' underflowed" in plain.stderr
    path = tmp_path / "u.csv"
    path.write_text("x\n-740\n-760\n-1000\n1\n")
    batch = run_cli("eval", "exp(x)*1e300", "--batch", str(path))
    for line, x in zip(batch.stdout.splitlines(), ["-740", "-760", "-1000", "1"]):
        assert line + "\n" == run_cli("eval", "exp(x)*1e300", "-x", x, "--json").stdout
    assert run_cli("eval", "exp(x)", "-x", "-1000").stderr == ""
