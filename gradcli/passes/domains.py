"""The domains of plain numbers: floats, exact fractions, and shapes.

Each is an `engine.Domain`, a table of kernels (the module whose names are the
operation table's `Op.kernel`) with its primitives. The others live with what
they need: NumPy rows in passes/arrays.py (NumPy is imported only there),
formulas in symbolic/derivative_graph.py (an Expr's nodes), the training plan
in training/plan.py (its IR).

>>> from gradcli.passes.engine import forward, backward
>>> from gradcli.language.parse import parse
>>> g = parse("x * y + x")
>>> vals = forward(g, {"x": 3.0, "y": 4.0}, FLOATS)
>>> adj = backward(g, vals, FLOATS).adjoints
>>> adj[g.inputs["x"]], adj[g.inputs["y"]]
(5.0, 3.0)
"""

from __future__ import annotations

import math
from fractions import Fraction

from gradcli.ops import floats as kernels, rationals as rational_kernels
from gradcli.passes.engine import Domain, DomainError
from gradcli.ops.table import CONSTANTS


class Floats(Domain):
    """Python floats, IEEE: a non-finite forward value is a math error naming the node."""

    name = "floats"

    def check(self, graph, i, vals, v):
        if not math.isfinite(v):
            from gradcli.passes.floats import forward_error

            raise forward_error(graph, i, vals, v)
        return v


class Rationals(Domain):
    """Exact fractions: a kernel raises (rational_kernels) where a value leaves the rationals."""

    name = "rationals"

    def const(self, v, name=None):
        # a rule's 0.01 is 1/100 (its decimal text), as the exact kernels' slope is
        return Fraction(repr(v)) if isinstance(v, float) else Fraction(v)

    def leaf(self, graph, i):
        name = graph.names.get(i)
        if name in CONSTANTS:       # pi and e (not z of `z = 0.1`: that is 1/10)
            raise rational_kernels.Irrational(f"{name} is not a rational number")
        return self.const(graph.consts[i])


FLOATS = Floats(kernels)
RATIONALS = Rationals(rational_kernels)


class ShapeMismatch(DomainError):
    """Operand shapes that do not fit; `shapes` are the operands' shapes."""

    def __init__(self, message: str, shapes: tuple):
        super().__init__(message)
        self.shapes = shapes


def broadcast(*shapes: tuple) -> tuple:
    """NumPy's broadcasting of shapes (tuples of ints), or ShapeMismatch."""
    n = max(len(s) for s in shapes)
    result = []
    for axis in range(n):
        sizes = {s[len(s) - n + axis] for s in shapes if len(s) - n + axis >= 0} - {1}
        if len(sizes) > 1:
            raise ShapeMismatch(f"shapes {' and '.join(map(str, shapes))} do not broadcast", shapes)
        result.append(sizes.pop() if sizes else 1)
    return tuple(result)


class Shapes(Domain):
    """Values are shapes: the forward pass infers every node's shape, or raises ShapeMismatch.

    Every op of the table is elementwise (NumPy broadcasting); an op with a
    shape rule of its own registers it in `rules_by_kernel` (kernel name ->
    function of the operands' shapes).
    """

    name = "shapes"

    def __init__(self):
        super().__init__(None)
        self.rules_by_kernel: dict = {}

    def kernel(self, op):   # not cached: helpers may register rules at any time
        return self.rules_by_kernel.get(op.kernel, broadcast)

    def const(self, v, name=None):
        return ()

    def leaf(self, graph, i):
        v = graph.consts[i]
        return tuple(getattr(v, "shape", ()))


SHAPES = Shapes()
