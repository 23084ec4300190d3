"""A run whose loss grows more than a millionfold ends with a warning, not in silence.

L = (w - 3)^2 from w = 0 with lr 1.5: w ← w - 1.5·2(w - 3) = 9 - 2w, so w - 3 is
multiplied by -2 at each step and the loss by 4: after n steps it is 9·4^n.
4^10 = 1,048,576 is past a millionfold, 4^9 = 262,144 is not.
"""

from __future__ import annotations

import json

import pytest

from gradcli.training.loop import train

GROWING = ("train", "(w - 3)^2", "--param", "w=0", "--lr", "1.5")


def test_a_diverging_run_warns_on_stderr_and_still_succeeds(cli):
    r = cli(*GROWING, "--steps", "10")
    assert r.exit_code == 0
    assert "warning" in r.stderr and "millionfold" in r.stderr and "--lr" in r.stderr
    assert "9437184" in r.stderr  # the loss it reached: 9·4^10
    assert "Traceback" not in r.stderr


def test_the_warning_is_in_the_json_too(cli):
    r = cli(*GROWING, "--steps", "10", "--json")
    assert r.exit_code == 0
    assert r.stdout.count("\n") == 1
    j = json.loads(r.stdout)  # still one object
    assert j["loss"] == 9 * 4 ** 10
    assert len(j["warnings"]) == 1 and "millionfold" in j["warnings"][0]
    assert [h["loss"] for h in j["history"]] == [9 * 4 ** k for k in range(10)]
    assert "millionfold" in r.stderr


def test_growth_below_a_millionfold_is_not_a_warning(cli):
    r = cli(*GROWING, "--steps", "9", "--json")
    assert r.exit_code == 0 and r.stderr == ""
    assert r.json["loss"] == 9 * 4 ** 9
    assert "warnings" not in r.json


def test_a_converging_run_does_not_warn(cli):
    r = cli("train", "(w - 3)^2", "--param", "w=0", "--lr", "0.1", "--steps", "50")
    assert r.exit_code == 0 and r.stderr == ""
    r = cli("train", "(w - 3)^2", "--param", "w=0", "--lr", "0.1", "--steps", "50", "--json")
    assert list(r.json) == ["expression", "params", "loss", "steps", "history"]


def test_the_python_api_has_the_warnings():
    assert train("(w - 3)^2", {"w": 0}, lr=1.5, steps=10).warnings
    assert train("(w - 3)^2", {"w": 0}, lr=0.1, steps=10).warnings == []
    # A loss that falls without bound (below zero) is not growing: no warning.
    assert train("-(w^2)", {"w": 1}, lr=1.5, steps=20).warnings == []
