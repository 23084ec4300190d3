"""Big programs: 100,000-deep nesting and 1,000,000 tokens (the issue's evidence).

Nothing here may recurse: a recursive parser, graph walk or backward pass dies
at about a thousand levels. Every expected value is a closed form computed in
the test with a plain loop. The whole file takes well under 30 s.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

import gradcli
from conftest import run_cli

DEPTH = 100_000


def nested_add(n: int) -> str:
    """((…((x+1)+1)…)+1), n levels."""
    return "(" * n + "x" + "+1)" * n


def nested_sin(n: int) -> str:
    """sin(sin(…sin(x)…)), n levels."""
    return "sin(" * n + "x" + ")" * n


def sin_chain(x: float, n: int) -> tuple[float, float]:
    """sin applied n times to x, and its derivative: the product of cos at each level."""
    value, slope = x, 1.0
    for _ in range(n):
        slope *= math.cos(value)
        value = math.sin(value)
    return value, slope


@pytest.fixture(scope="module")
def wide_program():
    """1,000,000 tokens: 250,000 terms `c*xk`, each a number, '*', a name and '+'.

    Fifty variables, each used 5,000 times. The values are multiples of 1/8 and the
    coefficients small whole numbers, so every sum is exact in doubles.
    """
    n_terms, n_vars = 250_000, 50
    coefficient = [i % 7 + 1 for i in range(n_terms)]
    text = " + ".join(f"{coefficient[i]}*x{i % n_vars}" for i in range(n_terms))
    values = {f"x{k}": (k + 1) / 8 for k in range(n_vars)}
    gradient = {f"x{k}": 0.0 for k in range(n_vars)}
    for i in range(n_terms):
        gradient[f"x{i % n_vars}"] += coefficient[i]
    value = sum(coefficient[i] * values[f"x{i % n_vars}"] for i in range(n_terms))
    tokens = 4 * n_terms - 1
    return text, values, value, gradient, tokens


def test_deep_nesting_of_sums():
    r = gradcli.grad(nested_add(DEPTH), x=0.5)
    assert r.value == 0.5 + DEPTH          # x + 100000, exact
    assert r.gradient == {"x": 1.0}


def test_deep_nesting_of_sin():
    x = 0.5
    value, slope = sin_chain(x, DEPTH)
    r = gradcli.grad(nested_sin(DEPTH), x=x)
    assert r.value == value                # the same 100,000 roundings of math.sin
    # The product of 100,000 cosines, multiplied in the other order by the backward
    # pass: up to ~1e5 roundings of 1.1e-16 apart.
    assert r.gradient["x"] == pytest.approx(slope, rel=1e-10)
    assert slope > 0                       # and not a vanished gradient


def test_deep_nesting_of_sin_through_the_cli_on_stdin():
    value, slope = sin_chain(-1.25, DEPTH)
    run = run_cli("grad", "-", "-x", "-1.25", "--json", input=nested_sin(DEPTH))
    assert run.exit_code == 0, run.stderr[:500]
    assert run.json["value"] == value
    assert run.json["gradient"]["x"] == pytest.approx(slope, rel=1e-10)


def test_deep_nesting_in_a_real_process():
    """The installed command, not just the in-process runner: same stack, same limits."""
    value, slope = sin_chain(0.75, DEPTH)
    run = subprocess.run([sys.executable, "-m", "gradcli", "grad", "-", "-x", "0.75", "--json"],
                         input=nested_sin(DEPTH), capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[:500]
    out = json.loads(run.stdout)
    assert out["value"] == value
    assert out["gradient"]["x"] == pytest.approx(slope, rel=1e-10)


def test_deep_nesting_of_parentheses_and_unary_minus():
    r = gradcli.grad("(" * DEPTH + "x" + ")" * DEPTH, x=2.0)
    assert r.value == 2.0 and r.gradient == {"x": 1.0}
    r = gradcli.grad("-" * (DEPTH + 1) + "x", x=2.0)    # an odd number of minus signs
    assert r.value == -2.0 and r.gradient == {"x": -1.0}


def test_long_chain_of_assignments_sharing_one_variable():
    # a0 = x; a_i = a_(i-1) + x: a_n = (n+1)·x, and x is used n+1 times.
    n = DEPTH
    text = "a0 = x\n" + "\n".join(f"a{i} = a{i - 1} + x" for i in range(1, n + 1))
    r = gradcli.grad(text, x=0.25)
    assert r.value == (n + 1) * 0.25
    assert r.gradient == {"x": float(n + 1)}


def test_a_million_tokens(wide_program):
    text, values, value, gradient, tokens = wide_program
    assert tokens >= 999_999
    r = gradcli.grad(text, values)
    assert r.value == value
    assert r.gradient == gradient


def test_a_million_tokens_through_the_cli_from_a_file(wide_program, tmp_path):
    text, values, value, gradient, _ = wide_program
    path = tmp_path / "wide.grad"
    path.write_text(text)
    bindings = [f"{name}={v!r}" for name, v in values.items()]
    run = run_cli("grad", f"@{path}", *bindings, "--json")
    assert run.exit_code == 0, run.stderr[:500]
    assert run.json["value"] == value
    assert run.json["gradient"] == gradient


def test_deep_nesting_through_eval_from_a_file(tmp_path):
    path = tmp_path / "deep.grad"
    path.write_text(nested_add(DEPTH))
    run = run_cli("eval", f"@{path}", "-x", "1", "--json")
    assert run.exit_code == 0, run.stderr[:500]
    assert run.json["value"] == 1.0 + DEPTH


def test_a_math_error_deep_inside_stays_one_short_paragraph():
    # log(x) at x = 0 under 100,000 sines: exit 3, naming log(x), without printing the program.
    text = "sin(" * DEPTH + "log(x)" + ")" * DEPTH
    run = run_cli("grad", "-", "-x", "0", input=text)
    assert run.exit_code == 3
    assert "log(x)" in run.stderr and "x = 0" in run.stderr
    assert len(run.stderr) < 2000 and "Traceback" not in run.stderr


def test_a_syntax_error_deep_inside_stays_short():
    text = "(" * DEPTH + "x" + ")" * (DEPTH - 1)      # one '(' never closed
    run = run_cli("grad", "-", "-x", "1", input=text)
    assert run.exit_code == 2
    assert "^" in run.stderr and len(run.stderr) < 2000 and "Traceback" not in run.stderr
