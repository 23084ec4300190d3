"""Points, tolerances and exports of `gradcli check` (--format gradescope, --format csv).

Gradescope's fields are those of its published autograder specification
(gradescope-autograders.readthedocs.io/en/latest/specs/), written out below.
Expected numbers are derived by hand in the comments.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import assert_clean_error, run_cli

KEY = """
title = "hw"
[[problem]]
id = "p1"
program = "q = x + y; f = q * z"
bindings = { x = -2, y = 5, z = -4 }
ask = ["value", "grad.x", "grad.z"]
points = 6                      # 2 each

[[problem]]
id = "frac"
program = "f = x / y"
bindings = { x = 2421, y = 98 }
ask = ["value", "grad.x"]
sig_figs = 3
[problem.points]
value = 3                       # grad.x keeps 1
"""

# p1: f = (x + y) z = -12, ∂f/∂x = z = -4, ∂f/∂z = x + y = 3.
# frac: f = 2421/98 = 24.7040816..., ∂f/∂x = 1/98 = 0.0102040816...
ADA = '[p1]\nvalue = -12\ngrad.x = -4\ngrad.z = 3\n[frac]\nvalue = 24.7\ngrad.x = 0.0102\n'
BOB = 'student = "Bob"\n[p1]\nvalue = -12\ngrad.x = 4\n[frac]\nvalue = 24.8\ngrad.x = "1/98"\n'


def files(tmp_path, key=KEY, **students):
    (tmp_path / "key.toml").write_text(key)
    paths = []
    for name, text in students.items():
        (tmp_path / f"{name}.toml").write_text(text)
        paths.append(str(tmp_path / f"{name}.toml"))
    return str(tmp_path / "key.toml"), paths


def test_points_and_significant_figures(tmp_path):
    key, answers = files(tmp_path, ada=ADA, bob=BOB)
    data = run_cli("check", key, *answers, "--json").json
    ada, bob = data["students"]
    # Ada: all right; 24.7 and 0.0102 are right to 3 significant figures.
    assert ada["score"] == 5 and ada["points"] == 6 + 3 + 1 == ada["max_points"]
    # Bob: p1 value (2), grad.x wrong (sign), grad.z missing; 24.8 is wrong to 3 figures
    # (24.7040816 rounds to 24.7); 1/98 right (1).
    assert bob["score"] == 2 and bob["points"] == 2 + 1
    marks = {(m["problem"], m["quantity"]): m for m in bob["marks"]}
    assert marks[("p1", "grad.x")]["points"] == 0 and marks[("p1", "grad.x")]["max_points"] == 2
    assert marks[("p1", "grad.x")]["diagnosis"]["kind"] == "sign"
    assert marks[("frac", "value")]["max_points"] == 3 and not marks[("frac", "value")]["ok"]
    assert data["summary"]["max_points"] == 10 and data["summary"]["mean_points"] == (10 + 3) / 2
    problems = {p["id"]: p for p in data["problems"]}
    assert problems["p1"]["points"] == {"value": 2, "grad.x": 2, "grad.z": 2}
    assert problems["frac"]["sig_figs"] == 3 and problems["frac"]["rel_tolerance"] is None
    human = run_cli("check", key, *answers, env={"COLUMNS": "200"})
    assert "10/10 points" in human.stdout and "3/10 points" in human.stdout
    assert "mean points 6.5 of 10" in human.stdout


def test_relative_tolerance(tmp_path):
    key = KEY.replace("sig_figs = 3", "rel_tolerance = 0.01")
    # 24.9 is 0.196 from 24.704, within 1% (0.247); 25 is 0.296 away: wrong.
    key_path, answers = files(tmp_path, key, a='[frac]\nvalue = 24.9\n', b='[frac]\nvalue = 25\n')
    a, b = run_cli("check", key_path, *answers, "--json").json["students"]
    assert a["marks"][3]["ok"] and not b["marks"][3]["ok"]


def test_keys_without_points_are_unchanged(tmp_path):
    plain = KEY.replace("points = 6                      # 2 each", "").replace(
        "[problem.points]\nvalue = 3                       # grad.x keeps 1\n", "")
    key, answers = files(tmp_path, plain, bob=BOB)
    data = run_cli("check", key, *answers, "--json").json
    bob = data["students"][0]
    assert bob["score"] == 2 and bob["total"] == 5 and bob["points"] == 2 and bob["max_points"] == 5
    human = run_cli("check", key, *answers, env={"COLUMNS": "200"}).stdout
    human = human.replace(str(tmp_path), "DIR")   # the test's folder is named for points
    assert "points" not in human and "Bob" in human and "2/5" in human


# Gradescope's published results.json fields ("Autograder Specifications").
TOP = {"score", "execution_time", "output", "output_format", "test_output_format",
       "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
TEST = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
        "tags", "visibility", "extra_data"}


def validate_gradescope(obj):
    assert set(obj) <= TOP and "tests" in obj
    assert isinstance(obj["score"], (int, float)) and isinstance(obj["output"], str)
    for t in obj["tests"]:
        assert set(t) <= TEST
        assert {"name", "score", "max_score", "output"} <= set(t)
        assert isinstance(t["name"], str) and isinstance(t["output"], str)
        assert isinstance(t["number"], str)
        assert isinstance(t["score"], (int, float)) and isinstance(t["max_score"], (int, float))
        assert 0 <= t["score"] <= t["max_score"]
        assert t["status"] in ("passed", "failed")
        assert (t["status"] == "passed") == (t["score"] == t["max_score"])
    assert obj["score"] == pytest.approx(sum(t["score"] for t in obj["tests"]))


def test_gradescope_results(tmp_path):
    key, answers = files(tmp_path, bob=BOB)
    run = run_cli("check", key, answers[0], "--format", "gradescope")
    assert run.exit_code == 1
    obj = json.loads(run.stdout)
    validate_gradescope(obj)
    assert obj["score"] == 3
    tests = {t["name"]: t for t in obj["tests"]}
    assert list(tests) == ["p1 value", "p1 grad.x", "p1 grad.z", "frac value", "frac grad.x"]
    assert tests["p1 value"]["score"] == 2 and tests["p1 value"]["max_score"] == 2
    assert tests["p1 grad.x"]["score"] == 0 and "the sign is flipped" in tests["p1 grad.x"]["output"]
    assert tests["p1 grad.z"]["output"] == "missing"
    assert [t["number"] for t in obj["tests"]] == ["1.1", "1.2", "1.3", "2.1", "2.2"]
    assert obj["output"].startswith("Bob: 2/5 right, 3/10 points")


def test_gradescope_unreadable_file(tmp_path):
    key, answers = files(tmp_path, broken="[p1\n")
    run = run_cli("check", key, answers[0], "--format", "gradescope")
    assert run.exit_code == 2
    obj = json.loads(run.stdout)
    validate_gradescope(obj)
    assert obj["score"] == 0 and "could not be read" in obj["output"]


def test_csv_read_back(tmp_path):
    key, answers = files(tmp_path, ada=ADA, bob=BOB, broken="[p1\n")
    run = run_cli("check", key, *answers, "--format", "csv")
    assert run.exit_code == 2
    rows = list(csv.DictReader(io.StringIO(run.stdout, newline="")))
    assert [r["student"] for r in rows] == ["ada", "Bob", "broken"]
    assert list(rows[0]) == ["student", "file", "p1 value", "p1 grad.x", "p1 grad.z",
                             "frac value", "frac grad.x", "total", "feedback"]
    assert rows[0]["total"] == "10" and rows[0]["feedback"] == ""
    bob = rows[1]
    assert (bob["p1 value"], bob["p1 grad.x"], bob["p1 grad.z"], bob["frac value"],
            bob["frac grad.x"], bob["total"]) == ("2", "0", "0", "0", "1", "3")
    assert "p1 grad.x: wrong: given 4, expected -4. Likely mistake: the sign is flipped" in bob["feedback"]
    assert "p1 grad.z: missing" in bob["feedback"]
    assert rows[2]["total"] == "0" and "could not be read" in rows[2]["feedback"]


@pytest.mark.parametrize("args, fragment", [
    (["--format", "xml"], "--format must be one of report, json, gradescope, csv"),
    (["--format", "grdescope"], "did you mean gradescope?"),
    (["--json", "--format", "csv"], "give one of them"),
])
def test_bad_format(tmp_path, args, fragment):
    key, answers = files(tmp_path, ada=ADA)
    assert_clean_error(run_cli("check", key, *answers, *args), 2, fragment)


def test_gradescope_needs_one_file(tmp_path):
    key, answers = files(tmp_path, ada=ADA, bob=BOB)
    run = run_cli("check", key, *answers, "--format", "gradescope")
    assert_clean_error(run, 2, "--format gradescope grades one answer file (it was given 2)")
    assert run.stdout == ""


@pytest.mark.parametrize("change, fragment", [
    (("points = 6 ", "points = -1 "), "its points must be a number >= 0 (it is -1)"),
    (("points = 6 ", 'points = "six" '), "its points must be a number >= 0"),
    (("points = 6 ", "points = true "), "its points must be a number >= 0"),
    (("value = 3 ", "grad.y = 3 "), "its points name 'grad.y', which is not asked"),
    (("value = 3 ", "gradient = 3 "), "its points have unknown entries: gradient"),
    (("value = 3 ", "value = inf "), "the points of 'value' must be a number >= 0"),
    (("sig_figs = 3", "sig_figs = 0"), "sig_figs must be a whole number from 1 to 17 (it is 0)"),
    (("sig_figs = 3", "sig_figs = 2.5"), "sig_figs must be a whole number from 1 to 17"),
    (("sig_figs = 3", "sig_figs = 40"), "sig_figs must be a whole number from 1 to 17"),
    (("sig_figs = 3", "rel_tolerance = -0.1"), "the rel_tolerance must be a number >= 0"),
    (("sig_figs = 3", 'rel_tolerance = "1%"'), "the rel_tolerance must be a number >= 0"),
    (('title = "hw"', 'points = 3'), "gives points outside a problem"),
    (('title = "hw"', 'sig_figs = -2'), "the key's sig_figs must be a whole number"),
    (('title = "hw"', 'rel_tolerance = nan'), "the key's rel_tolerance must be a number >= 0"),
])
def test_bad_points_and_tolerances(tmp_path, change, fragment):
    old, new = change
    assert old in KEY
    key, answers = files(tmp_path, KEY.replace(old, new, 1), ada=ADA)
    assert_clean_error(run_cli("check", key, *answers), 2, fragment)
    run = run_cli("check", key, *answers, "--json")
    assert run.exit_code == 2 and run.json["error"]["kind"] == "value"
    assert fragment in run.json["error"]["message"]
    run = run_cli("check", key, *answers, "--format", "json")
    assert run.exit_code == 2 and run.json["error"]["kind"] == "value"


def test_significant_figures_by_hand():
    from gradcli.homework.problems import is_close

    # 1.25 to 2 figures: 1.2 and 1.3 are each half a unit (0.05) away; 1.31 is not.
    assert is_close(1.3, 1.25, 0, None, 2) and is_close(1.2, 1.25, 0, None, 2)
    assert not is_close(1.31, 1.25, 0, None, 2)
    # 1/98 = 0.0102040816...: 0.0102 is right to 3 figures, 0.0103 is 0.000096 away (> 0.00005).
    assert is_close(0.0102, 1 / 98, 0, None, 3) and not is_close(0.0103, 1 / 98, 0, None, 3)
    # -2421/98 = -24.704...: -24.7 right to 3 figures; to 4, -24.70 is, -24.71 is not.
    assert is_close(-24.7, -2421 / 98, 0, None, 3)
    assert is_close(-24.70, -2421 / 98, 0, None, 4) and not is_close(-24.71, -2421 / 98, 0, None, 4)
    # Any rule is enough: the absolute tolerance accepts what 2 figures would not.
    assert is_close(1.2500001, 1.25, 1e-6, None, 5)
    assert not is_close(0.0, 1e-8, 0, None, 3) and is_close(0.0, 1e-8, 1e-6, None, 3)
