"""A key whose expected answer may have lost digits says so (QA: f = 1e300*tanh(x) at 400
was expected to be 0 with no word, where the truth is 1.47e-47): the warning grad gives
there goes to stderr, naming the problem, and into the JSON's problem entry."""

from __future__ import annotations

import json

import gradcli
from conftest import run_cli

KEY = '''[[problem]]
id = "sat"
program = "f = 1e300*tanh(x)"
bindings = { x = 400 }
ask = ["grad.x"]

[[problem]]
id = "plain"
program = "f = (x + y)*z"
bindings = { x = 1, y = 3, z = -3 }
ask = ["grad.z"]
'''


def test_the_key_warning_is_said_once_per_problem_and_kept_in_json(tmp_path):
    (tmp_path / "key.toml").write_text(KEY)
    (tmp_path / "a.toml").write_text("[sat]\ngrad.x = 0\n[plain]\ngrad.z = 4\n")
    warning = gradcli.grad("f = 1e300*tanh(x)", x=400).warnings
    for extra in ([], ["--json"]):
        run = run_cli("check", str(tmp_path / "key.toml"), str(tmp_path / "a.toml"), *extra)
        lines = [line for line in run.stderr.splitlines() if "warning" in line]
        assert lines == [f"gradcli: warning: key problem 'sat': {warning[0]}"]
    problems = {p["id"]: p for p in json.loads(run.stdout)["problems"]}
    assert problems["sat"]["warnings"] == warning and "warnings" not in problems["plain"]
