"""`check` with arrays (SPEC §6): TOML arrays in a key's bindings and in answers; shapes named.

The expected answers in the end-to-end test come from PyTorch, never from gradcli.
"""

from __future__ import annotations

import numpy as np
import pytest

from gradcli.homework.problems import compare, is_close, value_or_array
from torch_oracle import oracle_torch


def close(given, expected):
    return is_close(given, expected, 1e-6)


def test_answers_may_be_toml_arrays():
    got = value_or_array([[1, 2.5], [3, -4]], "the answer")
    np.testing.assert_array_equal(got, [[1, 2.5], [3, -4]])
    assert value_or_array("pi/4", "the answer") == pytest.approx(np.pi / 4)
    np.testing.assert_array_equal(value_or_array("[pi, 1]", "the answer"), [np.pi, 1])


def test_every_element_is_compared():
    e = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert compare(e + 1e-9, e, close) == (True, "")
    ok, note = compare(e + [[0, 0], [0, 0.1], [0, 0]], e, close)
    assert not ok and note == "1 of 6 elements differ; the first at [1, 1]"


def test_wrong_shape_names_both_shapes_and_spots_a_transpose():
    e = np.ones((3, 2))
    assert compare(np.ones((2, 3)), e, close) == (
        False, "wrong shape: (2, 3) where (3, 2) is expected (transposed?)")
    assert compare(np.ones(6), e, close) == (False, "wrong shape: (6,) where (3, 2) is expected")
    assert compare(2.0, np.ones(2), close) == (False, "wrong shape: () where (2,) is expected")
    assert compare(np.ones(2), 1.0, close) == (False, "wrong shape: (2,) where () is expected")
    sq = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert compare(sq.T, sq, close) == (False, "the transpose of the expected matrix (transposed?)")


def test_scalar_answers_are_graded_as_before():
    assert compare(3.0000001, 3.0, close) == (True, "")
    assert compare(3.1, 3.0, close) == (False, "")


KEY = """
[[problem]]
id = "affine"
program = "z = X @ w + b; L = sum(z^2)"
bindings = { X = [[1, 2], [3, 4], [5, 6]], w = [0.5, -1], b = 0.1 }
ask = ["value", "grad.w", "grad.X", "values.z"]
"""


def torch_answers():
    torch = oracle_torch()

    X = torch.tensor([[1.0, 2], [3, 4], [5, 6]], dtype=torch.float64, requires_grad=True)
    w = torch.tensor([0.5, -1], dtype=torch.float64, requires_grad=True)
    z = X @ w + 0.1
    L = (z ** 2).sum()
    L.backward()
    return float(L.detach()), w.grad.tolist(), X.grad.tolist(), z.detach().tolist()


def toml_array(v) -> str:
    return "[" + ", ".join(toml_array(x) if isinstance(x, list) else repr(float(x)) for x in v) + "]"


def test_check_grades_array_answers_end_to_end(tmp_path):
    from conftest import run_cli

    value, gw, gX, z = torch_answers()
    (tmp_path / "key.toml").write_text(KEY)
    right = (f"[affine]\nvalue = {value!r}\ngrad.w = {toml_array(gw)}\ngrad.X = {toml_array(gX)}\n"
             f"values.z = {toml_array(z)}\n")
    transposed = np.array(gX).T.tolist()
    wrong = (f"[affine]\nvalue = {value!r}\ngrad.w = {toml_array(gw[::-1])}\n"
             f"grad.X = {toml_array(transposed)}\nvalues.z = {toml_array(z)}\n")
    (tmp_path / "ada.toml").write_text(right)
    (tmp_path / "bob.toml").write_text(wrong)
    run = run_cli("check", str(tmp_path / "key.toml"), str(tmp_path / "ada.toml"), "--json")
    assert run.exit_code == 0, run.stdout
    expected = run.json["problems"][0]["expected"]
    np.testing.assert_allclose(expected["grad.X"], gX, rtol=1e-12)
    run = run_cli("check", str(tmp_path / "key.toml"), str(tmp_path / "bob.toml"), "--json")
    assert run.exit_code == 1
    marks = {m["quantity"]: m for m in run.json["students"][0]["marks"]}
    assert marks["value"]["ok"] and marks["values.z"]["ok"]
    assert not marks["grad.w"]["ok"] and "elements differ" in marks["grad.w"]["note"]
    assert marks["grad.X"]["note"] == "wrong shape: (2, 3) where (3, 2) is expected (transposed?)"
    # Its values are PyTorch's gradient transposed: diagnosed, as a square matrix's would be.
    assert marks["grad.X"]["diagnosis"] == {
        "kind": "transposed", "message": "this is the transpose of the right answer: ∂L/∂X has "
        "X's shape (3, 2), with element [i, j] = ∂L/∂X[i, j]"}
    human = run_cli("check", str(tmp_path / "key.toml"), str(tmp_path / "bob.toml"),
                    env={"COLUMNS": "250"})
    # The report shows the diagnosis where the note would be, as for a square matrix.
    assert "this is the transpose of the right answer: ∂L/∂X has X's shape (3, 2)" in human.stdout


def test_a_matrix_of_the_transposed_shape_but_other_values_is_not_called_a_transpose(tmp_path):
    from conftest import run_cli

    value, gw, gX, z = torch_answers()
    (tmp_path / "key.toml").write_text(KEY)
    wrong = np.array(gX).T
    wrong[0, 0] += 1  # one element off: the shape looks transposed, the values are not
    (tmp_path / "cy.toml").write_text(f"[affine]\ngrad.X = {toml_array(wrong.tolist())}\n")
    run = run_cli("check", str(tmp_path / "key.toml"), str(tmp_path / "cy.toml"), "--json")
    marks = {m["quantity"]: m for m in run.json["students"][0]["marks"]}
    assert marks["grad.X"]["note"] == "wrong shape: (2, 3) where (3, 2) is expected (transposed?)"
    assert marks["grad.X"]["diagnosis"] is None


def test_a_key_with_a_ragged_binding_is_a_value_error(tmp_path):
    from conftest import run_cli

    (tmp_path / "key.toml").write_text(KEY.replace("[[1, 2], [3, 4], [5, 6]]", "[[1, 2], [3], [5, 6]]"))
    (tmp_path / "a.toml").write_text("[affine]\nvalue = 1\n")
    run = run_cli("check", str(tmp_path / "key.toml"), str(tmp_path / "a.toml"), "--json")
    assert run.exit_code == 2 and run.json["error"]["kind"] == "value"
    assert "ragged" in run.json["error"]["message"]
