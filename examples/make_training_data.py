"""Make the training examples' data sets: points.csv and moons.csv (seeded, reproducible).

    python3 examples/make_training_data.py

points.csv  200 points on the line y = 2x + 1 with Gaussian noise (σ 0.3):
            linear regression, `(w*x + b - y)^2`, learns w ≈ 2, b ≈ 1.
moons.csv   two interleaving half circles, 200 points, labels y = 0 / 1
            (the usual "moons" toy set): logistic regression on x1, x2.
"""

from __future__ import annotations

import csv
import math
import pathlib

import numpy as np

HERE = pathlib.Path(__file__).parent


def points(rng, n=200):
    x = rng.uniform(-2, 2, n)
    y = 2 * x + 1 + rng.normal(0, 0.3, n)
    return {"x": x, "y": y}


def moons(rng, n=200, noise=0.1):
    half = n // 2
    t_out = np.linspace(0, math.pi, half)
    t_in = np.linspace(0, math.pi, n - half)
    x1 = np.concatenate([np.cos(t_out), 1 - np.cos(t_in)])
    x2 = np.concatenate([np.sin(t_out), 0.5 - np.sin(t_in)])
    y = np.concatenate([np.zeros(half), np.ones(n - half)])
    x1 += rng.normal(0, noise, n)
    x2 += rng.normal(0, noise, n)
    order = rng.permutation(n)
    return {"x1": x1[order], "x2": x2[order], "y": y[order]}


def write(path: pathlib.Path, columns: dict) -> None:
    with open(path, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(columns)
        for row in zip(*columns.values()):
            out.writerow([f"{v:.6g}" for v in row])


if __name__ == "__main__":
    rng = np.random.default_rng(2024)
    write(HERE / "points.csv", points(rng))
    write(HERE / "moons.csv", moons(rng))
    print("wrote", HERE / "points.csv", "and", HERE / "moons.csv")
