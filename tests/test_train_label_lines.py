"""A bad class index read from --data is named by the file's line, as a bad cell is.

The line is found in the text the test wrote (the line holding the marked row), not
from the code under test; blank lines, a header and a two-line quoted cell make it
differ from the row number and from any batch's index.
"""

from __future__ import annotations

import pytest
from conftest import assert_clean_error

import gradcli
from gradcli.errors import GradValueError

MLP = ("train", "h = relu(W1 @ [x1, x2] + b1); s = W2 @ h + b2; cross_entropy(s, y)",
       "--param", "W1=0.5*randn(4, 2)", "--param", "b1=zeros(4)",
       "--param", "W2=0.5*randn(2, 4)", "--param", "b2=zeros(2)", "--steps", "3", "--seed", "1")
GOOD = [(0.1 * k, -0.2 * k, k % 2) for k in range(12)]


def _csv(rows, bad_row, bad_y):
    """CSV text with blank lines between rows; the row bad_row (0-based) gets y = bad_y
    and x1 = 0.777, which marks its line."""
    lines = ["x1,x2,y", ""]
    for k, (a, b, y) in enumerate(rows):
        lines += [f"0.777,{b},{bad_y}" if k == bad_row else f"{a},{b},{y}", ""]
    return "\n".join(lines)


def _jsonl(rows, bad_row, bad_y):
    lines = ["", '{"x1": 0.5, "x2": 1, "y": 1}']
    for k, (a, b, y) in enumerate(rows):
        lines += [f'{{"x1": {a}, "x2": {b}, "y": {bad_y if k == bad_row else y}, "note": "r{k}"}}', ""]
    return "\n".join(lines)


def _line_of(text, needle):
    """The 1-based line of the only line that contains needle."""
    found = [n for n, line in enumerate(text.split("\n"), 1) if needle in line]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("bad_y, shown", [("2", "2"), ("-1", "-1"), ("0.5", "0.5"), ("7", "7")])
def test_csv_bad_label_names_file_line(cli, tmp_path, bad_y, shown):
    text = _csv(GOOD, 9, bad_y)
    path = tmp_path / "labels.csv"
    path.write_text(text)
    line = _line_of(text, "0.777,")
    assert line == 2 * 9 + 3   # header, blank, then a row and a blank each
    r = cli(*MLP, "--data", str(path), "--json")
    assert_clean_error(r, 2, f"{path}, line {line} (row 10), column 'y': 'cross_entropy(s, y)': the class "
                       "indices 'y' must be whole numbers from 0 to 1 (the scores have 2 classes), "
                       f"but on this row 'y' is {shown}")
    assert r.json["error"]["kind"] == "value"
    assert f"line {line}" in r.json["error"]["message"]
    assert "y[" not in r.stderr   # not the 0-based index of the old message


def test_moons_with_a_bad_label_names_line_6(cli, tmp_path):
    # the QA report's case: examples/moons.csv with the y on file line 6 set to 2
    lines = open("examples/moons.csv").read().split("\n")
    cells = lines[5].split(",")
    cells[lines[0].split(",").index("y")] = "2"
    lines[5] = ",".join(cells)
    path = tmp_path / "moons_bad2.csv"
    path.write_text("\n".join(lines))
    r = cli("train", "h = relu(W1 @ [x1, x2] + b1); s = W2 @ h + b2; cross_entropy(s, y)",
            "--data", str(path), "--param", "W1=0.5*randn(16, 2)", "--param", "b1=zeros(16)",
            "--param", "W2=0.5*randn(2, 16)", "--param", "b2=zeros(2)", "--steps", "5")
    assert_clean_error(r, 2, f"{path}, line 6 (row 5), column 'y': 'cross_entropy(s, y)': the class indices",
                       "but on this row 'y' is 2")


@pytest.mark.parametrize("batch", ["1", "2", "5"])
def test_batches_name_the_file_line_not_the_batch_index(cli, tmp_path, batch):
    rows = GOOD * 3   # 36 rows: the bad one, near the end, is in a later batch
    text = _csv(rows, 33, "3")
    path = tmp_path / "late.csv"
    path.write_text(text)
    line = _line_of(text, "0.777,")
    r = cli(*MLP, "--data", str(path), "--batch-size", batch, "--json")
    assert_clean_error(r, 2, f"line {line} (row 34), column 'y': ", "but on this row 'y' is 3")
    assert r.json["error"]["kind"] == "value"


@pytest.mark.parametrize("bad_y", ["2", "-2", "1.5"])
def test_jsonl_bad_label_names_file_line(cli, tmp_path, bad_y):
    text = _jsonl(GOOD, 4, bad_y)
    path = tmp_path / "labels.jsonl"
    path.write_text(text)
    line = _line_of(text, '"note": "r4"')
    r = cli(*MLP, "--data", str(path), "--batch-size", "3", "--json")
    assert_clean_error(r, 2, f"{path}, line {line} (row 6), column 'y': ", f"but on this row 'y' is {bad_y}")
    assert r.json["error"]["kind"] == "value"


def test_standard_input_names_its_line(cli):
    text = _jsonl(GOOD, 7, "9")
    line = _line_of(text, '"note": "r7"')
    r = cli(*MLP, "--data", "-", "--json", input=text)
    assert_clean_error(r, 2, f"standard input, line {line} (row 9), column 'y': ", "but on this row 'y' is 9")


def test_quoted_two_line_cell_counts_its_lines(cli, tmp_path):
    # a note cell spanning two lines: the strict reader, and the row ends one line later
    text = 'note,x1,x2,y\n"a\nb",1,2,0\nplain,1,2,1\n"c\nd",1,2,5\n'
    path = tmp_path / "quoted.csv"
    path.write_text(text)
    r = cli(*MLP, "--data", str(path))
    assert_clean_error(r, 2, f"{path}, line 6 (row 3), column 'y': ", "but on this row 'y' is 5")


def test_python_api_names_the_row():
    with pytest.raises(GradValueError, match=r"the data, row 3, column 'y': .* the class indices 'y' "
                                             r"must be .* but on this row 'y' is -1"):
        gradcli.train("cross_entropy([w*x1, x2], y)", params={"w": 0},
                      data={"x1": [1, 2, 3], "x2": [0, 1, 2], "y": [0, 1, -1]}, steps=1)


def test_good_labels_still_train(cli, tmp_path):
    path = tmp_path / "good.csv"
    path.write_text(_csv(GOOD, -1, "0"))
    r = cli(*MLP, "--data", str(path), "--batch-size", "4", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json["steps"] == 3


def test_a_label_through_an_assignment_names_the_line(cli, tmp_path):
    text = _csv(GOOD, 2, "4")
    path = tmp_path / "alias.csv"
    path.write_text(text)
    line = _line_of(text, "0.777,")
    r = cli("train", "s = [w*x1, x2]; t = y; u = t; cross_entropy(s, u)", "--param", "w=0",
            "--steps", "1", "--data", str(path))
    assert_clean_error(r, 2, f"line {line} (row 3), column 'y': ", "the class indices 'u' (t)",
                       "but on this row 'u' is 4")


@pytest.mark.parametrize("batch", [None, "1", "3", "7"])
def test_computed_labels_name_the_file_line_in_any_batch(cli, tmp_path, batch):
    # 1 - y is checked by the kernels, batch by batch: the row is mapped back to the file
    text = _csv(GOOD * 2, 20, "3")
    path = tmp_path / "computed.csv"
    path.write_text(text)
    line = _line_of(text, "0.777,")
    more = () if batch is None else ("--batch-size", batch)
    r = cli("train", "s = [w*x1, x2]; cross_entropy(s, 1 - y)", "--param", "w=0", "--steps", "40",
            "--seed", "2", "--data", str(path), *more, "--json")
    assert_clean_error(r, 2, f"{path}, line {line} (row 21): 'cross_entropy(s, 1 - y)'",
                       "but on this row '1 - y' is -2")
    assert r.json["error"]["kind"] == "value"


def test_a_row_of_several_class_indices(cli, tmp_path):
    # each row: (2, 2) scores and two indices; the second, y, is 3 on the marked row only
    text = _csv(GOOD, 5, "3")
    path = tmp_path / "two.csv"
    path.write_text(text)
    line = _line_of(text, "0.777,")
    r = cli("train", "s = [[w*x1, x2], [x2, x1]]; cross_entropy(s, [y - y, y])", "--param", "w=0",
            "--steps", "5", "--batch-size", "4", "--seed", "0", "--data", str(path), "--json")
    assert_clean_error(r, 2, f"{path}, line {line} (row 6): ", "but on this row '[y - y, y][1]' is 3")
    assert r.json["error"]["kind"] == "value"
