"""Shapes, inferred and checked before any arithmetic (README "Arrays: vectors and matrices").

One pass over the node ids, as the forward pass, in which each node's value is
its shape: every row of the operation table names its shape rule (`Op.shape`),
a function here of its inputs' shapes that returns the node's shape or says
why the shapes do not fit. A mismatch is a `shape` error that shows the
program with a caret under the node and both shapes:

    X @ W1: (5, 4) @ (3, 10): the inner sizes 4 and 3 differ

Axes (`sum(a, k)`) and indices (`a[i]`) are constant inputs; the pass carries
the value of every constant scalar (so `sum(a, -1)` reads -1) to check them.
"""

from __future__ import annotations

import numpy as np

from gradcli.errors import GradShapeError
from gradcli.language.graph import Graph
from gradcli.language.shape_errors import (TOO_DEEP, MAX_AXES, Shape, ragged_stack_error, shape_error, text,
                                           underline, where)
from gradcli.ops import table as O
from gradcli.passes.engine import DomainError


class Misfit(DomainError):
    """A shape rule's complaint, without the node: the engine's forward pass adds which."""


class Ragged(Misfit):
    """A literal's element `k` whose shape is not the first element's: the message needs the
    graph (the literals around it), so it is made when the node is known."""

    def __init__(self, k: int, shapes):
        super().__init__(f"a ragged literal: element {k}")
        self.k, self.shapes = k, shapes


# -- the rules, by the name in Op.shape ----------------------------------------

def _operands(op: O.Op, shapes) -> str:
    if op.form == "infix" and len(shapes) == 2:
        return f"{text(shapes[0])} {op.symbol} {text(shapes[1])}"
    return " and ".join(text(s) for s in shapes)


def broadcast(op, shapes, known):
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        pass
    for axis in range(1, max(len(s) for s in shapes) + 1):
        sizes = {s[-axis] for s in shapes if len(s) >= axis and s[-axis] != 1}
        if len(sizes) > 1:
            a, b = sorted(sizes)[:2]
            where = "the last axis" if axis == 1 else f"axis {-axis}"
            raise Misfit(f"{_operands(op, shapes)}: the shapes do not broadcast "
                         f"(sizes {a} and {b} on {where})")
    raise Misfit(f"{_operands(op, shapes)}: the shapes do not broadcast")


def matmul(op, shapes, known):
    a, b = shapes
    said = _operands(op, shapes)
    if not a or not b:
        raise Misfit(f"{said}: a scalar operand of @ is a shape error, as in NumPy "
                     "(scale with * instead)")
    inner_a = a[-1]
    inner_b = b[0] if len(b) == 1 else b[-2]
    if inner_a != inner_b:
        raise Misfit(f"{said}: the inner sizes {inner_a} and {inner_b} differ")
    batch_a, batch_b = a[:-2], b[:-2]
    try:
        batch = tuple(np.broadcast_shapes(batch_a, batch_b))
    except ValueError:
        raise Misfit(f"{said}: the stacked (batch) axes {text(batch_a)} and {text(batch_b)} "
                     "do not broadcast") from None
    rows = a[-2:-1] if len(a) >= 2 else ()
    cols = b[-1:] if len(b) >= 2 else ()
    return batch + rows + cols


def transpose(op, shapes, known):
    return tuple(reversed(shapes[0]))


def reduce(op, shapes, known):
    return ()


def _axis(name: str, shape: Shape, k) -> int:
    if k is None or not np.isfinite(k) or k != int(k):
        raise Misfit(f"the axis of {name} must be a constant integer, such as 0 or -1")
    k = int(k)
    if not -len(shape) <= k < len(shape):
        if not shape:
            raise Misfit(f"axis {k} is out of range: the operand is a scalar (shape ()), "
                         "which has no axes")
        raise Misfit(f"axis {k} is out of range for shape {text(shape)} "
                     f"(axes 0 to {len(shape) - 1}, or -1 to -{len(shape)})")
    return k % len(shape)


def reduce_axis(op, shapes, known):
    shape = shapes[0]
    k = _axis(f"{op.name}", shape, known[1])
    return shape[:k] + shape[k + 1:]


def _needs_axis(op, shape):
    if not shape:
        raise Misfit(f"{op.name} works over the last axis, and a scalar (shape ()) has none")


def last_axis(op, shapes, known):
    _needs_axis(op, shapes[0])
    return shapes[0]


def drop_last(op, shapes, known):
    _needs_axis(op, shapes[0])
    return shapes[0][:-1]


def cross_entropy(op, shapes, known):
    s, y = shapes
    if len(s) == 1:
        if y:
            raise Misfit(f"scores of shape {text(s)} take one class index, but the indices have "
                         f"shape {text(y)}")
    elif len(s) == 2:
        if y != s[:1]:
            raise Misfit(f"scores of shape {text(s)} need {s[0]} class indices (shape {text(s[:1])}), "
                         f"but the indices have shape {text(y)}")
    else:
        raise Misfit(f"the scores have shape {text(s)}: cross_entropy takes scores of shape (C,) "
                     "with one class index, or (N, C) with N indices")
    return ()


def index(op, shapes, known):
    shape, idx = shapes[0], known[1:]
    if not shape:
        raise Misfit("a scalar (shape ()) cannot be indexed")
    if len(idx) > len(shape):
        raise Misfit(f"{len(idx)} indices for an array of shape {text(shape)}")
    for axis, i in enumerate(idx):
        if not -shape[axis] <= i < shape[axis]:
            raise Misfit(f"index {int(i)} is out of range for axis {axis} of size {shape[axis]} "
                         f"(shape {text(shape)})")
    return shape[len(idx):]


def stack(op, shapes, known):
    if len(set(shapes)) > 1:
        first = shapes[0]
        k = next(k for k, s in enumerate(shapes) if s != first)
        raise Ragged(k, shapes)
    if len(shapes[0]) >= MAX_AXES:
        raise Misfit(TOO_DEEP)
    return (len(shapes),) + shapes[0]


RULES = {f.__name__: f for f in (broadcast, matmul, transpose, reduce, reduce_axis, last_axis,
                                 drop_last, cross_entropy, index, stack)}


class Known(tuple):
    """The shape () of a constant scalar, carrying its value (an axis, an index, -1)."""

    value: float

    def __new__(cls, value: float):
        self = super().__new__(cls, ())
        self.value = value
        return self


def _shape_domain():
    """The engine's domain of shapes, with this module's rule for every row."""
    from gradcli.passes.domains import Shapes

    class ProgramShapes(Shapes):
        def kernel(self, op):
            rule = RULES[op.shape]
            if op is O.NEG:   # -1 as an axis: keep the constant's value
                return lambda s: Known(-s.value) if isinstance(s, Known) else rule(op, [s], [None])
            return lambda *shapes: rule(op, list(shapes), [getattr(s, "value", None) for s in shapes])

        def leaf(self, graph, i):
            shape = np.shape(graph.consts[i])
            return shape if shape else Known(float(graph.consts[i]))

    return ProgramShapes()


_SHAPES = []


def infer(g: Graph, input_shapes: dict[str, Shape]) -> list[Shape]:
    """Every node's shape, or the first misfit as a shape error (nothing is computed):
    the engine's forward pass in the domain of shapes."""
    from gradcli.passes import engine

    if not _SHAPES:
        _SHAPES.append(_shape_domain())
    try:
        found = engine.forward(g, {k: tuple(v) for k, v in input_shapes.items()}, _SHAPES[0])
    except Ragged as why:
        raise ragged_stack_error(g, why.node, why.k, why.shapes) from None
    except Misfit as why:
        raise shape_error(g, why.node, str(why)) from None
    return [tuple(s) for s in found]


def fitting_shapes(g: Graph, known: dict[str, Shape], missing: list[str],
                   tries: int = 256) -> dict[str, Shape] | None:
    """Shapes for the missing inputs with which the program's shapes fit, the fewest axes
    first (for a hint: `sum(W @ x)` with W (2, 2) wants x (2,)); None when none of the
    shapes tried fits. The sizes tried are those of the known shapes, up to two axes;
    at most two missing names and `tries` candidates, so that a hint stays cheap."""
    from itertools import product

    from gradcli.errors import GradcliError

    sizes = sorted({n for shape in known.values() for n in shape})
    if not sizes or len(missing) > 2:
        return None
    shapes = [()] + [(n,) for n in sizes] + [(m, n) for m in sizes for n in sizes]
    combos = sorted(product(shapes, repeat=len(missing)), key=lambda c: sum(map(len, c)))
    for combo in combos[:tries]:
        guess = {**known, **dict(zip(missing, combo))}
        try:
            infer(g, guess)
        except GradcliError:
            continue
        return dict(zip(missing, combo))
    return None


def require_scalar(g: Graph, shapes: list[Shape], command: str) -> None:
    """grad, trace, train and --check differentiate one number."""
    shape = shapes[g.output]
    if shape:
        i = g.output
        raise GradShapeError(
            f"{where(g.text, g.starts[i])}: {command} needs a scalar output, but the "
            f"output {g.describe(i)} has shape {text(shape)}: sum(…), mean(…) or a loss such as "
            f"cross_entropy(…) makes one (eval prints an array)\n"
            f"{underline(g.text, g.starts[i], g.ends[i])}")


def uses_arrays(g: Graph) -> bool:
    """Whether the program itself has arrays (an array operation or literal)."""
    return g.arrays   # set by the parser as it builds one
