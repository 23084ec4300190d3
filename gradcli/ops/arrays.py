"""NumPy kernels: the forward rule of every operation on arrays (and scalars).

The same names as `kernels.py`, so one operation table and one set of
derivative rules serve both kinds of numbers. IEEE semantics (nan, ±inf, no
exceptions): callers run inside `np.errstate(all="ignore")` and check the
results, as the float passes do.
"""

from __future__ import annotations

import numpy as np

add, sub, mul, neg = np.add, np.subtract, np.multiply, np.negative
div = np.divide
power = np.power
exp, log, log2, log10, sqrt = np.exp, np.log, np.log2, np.log10, np.sqrt
sin, cos, tan, asin, acos, atan = np.sin, np.cos, np.tan, np.arcsin, np.arccos, np.arctan
sinh, cosh, tanh = np.sinh, np.cosh, np.tanh
absolute, sign = np.absolute, np.sign
maximum, minimum = np.maximum, np.minimum


def sech(a):
    return 1.0 / np.cosh(a)  # cosh overflows to inf, and 1/inf is the right 0


def sigmoid(a):
    # exp of a non-positive number only: no overflow at ±1000.
    z = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def softplus(a):
    return np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a)))


def relu(a):
    return np.where(a > 0, a, 0.0)


def leaky_relu(a, slope=0.01):
    return np.where(a > 0, a, slope * a)


def step(a):
    return np.where(a > 0, 1.0, 0.0)


def identity(a):
    return a


def masked_zero(mask, value):
    """A local derivative that is 0 by convention where mask holds (pow at 0)."""
    return np.where(mask, 0.0, value)
