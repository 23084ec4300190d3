"""`check`'s report never cuts a number (issue 9 item 1): arrays are written under the
table with lines broken only between numbers, and every column stays at any width.

The expected numbers come from PyTorch and the given ones from the answer file itself;
every number the report prints is parsed back and must be one of them, whole.
"""

from __future__ import annotations

import re

import pytest

from conftest import run_cli
from torch_oracle import oracle_torch

KEY = """
[[problem]]
id = "affine_layer"
program = "z = X @ w + b; L = sum(z^2)"
bindings = { X = [[1.123456789, 2.3], [3.7, -4.987654321], [5.3, 6.1]], w = [0.57, -1.09], b = 0.1 }
ask = ["value", "grad.w", "grad.X", "values.z"]
points = 3
"""

# Long numbers (12 significant digits, as the report writes them), one answer transposed.
GIVEN = {
    "value": -1.09201202211,
    "grad.w": [-1.09201202211, 2.5555555555],
    "grad.X": [[-1.09201202211, 2.333333333, 4.1], [1.23456789012, -0.123456789, 7.77777777]],
    "values.z": [1.5, -2.50000000001, 3.5],
}

NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def torch_expected() -> list[float]:
    torch = oracle_torch()
    X = torch.tensor([[1.123456789, 2.3], [3.7, -4.987654321], [5.3, 6.1]], dtype=torch.float64,
                     requires_grad=True)
    w = torch.tensor([0.57, -1.09], dtype=torch.float64, requires_grad=True)
    z = X @ w + 0.1
    L = (z ** 2).sum()
    L.backward()
    return [float(L.detach()), *w.grad.tolist(), *X.grad.flatten().tolist(), *z.detach().tolist()]


def flat(v) -> list[float]:
    return [x for row in v for x in flat(row)] if isinstance(v, list) else [float(v)]


def toml_value(v) -> str:
    return "[" + ", ".join(toml_value(x) for x in v) + "]" if isinstance(v, list) else repr(v)


def report(tmp_path, width: int, points: bool) -> str:
    (tmp_path / "key.toml").write_text(KEY if points else KEY.replace("points = 3\n", ""))
    (tmp_path / "s1.toml").write_text(
        "[affine_layer]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in GIVEN.items()))
    run = run_cli("check", str(tmp_path / "key.toml"), str(tmp_path / "s1.toml"),
                  env={"COLUMNS": str(width)})
    assert run.exit_code == 1, run.stdout + run.stderr
    assert all(len(line) <= width for line in run.stdout.splitlines()), run.stdout
    return run.stdout


def close_to_one_of(token: str, numbers: list[float]) -> bool:
    t = float(token)
    return any(abs(t - n) <= 1e-10 * max(1.0, abs(n)) for n in numbers)


@pytest.mark.parametrize("points", [False, True])
@pytest.mark.parametrize("width", [60, 80, 100, 200])
def test_every_number_is_printed_whole(tmp_path, width, points):
    out = report(tmp_path, width, points)
    expected = torch_expected()
    given = [x for v in GIVEN.values() for x in flat(v)]
    tokens = NUMBER.findall(out)
    for n in expected + given:
        assert any(close_to_one_of(t, [n]) for t in tokens), (n, out)
    # A fragment of a cut number ("[-1.092", "01202211") would be a number of no answer.
    known = expected + given + [0.75, 0.0]  # and the points: 3 shared by 4 answers, 0 scored
    for t in tokens:
        if "." in t or len(t.lstrip("-")) > 3:
            assert close_to_one_of(t, known), (t, out)


@pytest.mark.parametrize("points", [False, True])
@pytest.mark.parametrize("width", [60, 80, 100, 200])
def test_every_column_and_note_is_there(tmp_path, width, points):
    """A table with every column, or (too narrow for one) a block per mark with every field."""
    out = report(tmp_path, width, points)
    lines = out.splitlines()
    headers = [line for line in lines if line.startswith("problem  ")]
    columns = ["problem", "quantity", "expected", "given"] + (["points"] if points else []) + ["note"]
    if headers and re.findall(r"\S+", headers[0]) == columns:
        assert "affine_layer  grad.X" in out
    else:
        assert width < 100, out  # a table fits from 100 columns on
        for quantity in GIVEN:
            head = next(i for i, line in enumerate(lines) if line.startswith(f"affine_layer {quantity} ✗"))
            assert ("points" in lines[head]) == points
            assert lines[head + 1].startswith("  expected: "), out
            assert any(line.startswith("  given:    ") for line in lines[head + 2:head + 8]), out
    words = re.findall(r"\S+", out)
    for word in ["wrong", "shape:", "(transposed?)", "elements", "differ;"]:
        assert word in words, (word, out)


def test_an_array_is_named_under_the_table_with_its_shape(tmp_path):
    out = report(tmp_path, 80, False)
    lines = out.splitlines()
    row = next(line for line in lines if line.startswith("affine_layer  grad.X"))
    assert "(3, 2) ↓" in row and "(2, 3) ↓" in row
    head = next(i for i, line in enumerate(lines) if "affine_layer grad.X expected:" in line)
    assert lines[head].split("expected:")[1].strip().startswith("(3, 2) [[")
    # Its later rows start under its first: the column of the first "[[".
    column = lines[head].index("[[")
    assert lines[head + 1].index("[") == column + 1


@pytest.mark.parametrize("width", [60, 200])
def test_a_missing_and_a_malformed_answer_are_said_in_either_layout(tmp_path, width):
    (tmp_path / "key.toml").write_text(KEY)
    junk = "not a number at all, just words"
    (tmp_path / "s1.toml").write_text(f'[affine_layer]\nvalue = "{junk}"\ngrad.w = [1, 2]\n')
    run = run_cli("check", str(tmp_path / "key.toml"), str(tmp_path / "s1.toml"),
                  env={"COLUMNS": str(width)})
    assert run.exit_code == 1
    assert junk in run.stdout                         # whole, on a line of its own
    assert run.stdout.count("missing") >= 2, run.stdout   # grad.X and values.z
