"""`check` with arrays (SPEC §6): TOML arrays in a key's bindings and in answers; shapes named.

The expected answers in the end-to-end test come from PyTorch, never from gradcli.
"""

from __future__ import annotations

import numpy as np
import pytest

from gradcli.homework.problems import compare, value_or_array


def test_answers_may_be_toml_arrays():
    got = value_or_array([[1, 2.5], [3, -4]], "the answer")
    np.testing.assert_array_equal(got, [[1, 2.5], [3, -4]])
    assert value_or_array("pi/4", "the answer") == pytest.approx(np.pi / 4)
    np.testing.assert_array_equal(value_or_array("[pi, 1]", "the answer"), [np.pi, 1])


def test_every_element_is_compared():
    e = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert compare(e + 1e-9, e, 1e-6) == (True, "")
    ok, note = compare(e + [[0, 0], [0, 0.1], [0, 0]], e, 1e-6)
    assert not ok and note == "1 of 6 elements differ; the first at [1, 1]"


def test_wrong_shape_names_both_shapes_and_spots_a_transpose():
    e = np.ones((3, 2))
    assert compare(np.ones((2, 3)), e, 1e-6) == (
        False, "wrong shape: (2, 3) where (3, 2) is expected (transposed?)")
    assert compare(np.ones(6), e, 1e-6) == (False, "wrong shape: (6,) where (3, 2) is expected")
    assert compare(2.0, np.ones(2), 1e-6) == (False, "wrong shape: () where (2,) is expected")
    assert compare(np.ones(2), 1.0, 1e-6) == (False, "wrong shape: (2,) where () is expected")
    sq = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert compare(sq.T, sq, 1e-6) == (False, "the transpose of the expected matrix (transposed?)")


def test_scalar_answers_are_graded_as_before():
    assert compare(3.0000001, 3.0, 1e-6) == (True, "")
    assert compare(3.1, 3.0, 1e-6) == (False, "")
