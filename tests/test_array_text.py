"""Human output of arrays (SPEC §6): small arrays whole, big ones shortened as NumPy does, with the shape.

The oracle is the array itself: the text is read back number by number and compared
with the array's elements (to the 12 significant digits shown), and the shortened
text must show exactly NumPy's edge items.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from gradcli.views.array_text import EDGEITEMS, THRESHOLD, show

NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def read_back(text: str):
    shape_part, _, body = text.partition(") ")
    shape = tuple(int(n) for n in re.findall(r"\d+", shape_part))
    return shape, [float(x) for x in NUMBER.findall(body)], body


def edges(a):
    for axis, n in enumerate(a.shape):
        if n > 2 * EDGEITEMS:
            a = np.take(a, list(range(EDGEITEMS)) + list(range(n - EDGEITEMS, n)), axis=axis)
    return a


@pytest.mark.parametrize("shape", [(1,), (3,), (2, 2), (5, 4), (4, 1, 3), (1, 100), (10, 10)])
def test_small_arrays_are_whole(shape):
    a = np.random.default_rng(1).standard_normal(shape) * 10.0 ** np.random.default_rng(2).integers(-5, 5, shape)
    text = show(a)
    got_shape, numbers, body = read_back(text)
    assert got_shape == shape and "..." not in body
    np.testing.assert_allclose(numbers, a.ravel(), rtol=1e-11)


@pytest.mark.parametrize("shape", [(101,), (1000,), (20, 30), (7, 7, 7), (3, 200)])
def test_big_arrays_are_shortened_as_numpy_does(shape):
    a = np.random.default_rng(3).standard_normal(shape)
    text = show(a)
    got_shape, numbers, body = read_back(text)
    assert got_shape == shape and "..." in body
    np.testing.assert_allclose(numbers, edges(a).ravel(), rtol=1e-11)
    # the same layout NumPy gives, element for element
    plain = np.array2string(a, threshold=THRESHOLD, edgeitems=EDGEITEMS, separator=", ")
    assert plain.count("...") == body.count("...")


def test_scalars_stay_as_gradcli_writes_them():
    assert show(4.0) == "4" and show(0.1 + 0.2) == "0.3" and show(np.float64(2.5)) == "2.5"
    assert show(np.array(3.0)) == "3"       # a 0-d array is a number
    assert show(float("nan")) == "undefined" and show(None) == "undefined"


def test_the_text_is_a_literal_gradcli_reads_back():
    from gradcli.program.bindings import bind, resolve

    a = np.array([[0.5, -2.0, 3.25], [1e-7, 1e20, -0.125]])
    _, _, body = read_back(show(a))
    got = bind(["W"], [], resolve({"W": body}))["W"]
    np.testing.assert_array_equal(got, a)


def test_vectors_and_shapes_are_written_as_python_tuples():
    assert show(np.array([1.0, 2.0])).startswith("(2,) [")
    assert show(np.ones((3, 2))).startswith("(3, 2) [[")
