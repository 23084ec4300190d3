"""The arrays domain (README "Arrays: vectors and matrices"): every node's value is a
NumPy array of its own shape, run by the engine's passes (passes/engine.py).

The same graph, operation table and passes as every domain. An elementwise row
(`Op.grads`) contributes its local derivative times the adjoint, summed back
to the input's shape where broadcasting stretched it (`reduce_to`); a row
that is not elementwise carries `vjp` and `jvp` rules (matmul, sum, softmax,
cross_entropy, indexing, literals), in gradcli's own language over the NumPy
kernels of ops/arrays.py. What this module adds is the domain: its kernels,
its zero, its 0·∞ convention, its reduction, its errors.

Shapes are inferred (passes/shapes.py) before any of this runs, so a kernel
never meets shapes that do not fit. Class indices (`cross_entropy`'s y) are
checked when their values are known, before the node is computed.

Imported only for a program with arrays, so NumPy never slows a scalar one-shot.
"""

from __future__ import annotations

import numpy as np

from gradcli.errors import GradMathError, GradUsageError, GradValueError
from gradcli.language.graph import Graph
from gradcli.numbers import fmt, shape_text
from gradcli.ops import arrays as kernels_np
from gradcli.ops.table import OVERFLOW, Op
from gradcli.passes import engine
from gradcli.passes.arrays import NumpyRows
from gradcli.passes.floats import _HALF_DIGITS, TINY


class Arrays(NumpyRows):
    """NumPy arrays, each of its node's shape; 0·∞ is 0 where nothing flows.

    A NumPy domain like the rows': the zero rule and PyTorch's masks are theirs.
    """

    name = "arrays"

    def const(self, v, name=None):
        return np.asarray(v, dtype=float)

    def leaf(self, graph, i):
        return np.asarray(graph.consts[i], dtype=float)

    def apply(self, op, xs):
        return np.asarray(self.kernel(op)(*xs), dtype=float)

    def check(self, graph, i, vals, v):
        if not np.isfinite(v).all():
            raise forward_error(graph, i, vals, v)
        return v

    def chain(self, g, local):
        if not callable(local) and np.ndim(local) == 0:   # a constant rule (1 of +, -1 of -)
            return g if local == 1 else g * float(local)
        product = g * local
        if not np.isfinite(product).all():
            product = np.where(g == 0, 0.0, product)
        return product

    def reduce_to(self, contribution, value, out):
        return kernels_np.reduce_to(contribution, np.shape(value))

    def spread(self, tangent, out):
        return np.broadcast_to(tangent, np.shape(out))


def _labelled_kernel(domain, graph, i, xs):
    """cross_entropy and every op with class indices: check them, then compute."""
    check_labels(graph, i, xs)
    return domain.apply(graph.ops[i], xs)


ARRAYS = Arrays(kernels_np)


def check_labels(g: Graph, i: int, xs: list) -> None:
    """Class indices must be whole numbers in range (a value error: they are data)."""
    op = g.ops[i]
    classes = np.shape(xs[0])[-1]
    for k in op.labels:
        j = g.args[i][k]
        y = np.atleast_1d(np.asarray(xs[k], dtype=float))
        bad = ~((y == np.floor(y)) & (y >= 0) & (y < classes))
        if bad.any():
            at = int(np.argmax(bad))   # flat: y may have a row axis and its own (rows of (K, C) scores)
            index = tuple(map(int, np.unravel_index(at, y.shape)))
            where = f"[{', '.join(map(str, index))}]" if np.ndim(xs[k]) else ""
            value = fmt(float(y.flat[at]))
            head = class_index_rule(g, i, j, classes)
            raise BadClassIndex(f"{head}, but {_indexed(g.label(j), where)} is {value}", head=head,
                                node=j, label=g.label(j), value=value, index=index, shape=y.shape)


def class_index_rule(g: Graph, i: int, j: int, classes: int) -> str:
    """What node j, the class indices of node i, must be (the start of every such message)."""
    return (f"{g.describe(i)}: the class indices {g.describe(j)} must be whole numbers from 0 "
            f"to {classes - 1} (the scores have {classes} classes)")


class BadClassIndex(GradValueError):
    """A class index out of range, with where it is: training names the data row's line."""

    def __init__(self, message: str, *, head: str, node: int, label: str, value: str,
                 index: tuple, shape: tuple):
        super().__init__(message)
        self.head, self.node, self.label, self.value = head, node, label, value
        self.index, self.shape = index, shape


def forward(g: Graph, inputs: dict, shapes: list) -> list:
    """Every node's value as an array; a non-finite one is a math error naming the node."""
    if not ARRAYS.special_forward:
        from gradcli.ops import table as O

        ARRAYS.special_forward = {op: _labelled_kernel for op in O.ARRAY_OPS if op.labels}
    with np.errstate(all="ignore"):
        return engine.forward(g, {k: np.asarray(v, dtype=float) for k, v in inputs.items()}, ARRAYS)


class Watched(Arrays):
    """The arrays domain, noting the nodes whose adjoint may have lost digits, by the float
    pass's tests (passes/floats.py backward): a sum at a shared node that keeps under half
    of them, a contribution that is subnormal, a product of non-zeros that underflowed, or
    a quotient's rule that did.
    There is no exact pass for arrays: the gradients that depend on such a node are warned
    of (a dot product inside a matrix product is not looked into)."""

    def __init__(self):
        super().__init__(kernels_np)
        self.rules, self._kernel = ARRAYS.rules, ARRAYS._kernel   # the same compiled rules
        self.doubted: set[int] = set()

    def watch(self, j, op, k, ins, g, local, c, before, total):
        if j in self.doubted:
            return
        small = np.abs(c) < TINY
        if np.any(small):
            lost = small & (c != 0)
            if local is not None and not np.ndim(local) == 0:
                flows = np.asarray(g) != 0
                nonzero = np.asarray(local) != 0   # a product of non-zeros underflowed
                if op.name == "div":   # or a quotient's rule did: 1/b, -a/b^2 at 1e154 (a not 0)
                    nonzero = nonzero | (True if k == 0 else np.asarray(ins[0]) != 0)
                lost = lost | (small & flows & nonzero)
            if np.any(lost):
                self.doubted.add(j)
                return
        if before is not None and np.any((np.abs(total) < _HALF_DIGITS * np.abs(c)) & (before != 0)):
            self.doubted.add(j)


def backward(g: Graph, vals: list, shapes: list, doubted: set | None = None) -> tuple[list, int]:
    """Every node's adjoint ∂output/∂node, of the node's shape; and the edges multiplied.
    doubted: a set to fill with the nodes whose adjoint may have lost digits (Watched)."""
    domain = ARRAYS if doubted is None else Watched()
    with np.errstate(all="ignore"):
        found = engine.backward(g, vals, domain)
    if doubted is not None:
        doubted |= domain.doubted
    return [np.zeros(shapes[i]) if v is None else _of_shape(v, shapes[i])
            for i, v in enumerate(found.adjoints)], found.products


def _of_shape(v, shape):
    """An adjoint as an array of its node's shape (a "0" rule's zero, a read-only broadcast)."""
    if np.shape(v) == shape and isinstance(v, np.ndarray) and v.flags.writeable:
        return v
    return np.array(np.broadcast_to(v, shape), dtype=float)


# Forward mode makes one tangent pass over the whole graph per element of each seed, so its
# time grows with (elements) x (graph size): 10^4 elements of sum(X * X) take 0.4 s, 9·10^4
# take 14 s and 10^6 would take about an hour (benchmarks/bench_check_sampling.py).
FORWARD_MAX_ELEMENTS = 10_000
# trace keeps every node's Jacobian (node shape + seed shape): at most this many numbers (80 MB).
FORWARD_MAX_JACOBIAN = 10_000_000


def _forward_size_check(shapes: list, seeds: dict[str, int], keep: bool) -> None:
    sizes = {name: int(np.prod(shapes[seed], dtype=np.int64)) for name, seed in seeds.items()}
    total = sum(sizes.values())
    biggest = max(sizes, key=sizes.get, default=None)
    if total > FORWARD_MAX_ELEMENTS:
        what = (f"{biggest} has {sizes[biggest]:,} elements" if len(sizes) == 1
                else f"the inputs have {total:,} elements ({biggest}: {sizes[biggest]:,})")
        raise GradUsageError(
            f"--mode forward makes one tangent pass per element and {what}: too many "
            f"(at most {FORWARD_MAX_ELEMENTS:,} in all)",
            hint="reverse mode (the default: leave out --mode) gives every gradient from one "
                 "backward pass")
    if keep:
        entries = total * sum(int(np.prod(shape, dtype=np.int64)) for shape in shapes)
        if entries > FORWARD_MAX_JACOBIAN:
            raise GradUsageError(
                f"trace --mode forward keeps every node's tangents (a Jacobian per node): "
                f"{entries:,} numbers here, too many (at most {FORWARD_MAX_JACOBIAN:,})",
                hint="grad --mode forward gives the gradients; reverse mode (the default) traces "
                     "any size")


def forward_gradients(g: Graph, vals: list, shapes: list, seeds: dict[str, int], keep: bool = False):
    """∂output/∂name for each seed, by one tangent pass per element of the seed's value.

    With keep, also every node's tangents: {name: [per node, an array of shape
    node shape + seed shape (the Jacobian ∂node/∂seed), or None where nothing flows]}.
    """
    _forward_size_check(shapes, seeds, keep)
    grads, tangents, products = {}, {}, 0
    stop = len(g) - 1 if keep else g.output
    cache: list = [None] * len(g)   # local derivatives: the same for every element's pass
    for name, seed in seeds.items():
        shape = shapes[seed]
        out = np.zeros(shape)
        per_node: list = [None] * len(g) if keep else []
        for element in np.ndindex(*shape):
            direction = np.zeros(shape)
            direction[element] = 1.0
            with np.errstate(all="ignore"):
                t, count = engine.tangents(g, vals, ARRAYS, seed, stop, cache, direction)
            products += count
            if t[g.output] is not None:
                out[element] = float(t[g.output])
            if keep:
                for i, ti in enumerate(t):
                    if ti is not None:
                        if per_node[i] is None:
                            per_node[i] = np.zeros(shapes[i] + shape)
                        per_node[i][(Ellipsis, *element)] = ti
        if not np.isfinite(out).all():
            raise gradient_error(g, name, out, "forward mode")
        grads[name] = out
        if keep:
            tangents[name] = per_node
    return grads, tangents, products


# -- errors ---------------------------------------------------------------------

def _element(v, at: tuple) -> str:
    return fmt(float(np.asarray(v)[at])) if np.ndim(v) else fmt(float(v))


def _index(at: tuple) -> str:
    return f"[{', '.join(str(int(n)) for n in at)}]" if at else ""


def _indexed(label: str, index: str) -> str:
    """x[1], f(x)[1], but (y + 1)[1]: an index after an operator's text would read as
    indexing its last operand."""
    if not index or label.isidentifier() or _one_group(label):
        return f"{label}{index}"
    return f"({label}){index}"


def _one_group(label: str) -> bool:
    """A call f(…) or a literal […] whose first bracket closes at the very end."""
    head = label.split("(", 1)[0]
    name = label.split("[", 1)[0]
    if label.endswith(")") and head.isidentifier():
        start = len(head)
    elif label.endswith("]") and name.isidentifier():
        start = len(name)
    elif label.startswith("[") and label.endswith("]"):
        start = 0
    else:
        return False
    depth = 0
    for k in range(start, len(label)):
        depth += (label[k] in "([") - (label[k] in ")]")
        if depth == 0:
            return k == len(label) - 1
    return False


def forward_error(g: Graph, i: int, vals: list, value) -> GradMathError:
    """'log(x)' cannot be computed at [1]: log needs a positive number (it got x[1] = -2).

    The first element that is not finite, and each input's element that made it
    (where broadcasting stretched an input, its own element)."""
    value = np.asarray(value)
    bad = ~np.isfinite(value)
    at = tuple(int(n) for n in np.unravel_index(int(np.argmax(bad)), value.shape)) if value.ndim else ()
    if g.ops[i].vjp:
        return _whole_error(g, i, vals, value, at)
    got, elements = [], []
    for j in g.args[i]:
        v = np.asarray(vals[j])
        own = tuple(0 if n == 1 else a for a, n in zip(at[len(at) - v.ndim:], v.shape))
        x = float(v[own]) if v.ndim else float(v)
        elements.append(x)
        label = g.label(j)
        got.append(fmt(x) if label == fmt(x) else f"{_indexed(label, _index(own))} = {fmt(x)}")
    out = float(value[at]) if at else float(value)
    why = g.ops[i].reason(tuple(elements), out) if len(elements) <= 2 else g.ops[i].domain
    giving = f", giving {fmt(out)}" if out == out else ""
    where = f" at {_index(at)}" if at else ""
    return GradMathError(f"{g.describe(i)} cannot be computed{where}: {why} "
                         f"(it got {', '.join(got)}{giving})")


def _whole_error(g: Graph, i: int, vals: list, value, at: tuple) -> GradMathError:
    """sum(X), X @ w, softmax(s): no element of an input is the output's own, so each input
    is told by its shape and its largest magnitude (where the overflow comes from)."""
    got = []
    for j in g.args[i]:
        v = np.asarray(vals[j], dtype=float)
        label = g.label(j)
        if not v.ndim:
            got.append(fmt(float(v)) if label == fmt(float(v)) else f"{label} = {fmt(float(v))}")
        else:
            big = float(np.max(np.abs(v)))
            got.append(f"{label} of shape {shape_text(v.shape)}, largest |element| {fmt(big)}")
    out = float(value[at]) if at else float(value)
    why = g.ops[i].domain
    if abs(out) == np.inf and why == Op.domain:   # the default sentence: say what happened
        why = OVERFLOW
    giving = f", giving {fmt(out)}" if out == out else ""
    where = f" at {_index(at)}" if at else ""
    return GradMathError(f"{g.describe(i)} cannot be computed{where}: {why} "
                         f"(it got {', '.join(got)}{giving})")


def gradient_error(g: Graph, name: str, grad, mode: str = "", vals=None, grads=None
                   ) -> GradMathError:
    bad = ~np.isfinite(grad)
    at = np.unravel_index(int(np.argmax(bad)), np.shape(grad)) if np.ndim(grad) else ()
    where = _index(at)
    how = f"{mode}: " if mode else ""
    origin = gradient_origin(g, vals, grads) if grads is not None else ""
    return GradMathError(f"the gradient with respect to '{name}' is not finite "
                         f"({how}∂/∂{name}{where} = {_element(grad, at)}){origin}")


def gradient_origin(g: Graph, vals: list, grads: list) -> str:
    """': the derivative of 'sqrt(X)' with respect to 'X' is not finite at [0], where X[0] = 0'.

    Adjoints flow from the output down: the last node (in program order) whose adjoint is
    not finite is an input of the rule that made it so, a consumer whose own adjoint is finite."""
    bad = [j for j in range(len(g)) if not np.isfinite(grads[j]).all()]
    if not bad:
        return ""
    j = bad[-1]
    consumers = [c for c in range(j + 1, len(g)) if j in g.args[c] and np.isfinite(grads[c]).all()]
    if not consumers:
        return ""
    at = tuple(int(n) for n in np.unravel_index(int(np.argmax(~np.isfinite(grads[j]))),
                                                np.shape(grads[j]))) if np.ndim(grads[j]) else ()
    value = np.asarray(vals[j])
    here = ""
    if value.shape == np.shape(grads[j]):
        here = f", where {_indexed(g.label(j), _index(at))} = {_element(value, at)}"
    return (f": the derivative of {g.describe(consumers[0])} with respect to {g.describe(j)} "
            f"is not finite{' at ' + _index(at) if at else ''}{here}")
