"""A --param named as a data column is a usage error (it would shadow the column
silently); a value given on the command line still overrides a column (README "Training")."""

from __future__ import annotations

import pytest
from conftest import assert_clean_error

import gradcli
from gradcli.errors import GradUsageError

ROWS = [(1.0, 2.0, 5.0), (2.0, -1.0, 3.0), (3.0, 0.5, 7.0)]


def _csv(tmp_path, name="d.csv"):
    path = tmp_path / name
    path.write_text("x1,x2,y,note\n" + "".join(f"{a},{b},{c},n{k}\n" for k, (a, b, c) in enumerate(ROWS)))
    return str(path)


def _jsonl(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text("".join(f'{{"x1": {a}, "x2": {b}, "y": {c}}}\n' for a, b, c in ROWS))
    return str(path)


@pytest.mark.parametrize("make", [_csv, _jsonl])
def test_param_that_is_a_column_is_a_usage_error(cli, tmp_path, make):
    path = make(tmp_path)
    r = cli("train", "(w*x1 - y)^2", "--data", path, "--param", "w=0", "--param", "x1=1",
            "--steps", "2", "--json")
    message = (f"'x1' is both a column of {path} and a --param: rename one, "
               "or drop the --param to read it from the data")
    assert_clean_error(r, 2, message)
    assert r.json["error"] == {"kind": "usage", "message": message}


def test_moons_example_from_the_report(cli):
    r = cli("train", "(w*x1 - y)^2", "--data", "examples/moons.csv", "--param", "w=0",
            "--param", "x1=1", "--steps", "2")
    assert_clean_error(r, 2, "'x1' is both a column of examples/moons.csv and a --param")
    assert r.stdout == ""


def test_clash_with_a_column_the_program_would_not_read(cli, tmp_path):
    # the column 'note' is not numbers; the --param still shadows it by name
    path = _csv(tmp_path)
    r = cli("train", "(w*x1 + note - y)^2", "--data", path, "--param", "w=0", "--param", "note=0",
            "--steps", "1")
    assert_clean_error(r, 2, f"'note' is both a column of {path} and a --param")


def test_standard_input(cli, tmp_path):
    text = open(_csv(tmp_path)).read()
    r = cli("train", "(w*x1 - y)^2", "--data", "-", "--param", "w=0", "--param", "y=1",
            "--steps", "1", input=text)
    assert_clean_error(r, 2, "'y' is both a column of standard input and a --param")


def test_a_binding_still_overrides_a_column(cli, tmp_path):
    # documented: -x1 3 is used for every row instead of the column.
    # loss (w*3 - y)^2 averaged; one sgd step from w=0 with lr 0.1:
    # grad = mean(2*(0 - y)*3) = -6*mean(y) = -30, so w = 0.1*30 = 3
    path = _csv(tmp_path)
    r = cli("train", "(w*x1 - y)^2", "--data", path, "--param", "w=0", "-x1", "3",
            "--lr", "0.1", "--steps", "1", "--json")
    assert r.exit_code == 0, r.stderr
    mean_y = sum(c for _, _, c in ROWS) / len(ROWS)
    assert r.json["params"]["w"] == pytest.approx(0.1 * 6 * mean_y)


def test_python_api(tmp_path):
    with pytest.raises(GradUsageError, match=r"'x1' is both a column of the data and a --param"):
        gradcli.train("(w*x1 - y)^2", params={"w": 0, "x1": 1},
                      data={"x1": [1, 2], "y": [0, 1]}, steps=1)
    from gradcli.data.dataset import load

    path = _csv(tmp_path)
    with pytest.raises(GradUsageError, match="is both a column of .*d.csv and a --param"):
        gradcli.train("(w*x1 - y)^2", params={"w": 0, "y": 1}, data=load(path, ["x1"]), steps=1)


def test_params_not_in_the_data_train(cli, tmp_path):
    # w and b are not columns: no error (and the column x1 is read: the fit is exact)
    path = tmp_path / "line.csv"
    path.write_text("x1,y\n" + "".join(f"{x},{2 * x + 1}\n" for x in range(-3, 4)))
    r = cli("train", "(w*x1 + b - y)^2", "--data", str(path), "--param", "w=0", "--param", "b=0",
            "--lr", "0.1", "--steps", "300", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json["params"]["w"] == pytest.approx(2, abs=1e-6)
    assert r.json["params"]["b"] == pytest.approx(1, abs=1e-6)
