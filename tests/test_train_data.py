"""Training data: CSV and JSON Lines, and every kind of bad data (a value error, exit 2)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import assert_clean_error

from gradcli.data.dataset import Dataset, load
from gradcli.errors import GradUsageError, GradValueError

LOSS = ("train", "(w*x - y)^2", "--param", "w=0", "--steps", "1")


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_csv_reads_needed_columns_only(tmp_path):
    path = _write(tmp_path, "d.csv", "name, x ,y\nfirst,1,2\n\nsecond,3,4.5e0\n")
    d = load(path, ["x", "y"])
    assert d.rows == 2 and list(d.columns) == ["x", "y"]
    np.testing.assert_array_equal(d.columns["x"], [1, 3])
    np.testing.assert_array_equal(d.columns["y"], [2, 4.5])


def test_csv_with_quotes_and_windows_line_ends(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(b'"x","y"\r\n"1","2"\r\n3,4\r\n')
    d = load(str(path), ["x", "y"])
    np.testing.assert_array_equal(d.columns["y"], [2, 4])


def test_jsonl_reads_numbers(tmp_path):
    path = _write(tmp_path, "d.jsonl", '{"x": 1, "y": 2.5, "label": "a"}\n\n{"x": -3e2, "y": 0}\n')
    d = load(path, ["x", "y"])
    np.testing.assert_array_equal(d.columns["x"], [1, -300])
    assert d.rows == 2


@pytest.mark.parametrize("text, kind", [('{"x": 1}\n', "jsonl"), ("x\n1\n", "csv")])
def test_format_by_content_for_other_names(tmp_path, text, kind):
    d = load(_write(tmp_path, "d.txt", text), ["x"])
    assert d.rows == 1 and d.columns["x"][0] == 1


CSV_CASES = [
    ("x,y\n1,2\n3,abc\n", ("line 3 (row 2)", "column 'y'", "'abc' is not a number")),
    ("x,y\n1,2\n,4\n", ("line 3 (row 2)", "column 'x'", "empty")),
    ("x,y\n1,2\n3,4,5\n", ("line 3 (row 2)", "3 values", "2 columns")),
    ("x,y\n1,2\n3\n", ("line 3 (row 2)", "1 values", "2 columns")),
    ("x,y\n1,nan\n", ("line 2 (row 1)", "column 'y'", "not a finite number")),
    ("x,y\n1,1e999\n", ("line 2 (row 1)", "column 'y'", "not a finite number")),
    ("", ("is empty",)),
    ("\n\n", ("is empty",)),
    ("x,y\n", ("no rows",)),
    ("x,z\n1,2\n", ("no column 'y'", "x, z")),
    ("x,y,x\n1,2,3\n", ("'x' appears twice",)),
    ("x,y\n1,2\n\n\n5,oops\n", ("line 5 (row 2)", "'oops'")),
]


@pytest.mark.parametrize("text, fragments", CSV_CASES)
def test_bad_csv(cli, tmp_path, text, fragments):
    path = _write(tmp_path, "bad.csv", text)
    r = cli(*LOSS, "--data", path, "--json")
    assert_clean_error(r, 2, "bad.csv", *fragments)
    assert r.json["error"]["kind"] == "value"


JSONL_CASES = [
    ('{"x": 1, "y": 2}\n{"x": 1, "y": }\n', ("line 2 (row 2)", "not valid JSON")),
    ('{"x": 1, "y": 2}\n[1, 2]\n', ("line 2 (row 2)", "JSON object")),
    ('{"x": 1, "y": 2}\n{"x": 3}\n', ("line 2 (row 2)", "'y'")),
    ('{"x": 1, "y": "2"}\n', ("line 1 (row 1)", "column 'y'", '"2" is not a number')),
    ('{"x": true, "y": 2}\n', ("column 'x'", "true is not a number")),
    ('{"x": null, "y": 2}\n', ("column 'x'", "null is not a number")),
    ('{"x": NaN, "y": 2}\n', ("column 'x'", "not a finite number")),
    ('{"x": 1e400, "y": 2}\n', ("column 'x'", "not a finite number")),
    ('{"z": 1}\n', ("no columns 'x', 'y'", "(it has z)")),
    ("\n", ("is empty",)),
    ('{"x": 1, "y": 2}\n\n{"x": "a", "y": 2}\n', ("line 3 (row 2)",)),
]


@pytest.mark.parametrize("text, fragments", JSONL_CASES)
def test_bad_jsonl(cli, tmp_path, text, fragments):
    path = _write(tmp_path, "bad.jsonl", text)
    r = cli(*LOSS, "--data", path, "--json")
    assert_clean_error(r, 2, "bad.jsonl", *fragments)
    assert r.json["error"]["kind"] == "value"


def test_bad_data_on_stdin_names_standard_input(cli):
    r = cli(*LOSS, "--data", "-", input="x,y\n1,two\n")
    assert_clean_error(r, 2, "standard input", "line 2 (row 1)", "'two'")


def test_nothing_is_trained_on_bad_data(cli, tmp_path):
    hist = tmp_path / "h.csv"
    path = _write(tmp_path, "bad.csv", "x,y\n" + "1,2\n" * 50 + "3,x\n")
    r = cli(*LOSS, "--data", path, "--history", str(hist))
    assert_clean_error(r, 2, "line 52 (row 51)")
    assert not hist.exists() and r.stdout == ""


def test_unreadable_files_are_usage_errors(cli, tmp_path):
    r = cli(*LOSS, "--data", str(tmp_path / "none.csv"), "--json")
    assert_clean_error(r, 2, "cannot read the data file")
    assert r.json["error"]["kind"] == "usage"
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"x,y\n\xff\xfe,1\n")
    with pytest.raises(GradUsageError, match="UTF-8"):
        load(str(binary), ["x"])


def test_columns_from_python_are_checked():
    with pytest.raises(GradValueError, match="column 'y' has 2 rows"):
        Dataset.from_columns({"x": [1, 2, 3], "y": [1, 2]})
    with pytest.raises(GradValueError, match="row 2, column 'x'"):
        Dataset.from_columns({"x": [1, float("inf")]})
    with pytest.raises(GradValueError, match="not a list of numbers"):
        Dataset.from_columns({"x": ["a", "b"]})
    with pytest.raises(GradValueError, match="no rows"):
        Dataset.from_columns({"x": []})
