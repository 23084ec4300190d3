"""QA: `-X @X.csv` whose first line holds nan or inf.

The message was "'nan' is not a number" with the hint "an array's CSV has no header row",
which sends a student looking for a header that is not there. Now it says what --data
says of the same cell: not a finite number, and no header hint. A CSV of finite numbers
still binds as NumPy reads it (the oracle).
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import assert_clean_error, run_cli


@pytest.mark.parametrize("cell", ["nan", "NaN", "inf", "-inf", " +Infinity "])
def test_a_non_finite_cell_on_the_first_line_is_not_called_a_header(tmp_path, cell):
    path = tmp_path / "X.csv"
    path.write_text(f"1,{cell},3\n4,5,6\n")
    run = run_cli("eval", "sum(X)", "-X", f"@{path}")
    assert_clean_error(run, 2, "value error", "line 1, column 2", "is not a finite number")
    assert "header" not in run.stderr


def test_a_header_is_still_called_one(tmp_path):
    path = tmp_path / "X.csv"
    path.write_text("a,b\n1,2\n")
    run = run_cli("eval", "sum(X)", "-X", f"@{path}")
    assert_clean_error(run, 2, "'a' is not a number", "no header row")


def test_finite_numbers_bind_as_numpy_reads_them(tmp_path):
    path = tmp_path / "X.csv"
    path.write_text("1.5,-2e3,3\n4,5,.25\n")
    run = run_cli("eval", "X", "-X", f"@{path}", "--json")
    assert run.exit_code == 0, run.stderr
    np.testing.assert_array_equal(np.array(run.json["value"]), np.loadtxt(path, delimiter=","))
