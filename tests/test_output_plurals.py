"""Counts in check, grad --check and exercise output read as English: no "1 students",
no "all 1 gradients agree"; the class summary's column says what it holds."""

from __future__ import annotations

import math
import re

from conftest import run_cli

from gradcli.passes import floats as passes
from gradcli.homework.gradcheck import check_gradient
from gradcli.ops.table import FUNCTIONS

KEY = """
[[problem]]
id = "p1"
program = "q = x + y; f = q * z"
bindings = { x = -2, y = 5, z = -4 }
ask = ["value", "grad.x"]
"""
RIGHT = '[p1]\nvalue = -12\ngrad.x = -4\n'   # by hand: f = (x + y) z, ∂f/∂x = z


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_one_student_is_one_student(tmp_path):
    key = write(tmp_path, "key.toml", KEY)
    run = run_cli("check", key, write(tmp_path, "ada.toml", RIGHT))
    assert run.exit_code == 0, run.stderr
    assert "1 student, 1 with full marks" in run.stdout and "1 students" not in run.stdout
    two = run_cli("check", key, write(tmp_path, "ada.toml", RIGHT), write(tmp_path, "bo.toml", RIGHT))
    assert "2 students, 2 with full marks" in two.stdout


def test_one_answer_file_that_is_wrong(tmp_path):
    key = write(tmp_path, "key.toml", KEY)
    run = run_cli("check", key, write(tmp_path, "bo.toml", "[p1]\nvalue = 1\n"))
    assert run.exit_code == 1
    assert "the answer file is not all right" in run.stderr and "1 of 1" not in run.stderr


def test_the_summary_column_says_what_it_holds(tmp_path):
    key = write(tmp_path, "key.toml", KEY)
    odd = write(tmp_path, "cy.toml", RIGHT + "[p9]\nvalue = 1\n")
    run = run_cli("check", key, odd, str(tmp_path / "missing.toml"))
    assert run.exit_code == 2
    assert "file problems" not in run.stdout
    summary = run.stdout[run.stdout.index("class summary"):]
    assert re.search(r"student\s+score\s+%\s+ignored", summary)
    assert re.search(r"cy\s+2/2\s+100\s+1\b", summary)          # one entry ignored: [p9]
    assert re.search(r"missing\s+0/2\s+0\s+unreadable", summary)
    assert "ignored: entries of the answer file that were not understood" in flat(summary)
    # Nothing ignored, nothing unreadable: no explanation of an empty column.
    assert "unreadable: the file could not be read" in flat(summary)
    clean = run_cli("check", key, write(tmp_path, "ada.toml", RIGHT))
    assert "ignored:" not in clean.stdout and "unreadable:" not in clean.stdout
    odd_only = run_cli("check", key, odd)
    assert "ignored:" in odd_only.stdout and "unreadable:" not in odd_only.stdout


def test_one_gradient_agrees():
    run = run_cli("grad", "x^2", "-x", "3", "--check")
    assert run.exit_code == 0
    assert "the gradient agrees" in run.stdout and "all 1 gradients" not in run.stdout
    assert "all 2 gradients agree" in run_cli("grad", "x*y", "-x", "3", "-y", "2", "--check").stdout


def test_one_gradient_disagrees(monkeypatch):
    sin = FUNCTIONS["sin"][1]
    real = passes.local_rules

    def patched(op, *rest):
        if op is sin:  # d/da sin(a) written, wrongly, as -cos(a)
            return (lambda a, b, out: -math.cos(a),)
        return real(op, *rest)

    monkeypatch.setattr(passes, "local_rules", patched)
    run = run_cli("grad", "sin(x)", "-x", "0.3", "--check")
    assert run.exit_code == 1
    assert "the gradient disagrees" in run.stdout and "1 of 1" not in run.stdout
    assert "1 of 1" not in run.stderr and "gradient check failed (∂/∂x" in run.stderr


def test_the_api_failure_counts_names():
    wrong = check_gradient("sin(x)", {"x": 0.3}, analytic={"x": 0.0}).failure()
    assert wrong.message.startswith("the gradient check failed (∂/∂x")
    two = check_gradient("sin(x) * y", {"x": 0.3, "y": 2}, analytic={"x": 0.0}).failure()
    assert "failed for 1 of 2 names" in two.message
