"""The hint for a variable with no value shows words that really bind it.

A variable may be named like one of the command's options (`lr`, `steps`,
`json`, `wrt`): `--lr 1` would set train's learning rate, so the hint must say
`lr=1` (README "Binding values"). Each test follows the hint it was given and
checks, by hand-worked numbers, that the variable got the value and the
option kept its default.
"""

from __future__ import annotations

import json
import re
import shlex

from conftest import assert_clean_error, run_cli


def hinted_words(stderr: str, pattern: str) -> list[str]:
    found = re.search(pattern, stderr)
    assert found, stderr
    return shlex.split(found.group(1))


def test_train_hint_for_variables_named_like_its_options():
    # The loss (lr - 1)^2 + (w - steps)^2 has variables lr and steps, beside --lr and --steps.
    loss = "(lr - 1)^2 + (w - steps)^2"
    run = run_cli("train", loss, "--param", "w=0")
    assert_clean_error(run, 2, "no value for 'lr', 'steps'")
    words = hinted_words(run.stderr, r"give a value \(([^)]*)\)")
    assert words == ["lr=1", "steps=1"]
    out = run_cli("train", loss, "--param", "w=0", *words, "--json").json
    # lr = steps = 1 bound as variables: the first loss is (1-1)^2 + (0-1)^2 = 1,
    # and --steps kept its default of 100 updates.
    assert out["history"][0]["loss"] == 1.0
    assert out["steps"] == 100


def test_train_hint_for_a_single_letter_is_a_short_binding():
    run = run_cli("train", "(w - x)^2", "--param", "w=0")
    assert_clean_error(run, 2, "no value for 'x'")
    words = hinted_words(run.stderr, r"give a value \(([^)]*)\)")
    assert words == ["-x", "1"]
    out = run_cli("train", "(w - x)^2", "--param", "w=0", *words, "--steps", "1", "--json").json
    assert out["history"][0]["loss"] == 1.0  # (0 - 1)^2


def test_batch_hint_for_a_column_named_like_an_option(tmp_path):
    points = tmp_path / "points.csv"
    points.write_text("x\n2\n3\n")
    run = run_cli("eval", "x * json", "--batch", str(points))
    assert_clean_error(run, 2, "the CSV header has no column 'json'")
    words = hinted_words(run.stderr, r"e\.g\. (.*)")
    assert words == ["json=1"]
    # Given once for every point, json = 1 makes each value x * 1.
    run = run_cli("eval", "x * json", *words, "--batch", str(points))
    assert run.exit_code == 0, run.stderr
    assert [json.loads(line)["value"] for line in run.stdout.splitlines()] == [2.0, 3.0]


def test_grad_hint_for_a_variable_named_wrt():
    run = run_cli("grad", "wrt * x", "-x", "3")
    assert_clean_error(run, 2, "no value for variable 'wrt'")
    words = hinted_words(run.stderr, r"e\.g\. (.*)")
    assert words == ["wrt=1"]
    out = run_cli("grad", "wrt * x", "-x", "3", *words, "--json").json
    assert out["inputs"] == {"wrt": 1.0, "x": 3.0}
    assert out["gradient"] == {"wrt": 3.0, "x": 1.0}


def test_missing_variable_named_like_an_option_gets_a_hint_that_works(cli):
    r = cli("eval", "json+1")
    assert_clean_error(r, 2, "json=1")
    assert "--json 1" not in r.stderr
    assert cli("eval", "json+1", "json=2", "--json").json["value"] == 3
