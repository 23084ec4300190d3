"""A constant array literal in a program trained over --data rows (indexed, or stacked
beside per-row values) is the same for every row: it was an internal error (IndexError,
a broadcast ValueError). Checked against SGD steps written by hand in NumPy."""

from __future__ import annotations

import numpy as np
import pytest

import gradcli

RNG = np.random.default_rng(3)
X1, X2, Y = RNG.standard_normal(40), RNG.standard_normal(40), RNG.integers(0, 2, 40).astype(float)
DATA = {"x1": X1.tolist(), "x2": X2.tolist(), "y": Y.tolist()}
LR = 0.1


def sgd(grad, w=0.0, steps=3):
    for _ in range(steps):
        w -= LR * grad(w)
    return w


def test_an_indexed_constant_literal():
    # loss = mean((w*x1*3 - y)^2): dL/dw = mean(2 (3 w x1 - y) 3 x1)
    r = gradcli.train("(w*x1*[1, 3][1] - y)^2", {"w": 0.0}, data=DATA, lr=LR, steps=3)
    want = sgd(lambda w: np.mean(2 * (3 * w * X1 - Y) * 3 * X1))
    assert r.params["w"] == pytest.approx(want, rel=1e-13)


def test_a_constant_row_stacked_beside_per_row_values():
    # sum of [[w*x1, x2], [1, 2]] is w x1 + x2 + 3, squared: dL/dw = mean(2 (w x1 + x2 + 3) x1)
    r = gradcli.train("s = [[w*x1, x2], [1, 2]]; sum(s)^2", {"w": 0.0}, data=DATA, lr=LR, steps=3)
    want = sgd(lambda w: np.mean(2 * (w * X1 + X2 + 3) * X1))
    assert r.params["w"] == pytest.approx(want, rel=1e-13)


def test_a_constant_matrix_times_a_per_row_vector():
    # [[1, 2], [3, 4]] @ [w*x1, x2], summed: (1+3) w x1 + (2+4) x2, squared
    r = gradcli.train("sum([[1, 2], [3, 4]] @ [w*x1, x2])^2", {"w": 0.0}, data=DATA, lr=LR, steps=3)
    want = sgd(lambda w: np.mean(2 * (4 * w * X1 + 6 * X2) * 4 * X1))
    assert r.params["w"] == pytest.approx(want, rel=1e-13)
