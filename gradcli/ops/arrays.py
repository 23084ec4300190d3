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
    # fmax, not where (ten times faster), with where's values: fmax(nan, 0) is 0, and
    # + 0.0 makes relu(-0.0) 0.0
    return np.fmax(a, 0.0) + 0.0


def leaky_relu(a, slope=0.01):
    return np.where(a > 0, a, slope * a)


def step(a):
    return np.greater(a, 0).astype(float)


def identity(a):
    return a


def masked_zero(mask, value):
    """A local derivative that is 0 by convention where mask holds (pow at 0)."""
    return np.where(mask, 0.0, value)


# -- arrays (README "Arrays: vectors and matrices") ---------------------------------------------------------
# Axes and indices reach a kernel as the values of constant nodes (floats):
# the shape pass has already checked that they are whole and in range.

def reduce_to(x, shape):
    """x summed back to `shape` over the axes broadcasting added or stretched."""
    x = np.asarray(x)
    if x.shape == tuple(shape):
        return x
    extra = x.ndim - len(shape)
    if extra:
        x = x.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and x.shape[i] != 1)
    if stretched:
        x = x.sum(axis=stretched, keepdims=True)
    return x


def matmul(a, b):
    return np.matmul(a, b)


def transpose(a):
    return np.transpose(a)


def total(a):
    return np.sum(a)


def sum_axis(a, k):
    return np.sum(a, axis=int(k))


def mean(a):
    return np.mean(a)


def mean_axis(a, k):
    return np.mean(a, axis=int(k))


def softmax(a):
    z = np.exp(a - np.max(a, axis=-1, keepdims=True))
    return z / np.sum(z, axis=-1, keepdims=True)


def log_softmax(a):
    z = a - np.max(a, axis=-1, keepdims=True)
    return z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))


def logsumexp(a):
    m = np.max(a, axis=-1, keepdims=True)
    return (m + np.log(np.sum(np.exp(a - m), axis=-1, keepdims=True)))[..., 0]


def class_indices(y):
    """The class indices of cross_entropy as integers (checked whole and in range before)."""
    return np.asarray(y).astype(np.intp)


def cross_entropy(s, y):
    ls = log_softmax(s)
    if np.ndim(s) == 1:
        return -ls[int(y)]
    return -np.mean(ls[np.arange(ls.shape[0]), class_indices(y)])


def index(a, *idx):
    return np.asarray(a)[tuple(int(i) for i in idx)]


def stack(*xs):
    return np.stack(xs)


# -- helpers of the array rules (rows of ops.HELPERS) --------------------------

def matmul_da(g, a, b):
    a, b, g = np.asarray(a), np.asarray(b), np.asarray(g)
    if b.ndim == 1:                        # out = a @ b has a's shape without its last axis
        return g * b if a.ndim == 1 else reduce_to(g[..., None] * b, a.shape)
    if a.ndim == 1:                        # a is a row: out has b's shape without its rows
        return reduce_to(np.matmul(b, g[..., None])[..., 0], a.shape)
    return reduce_to(np.matmul(g, np.swapaxes(b, -1, -2)), a.shape)


def matmul_db(g, a, b):
    a, b, g = np.asarray(a), np.asarray(b), np.asarray(g)
    if a.ndim == 1:
        return g * a if b.ndim == 1 else reduce_to(a[:, None] * g[..., None, :], b.shape)
    if b.ndim == 1:                        # b is a column
        return reduce_to(np.matmul(np.swapaxes(a, -1, -2), g[..., None])[..., 0], b.shape)
    return reduce_to(np.matmul(np.swapaxes(a, -1, -2), g), b.shape)


def expand(g, a):
    return np.broadcast_to(g, np.shape(a))


def unsum(g, a, k):
    return np.broadcast_to(np.expand_dims(g, int(k)), np.shape(a))


def count(a):
    return float(np.size(a))


def axis_count(a, k):
    return float(np.shape(a)[int(k)])


def sumlast(x):
    return np.sum(x, axis=-1, keepdims=True)


def lastaxis(g):
    return np.expand_dims(g, -1)


def onehot(y, s):
    hot = np.zeros(np.shape(s))
    if np.ndim(s) == 1:
        hot[int(y)] = 1.0
    else:
        hot[np.arange(hot.shape[0]), class_indices(y)] = 1.0
    return hot


def rows(s):
    return float(np.shape(s)[0]) if np.ndim(s) == 2 else 1.0


def pick(g, k):
    return np.asarray(g)[int(k)]


def place(t, k, out):
    z = np.zeros(np.shape(out))
    z[int(k)] = t
    return z


def unindex(g, a, *idx):
    z = np.zeros(np.shape(a))
    z[tuple(int(i) for i in idx)] = g
    return z
