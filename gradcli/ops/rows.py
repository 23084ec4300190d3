"""Kernels over rows: a program written for one row of data, run on every row at once.

`train --data` runs a program written for one row, and its loss is the mean over a
batch's rows (README "Training array parameters"). In this domain every value carries a
leading row axis: of size N where it differs from row to row (a data column, and all
that depends on one), of size 1 where it is the same for every row (a parameter, a
constant). A value's per-row shape is its shape without that axis, so the same
operation table, the same rules and the same passes apply; each kernel here is the
array kernel (kernels_np) applied row by row, written with NumPy so that the rows go
through at once:

- elementwise kernels line their operands up by per-row shape (a row's scalar against
  a row's vector), then broadcast as NumPy does;
- `matmul` of a shared matrix and a per-row vector is one matrix product over all
  rows (X @ W.T), and so are its two gradient helpers: a shared operand's gradient is
  summed over the rows by the matrix product itself (G.T @ X), never built per row;
- a contribution to a shared value is summed over the rows (`reduce_to`), so that
  gradients of parameters come out as the sum the mean loss needs.

Anything without a vectorised rule here falls back to the array kernel, row by row:
slower, never different.
"""

from __future__ import annotations

import numpy as np

from gradcli.ops import arrays as K


def _n(x) -> int:
    """How many rows a value has: N, or 1 for a shared one."""
    return np.shape(x)[0]


def lead(x):
    """A value as this domain holds it: a float or a per-row-free array gets a leading 1."""
    x = np.asarray(x)   # (a mask stays a mask: g * mask needs no array of floats)
    return x[None] if x.ndim == 0 else x


def shared(v):
    """A value that is the same for every row (a parameter, a bound array, a constant)."""
    return np.asarray(v, dtype=np.float64)[None]


def column(v):
    """A data column: one number per row."""
    return np.asarray(v, dtype=np.float64)


def _align(xs):
    """The operands with their per-row axes lined up at the right, as NumPy broadcasting
    lines up ordinary arrays: (N,) against (1, 16) becomes (N, 1) against (1, 16)."""
    xs = [lead(x) for x in xs]
    top = max(x.ndim for x in xs)
    return [x.reshape(x.shape[:1] + (1,) * (top - x.ndim) + x.shape[1:]) if x.ndim < top else x
            for x in xs]


def _elementwise(f):
    def kernel(*xs):
        if all(np.ndim(x) == 0 for x in xs):   # numbers (a rule's folded constants) stay numbers
            return f(*xs)
        return f(*_align(xs))

    kernel.__name__ = getattr(f, "__name__", "kernel")
    return kernel


def _per_row(f, *xs):
    """f (an array kernel) applied row by row: the fallback, correct for any kernel."""
    xs = [lead(x) for x in xs]
    n = max(_n(x) for x in xs)
    out = [f(*(x[r if _n(x) > 1 else 0] for x in xs)) for r in range(n)]
    return np.stack([np.asarray(o, dtype=np.float64) for o in out])


def _number(k) -> int:
    """An axis, an index or a class index, as a constant node holds it (shape (1,))."""
    return int(np.asarray(k).reshape(-1)[0])


def _axis(x, k) -> int:
    """A per-row axis (negative from the end) as an axis of the row-led array."""
    k = _number(k)
    return k + 1 if k >= 0 else lead(x).ndim + k


# -- elementwise: every kernel of kernels_np before its array section -------------------------

_ARRAY_KERNELS = {"reduce_to", "matmul", "transpose", "total", "sum_axis", "mean", "mean_axis",
                  "softmax", "log_softmax", "logsumexp", "class_indices", "cross_entropy", "index",
                  "stack", "matmul_da", "matmul_db", "expand", "unsum", "count", "axis_count",
                  "sumlast", "lastaxis", "onehot", "rows", "pick", "place", "unindex"}

for _name in dir(K):
    _f = getattr(K, _name)
    if _name.startswith("_") or _name in _ARRAY_KERNELS or not callable(_f) or isinstance(_f, type):
        continue
    if getattr(_f, "__module__", None) not in ("gradcli.ops.arrays", "numpy") and not isinstance(_f, np.ufunc):
        continue
    globals()[_name] = _elementwise(_f)


# -- the array kernels, row by row ------------------------------------------------------------

def reduce_to(x, shape):
    """x brought to a value's shape (row axis first): the per-row axes broadcasting added
    summed away, then every axis the value has as 1 and x has not, the row axis too, so
    that a shared value's contribution is its sum over the rows."""
    x = lead(x)
    shape = tuple(shape)
    if x.shape == shape:
        return x
    if not shape:   # a constant of the program (held as a number): one shared scalar
        return reduce_to(x, (1,)).reshape(())
    extra = x.ndim - len(shape)
    if extra > 0:
        x = x.sum(axis=tuple(range(1, 1 + extra)))
    elif extra < 0:
        x = x.reshape(x.shape[:1] + (1,) * -extra + x.shape[1:])
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and x.shape[i] != 1)
    if stretched:
        x = x.sum(axis=stretched, keepdims=True)
    return x


def chain(g, local):
    """g times a local derivative, per-row axes lined up; 0 where g is 0 (not 0·∞)."""
    g, local = _align([g, local])
    product = g * local
    if not np.isfinite(product).all():
        product = np.where(g == 0, 0.0, product)
    return product


def matmul(a, b):
    a, b = lead(a), lead(b)
    ra, rb = a.ndim - 1, b.ndim - 1
    if ra == 2 and rb == 1 and _n(a) == 1:          # W @ x per row: X @ W.T
        return b @ a[0].T
    if ra == 1 and rb == 2 and _n(b) == 1:          # x @ W per row
        return a @ b[0]
    if ra == 1 and rb == 1:                           # a dot product per row
        return np.einsum("ri,ri->r", *np.broadcast_arrays(a, b))
    if ra >= 2 and rb >= 2:
        return np.matmul(*_align([a, b]))
    return _per_row(K.matmul, a, b)


def matmul_da(g, a, b):
    g, a, b = lead(g), lead(a), lead(b)
    ra, rb = a.ndim - 1, b.ndim - 1
    if ra == 2 and rb == 1:                           # out = W @ x: ∂W = Σ_rows g xᵀ
        if _n(a) == 1:
            return (np.broadcast_to(g, (max(_n(g), _n(b)),) + g.shape[1:]).T
                    @ np.broadcast_to(b, (max(_n(g), _n(b)),) + b.shape[1:]))[None]
        return g[:, :, None] * b[:, None, :]
    if ra == 1 and rb == 2 and _n(b) == 1:          # out = x @ W: ∂x = g @ Wᵀ per row
        return reduce_to(g @ b[0].T, a.shape)
    if ra == 1 and rb == 1:
        return reduce_to(g[:, None] * b, a.shape)
    return reduce_to(_per_row(K.matmul_da, g, a, b), a.shape)


def matmul_db(g, a, b):
    g, a, b = lead(g), lead(a), lead(b)
    ra, rb = a.ndim - 1, b.ndim - 1
    if ra == 2 and rb == 1 and _n(a) == 1:          # out = W @ x: ∂x = Wᵀ g per row
        return reduce_to(g @ a[0], b.shape)
    if ra == 1 and rb == 2:                           # out = x @ W: ∂W = Σ_rows x gᵀ
        if _n(b) == 1:
            n = max(_n(g), _n(a))
            return (np.broadcast_to(a, (n,) + a.shape[1:]).T @ np.broadcast_to(g, (n,) + g.shape[1:]))[None]
        return a[:, :, None] * g[:, None, :]
    if ra == 1 and rb == 1:
        return reduce_to(g[:, None] * a, b.shape)
    return reduce_to(_per_row(K.matmul_db, g, a, b), b.shape)


def transpose(a):
    a = lead(a)
    return np.transpose(a, (0,) + tuple(range(a.ndim - 1, 0, -1)))


def total(a):
    a = lead(a)
    return a.reshape(_n(a), -1).sum(axis=1)


def sum_axis(a, k):
    return np.sum(lead(a), axis=_axis(a, k))


def mean(a):
    a = lead(a)
    return a.reshape(_n(a), -1).mean(axis=1)


def mean_axis(a, k):
    return np.mean(lead(a), axis=_axis(a, k))


def softmax(a):
    return K.softmax(lead(a))      # over the last axis: a row's last axis


def log_softmax(a):
    return K.log_softmax(lead(a))


def logsumexp(a):
    return K.logsumexp(lead(a))


def class_indices(y):
    return np.asarray(y).astype(np.intp)


def cross_entropy(s, y):
    s, y = lead(s), lead(y)
    if s.ndim == 2:                                   # a row's scores (C,), one index per row
        n = max(_n(s), _n(y))
        ls = K.log_softmax(np.broadcast_to(s, (n,) + s.shape[1:]))
        return -ls[np.arange(n), np.broadcast_to(class_indices(y), (n,))]
    return _per_row(K.cross_entropy, s, y)


def index(a, *idx):
    return lead(a)[(slice(None),) + tuple(_number(i) for i in idx)]


def stack(*xs):
    xs = _align(xs)
    n = max(_n(x) for x in xs)
    shape = np.broadcast_shapes(*(x.shape[1:] for x in xs))
    return np.stack([np.broadcast_to(x, (_n(x),) + shape) if _n(x) == n
                     else np.broadcast_to(x, (n,) + shape) for x in xs], axis=1)


def expand(g, a):
    g, a = _align([g, a])
    return reduce_to(np.broadcast_to(g, (_n(g),) + a.shape[1:]), a.shape)


def unsum(g, a, k):
    g, a = lead(g), lead(a)
    k = _axis(a, k)
    return reduce_to(np.broadcast_to(np.expand_dims(g, k), (_n(g),) + a.shape[1:]), a.shape)


def count(a):
    return float(np.prod(lead(a).shape[1:]))


def axis_count(a, k):
    a = lead(a)
    return float(a.shape[_axis(a, k)])


def sumlast(x):
    return np.sum(lead(x), axis=-1, keepdims=True)


def lastaxis(g):
    return np.expand_dims(lead(g), -1)


def onehot(y, s):
    s, y = lead(s), lead(y)
    if s.ndim == 2:
        n = max(_n(s), _n(y))
        hot = np.zeros((n,) + s.shape[1:])
        hot[np.arange(n), np.broadcast_to(class_indices(y), (n,))] = 1.0
        return hot
    return _per_row(K.onehot, y, s)


def rows(s):
    """kernels_np.rows per row: how many rows of scores one row holds (1 for a vector)."""
    s = lead(s)
    return float(s.shape[1]) if s.ndim == 3 else 1.0


def pick(g, k):
    return lead(g)[:, _number(k)]


def place(t, k, out):
    t, out = lead(t), lead(out)
    n = max(_n(t), _n(out))
    z = np.zeros((n,) + out.shape[1:])
    z[:, _number(k)] = t
    return z


def unindex(g, a, *idx):
    g, a = lead(g), lead(a)
    z = np.zeros((_n(g),) + a.shape[1:])
    z[(slice(None),) + tuple(_number(i) for i in idx)] = g
    return reduce_to(z, a.shape)


# -- the fast table: training's steps, whose loss and gradients are checked at the end ----------

def _fast_chain(g, local):
    """chain without the 0·∞ guard (a non-finite result is seen at the end, then redone)."""
    g, local = _align([g, local])
    return g * local


def _fast_relu(a):
    return np.maximum(lead(a), 0.0)    # one pass (a nan stays nan: the loss check sees it)


def _fast_step(a):
    return lead(a) > 0                 # a mask: g * mask needs no array of ones and zeros


class _Table:
    """A kernel table that is this module with a few kernels replaced."""

    def __init__(self, **replaced):
        self.__dict__.update(replaced)

    def __getattr__(self, name):
        try:
            return globals()[name]
        except KeyError:
            raise AttributeError(name) from None


def _fast_is_zero(x) -> bool:
    """Only a missing adjoint: looking for an all-zero array costs a pass over it, and a
    zero passed on changes nothing here (a 0·∞ shows at the end and is redone carefully)."""
    return x is None


FAST = _Table(chain=_fast_chain, relu=_fast_relu, step=_fast_step, is_zero=_fast_is_zero)
