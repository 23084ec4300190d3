"""A formula with a huge coefficient still prints, and evaluates back to the derivative."""

from __future__ import annotations


def test_symbolic_formula_with_a_huge_coefficient_prints(cli, tmp_path):
    program = tmp_path / "p.txt"
    program.write_text("x" + "*1.0001" * 1200)
    r = cli("grad", f"@{program}", "--symbolic")
    assert r.exit_code == 0, r.stderr
    # d/dx of x * 1.0001^1200 is 1.0001^1200, about 1.127497
    value = cli("eval", r.stdout.split("=", 1)[1].strip()).stdout
    assert abs(float(value) - 1.0001 ** 1200) < 1e-9
