"""Make the array examples' inputs: two_layer.npz and rnn.npz (seeded, reproducible).

    python3 examples/make_array_examples.py

two_layer.npz  CS231n's toy two-layer network (assignment 1, two_layer_net.ipynb):
               X (5, 4) = 10·randn with seed 1, y = [0, 1, 2, 2, 1], W1 (4, 10) and
               W2 (10, 3) = 0.1·randn with seed 0, b1, b2 = 0, reg = 0.05. Its loss is
               the notebook's 1.30378789133.
rnn.npz        a recurrent cell of 3 units over 4 time steps of 2 inputs: W (3, 3), U (3, 2),
               b (3,), h0 (3,), x1 … x4 (2,), target (3,), drawn with
               numpy.random.default_rng(0).
"""

from __future__ import annotations

import pathlib

import numpy as np

HERE = pathlib.Path(__file__).parent


def two_layer() -> dict:
    # CS231n draws with the legacy global generator: RandomState gives the same numbers.
    model = np.random.RandomState(0)
    W1 = 1e-1 * model.randn(4, 10)
    b1 = np.zeros(10)
    W2 = 1e-1 * model.randn(10, 3)
    b2 = np.zeros(3)
    data = np.random.RandomState(1)
    X = 10 * data.randn(5, 4)
    y = np.array([0, 1, 2, 2, 1], dtype=float)
    return {"X": X, "y": y, "W1": W1, "b1": b1, "W2": W2, "b2": b2, "reg": np.float64(0.05)}


def rnn() -> dict:
    rng = np.random.default_rng(0)
    out = {"W": 0.5 * rng.standard_normal((3, 3)), "U": 0.5 * rng.standard_normal((3, 2)),
           "b": 0.1 * rng.standard_normal(3), "h0": np.zeros(3)}
    for t in range(1, 5):
        out[f"x{t}"] = rng.standard_normal(2)
    out["target"] = np.array([0.5, -0.5, 0.25])
    return out


def main() -> None:
    np.savez(HERE / "two_layer.npz", **two_layer())
    np.savez(HERE / "rnn.npz", **rnn())


if __name__ == "__main__":
    main()
