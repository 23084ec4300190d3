"""train --data: the fast readers (NumPy's loadtxt, one json.loads) never take what the
strict reader refuses, and read every cell they take to the same double.

The oracle is the strict reader (float() on each cell, with gradcli's own refusals of
'1_0' and non-ASCII digits): a fast read either declines (None) or gives exactly the
strict reader's columns. Tricky cells are mixed at random into small files.
"""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from gradcli.data import dataset as data
from gradcli.errors import GradValueError

CELLS = ["1", "-2.5", " 3 ", "\t4\t", "1e5", "+.5", "5.", "1.e-3", "0", "-0", "1e-400",
         "1e400", "nan", "-inf", "Infinity", "nan(1)", "1_0", "\uff11", "\xa01", "1\x85", "",
         " ", "\x0b1", "1\x0c", "\x1c1", "1\x1f", "0x10", "1e", "e1", ".", "-", "1 2", "abc",
         "1e5e5", '"1"', '"2', "1\x00", "1\r", "９", "١", "12345678901234567890"]
PLAIN = ["1", "-2.5", "1e5", "0.1", "-7", "3.25e-2"]


def _strict_csv(text, needed):
    try:
        d = data._csv(text, needed, "f.csv")
    except GradValueError:
        return None
    return d


def _random_csv(rng: random.Random) -> str:
    width = rng.choice([1, 2, 3])
    header = ["x", "y", "note"][:width]
    lines = [",".join(header)]
    for _ in range(rng.randint(1, 6)):
        cells = [rng.choice(PLAIN if rng.random() < 0.7 else CELLS) for _ in range(width)]
        if rng.random() < 0.1:
            cells.append(rng.choice(PLAIN))  # a row too wide
        if rng.random() < 0.1:
            cells = cells[:-1]  # a row too short
        lines.append(",".join(cells))
        if rng.random() < 0.1:
            lines.append(rng.choice(["", "  ", "\t"]))  # blank lines
    end = rng.choice(["\n", "\r\n", "\n\n", ""])
    return end.join(lines) + end


def test_fast_csv_takes_only_what_the_strict_reader_takes(tmp_path):
    rng = random.Random(9)
    taken = 0
    for i in range(1500):
        text = _random_csv(rng)
        needed = ["x"] if rng.random() < 0.5 or "y" not in text.split("\n")[0] else ["x", "y"]
        raw = text.encode("utf-8")
        path = tmp_path / f"d{i}.csv"
        path.write_bytes(raw)
        fast = data._csv_fast(raw, needed, "f.csv", str(path) if i % 2 else "-")  # file, stdin
        if fast is None:
            continue
        taken += 1
        strict = _strict_csv(text, needed)
        assert strict is not None, repr(text)
        assert fast.rows == strict.rows, repr(text)
        for name in needed:  # the same doubles, bit for bit
            assert fast.columns[name].tobytes() == strict.columns[name].tobytes(), repr(text)
    assert taken > 200  # the fast path was really tried


def test_fast_csv_reads_labels_and_reads_standard_input(tmp_path):
    text = "name,x,y\nfirst,1,2\nsecond,3,4.5\n"
    fast = data._csv_fast(text.encode(), ["x", "y"], "standard input", "-")
    assert fast is not None and fast.columns["y"].tolist() == [2, 4.5]
    path = tmp_path / "d.csv"
    path.write_text(text)
    fast = data._csv_fast(text.encode(), ["y"], "d.csv", str(path))
    assert fast.columns["y"].tolist() == [2, 4.5]


@pytest.mark.parametrize("cell", ["1_0", "nan", "1e999", " ", "\uff11", '"3', "0x10"])
def test_a_bad_cell_still_gets_the_strict_message(cli, tmp_path, cell):
    path = tmp_path / "d.csv"
    path.write_text("x,y\n" + "1,2\n" * 1000 + f"{cell},3\n", encoding="utf-8")
    r = cli("train", "(w*x - y)^2", "--param", "w=0", "--steps", "1", "--data", str(path))
    assert r.exit_code == 2 and "Traceback" not in r.stderr
    assert "line 1002" in r.stderr or "never closed" in r.stderr, r.stderr


JSON_VALUES = [1, -2.5, 1e300, 0, True, None, "1", [1], {"a": 1}, 10**400]


def _random_jsonl(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 6)):
        row = {"x": rng.choice(JSON_VALUES if rng.random() < 0.3 else [1, 2.5, -3e-5]),
               "y": rng.choice([1, 2.0])}
        if rng.random() < 0.1:
            del row["x"]
        line = json.dumps(row)
        if rng.random() < 0.15:
            line = rng.choice([" " + line + "\t", line + "\x0b", "[1]", "{", '{"x": NaN}',
                               '{"x":"}', '{"}', '{"x": 1},{"x": 2}', "", '{"x": [[1]], "y": 1}'])
        lines.append(line)
    return rng.choice(["\n", "\r\n"]).join(lines) + "\n"


def test_fast_jsonl_takes_only_what_the_strict_reader_takes():
    rng = random.Random(4)
    taken = 0
    for _ in range(1500):
        text = _random_jsonl(rng)
        fast = data._jsonl_fast(text, ["x", "y"], "f.jsonl")
        if fast is None:
            continue
        taken += 1
        strict = data._jsonl(text, ["x", "y"], "f.jsonl")  # raises if it refuses
        assert fast.rows == strict.rows
        for name in ("x", "y"):
            assert fast.columns[name].tobytes() == strict.columns[name].tobytes(), repr(text)
    assert taken > 300


def test_fast_and_strict_read_a_big_file_alike(tmp_path):
    rng = np.random.default_rng(3)
    x = rng.normal(size=5000)
    text = "x,y\n" + "".join(f"{a!r},{a * 3!r}\n" for a in x.tolist())
    path = tmp_path / "big.csv"
    path.write_text(text)
    got = data.load(str(path), ["x", "y"])
    assert got.columns["x"].tolist() == x.tolist()  # repr round-trips exactly
    assert got.columns["y"].tolist() == (x * 3).tolist()
