"""A bad class index computed from the data (cross_entropy(s, 1 - y)) is named by the
file's FIRST bad row, whichever mini-batch meets a bad one first. Two rows are bad here
(rows 4 and 22, marked in the text); before, a batch holding only row 22 named row 22."""

from __future__ import annotations

import pytest
from conftest import assert_clean_error

GOOD = [(0.1 * k, -0.2 * k, k % 2) for k in range(30)]


def _csv(bad: dict[int, str]) -> str:
    lines = ["x1,x2,y"]
    for k, (a, b, y) in enumerate(GOOD):
        lines.append(f"0.777,{b},{bad[k]}" if k in bad else f"{a},{b},{y}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", ["1", "2", "3", "4", "5", "6"])
def test_the_first_bad_row_of_the_file_is_named(cli, tmp_path, seed):
    text = _csv({3: "3", 21: "5"})  # 1 - y: -2 on row 4 (line 5), -4 on row 22 (line 23)
    path = tmp_path / "two_bad.csv"
    path.write_text(text)
    r = cli("train", "s = [w*x1, x2]; cross_entropy(s, 1 - y)", "--param", "w=0", "--steps", "20",
            "--seed", seed, "--batch-size", "4", "--data", str(path))
    assert_clean_error(r, 2, f"{path}, line 5 (row 4): 'cross_entropy(s, 1 - y)'",
                       "but on this row '1 - y' is -2")
