"""Second derivatives: the Hessian, by running the derivative-graph builder twice.

    >>> from gradcli.symbolic.hessian import hessian
    >>> h = hessian("x^3 + 2*x^2*y - 3*y", x=1, y=2)
    >>> h.matrix
    {'x': {'x': 14.0, 'y': 4.0}, 'y': {'x': 4.0, 'y': 0.0}}

`symbolic.differentiate` builds ∂f/∂x_i as nodes; running it again from each
of those nodes builds ∂²f/∂x_i∂x_j into the same graph (reverse over
reverse, one sweep per row). Only the entries with j >= i are built, and
(i, j) and (j, i) are the same node: the matrix is symmetric by construction.
Kinks keep the first derivative's conventions (step and sign have
derivative 0; a masked pow derivative stays masked, as PyTorch's
double-backward does). Values come from evaluating the graph on floats, or
exactly on fractions with exact=True.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from gradcli.errors import GradMathError, GradNameError
from gradcli.passes.evaluate import Failed, evaluate, needed_for
from gradcli.language.expr import Expr
from gradcli.ops.table import INPUT


@dataclass
class HessianGraph:
    program: object                    # api.Program
    expr: Expr
    output: int
    names: list[str]
    gradient: dict[str, int]           # name -> node of ∂f/∂name
    matrix: dict[str, dict[str, int]]  # name -> name -> node of ∂²f/∂name∂name


def hessian_graph(program, wrt: Iterable[str] | None = None) -> HessianGraph:
    """The second-derivative graph of a program with respect to input variables."""
    from gradcli.program.program import Program
    from gradcli.passes.floats import no_gc
    from gradcli.symbolic.derivative_graph import differentiate, gradient_graph

    if isinstance(program, str):
        program = Program(program)
    names = list(dict.fromkeys(program.inputs if wrt is None else wrt))
    g = program.graph
    for name in names:
        if g.ops[program.node_of(name)] is not INPUT:
            raise GradNameError(f"'{name}' is assigned by the program: second derivatives are "
                                 "taken with respect to input variables",
                                 hint=f"the inputs are {', '.join(program.inputs) or 'none'}")
    with no_gc():
        gg = gradient_graph(program, names)
        e = gg.expr
        target = {name: e.inputs[name] for name in names}
        matrix: dict[str, dict[str, int]] = {name: {} for name in names}
        for i, x in enumerate(names):
            row = differentiate(e, gg.nodes[x], [target[y] for y in names[i:]])
            for y in names[i:]:
                matrix[x][y] = matrix[y][x] = row[target[y]]
    ordered = {x: {y: matrix[x][y] for y in names} for x in names}
    return HessianGraph(program, e, gg.output, names, gg.nodes, ordered)


@dataclass
class HessianResult:
    """Second derivatives at a point: `matrix[x][y]` is ∂²f/∂x∂y."""

    program: object
    inputs: dict[str, float]
    value: float
    matrix: dict[str, dict[str, float]]
    # {"inputs", "value", "matrix"} as Fractions, and "gradient" with gradient=True. Then
    # `value`, `matrix` and `gradient` are their nearest floats, ±inf for one beyond the
    # largest double (2/x^3 at 1e-160): such an entry is printed as a fraction, and
    # to_json and curvature.py, which need its float, refuse it with a math error naming it.
    exact: dict | None = None
    graph: HessianGraph | None = field(default=None, repr=False)
    gradient: dict[str, float] | None = None   # ∂f/∂x, with gradient=True (curvature.py needs it)

    def to_json(self) -> dict:
        from gradcli.ops import rationals as R

        obj = {"expression": self.program.text, "inputs": dict(self.inputs),
               "value": self.value, "hessian": self.matrix}
        if self.exact is not None:
            from gradcli.symbolic.exact import number

            # JSON's plain numbers are doubles: an exact answer beyond them is a math error
            obj["value"] = number(self.exact["value"], "the value")
            obj["hessian"] = {x: {y: number(v, second_derivative(x, y)) for y, v in row.items()}
                              for x, row in self.exact["matrix"].items()}
            obj["exact"] = {
                "inputs": {n: R.text(v) for n, v in self.exact["inputs"].items()},
                "value": R.text(self.exact["value"]),
                "hessian": {x: {y: R.text(v) for y, v in row.items()}
                            for x, row in self.exact["matrix"].items()},
            }
        return obj


def second_derivative(x: str, y: str) -> str:
    """How messages name an entry: 'the second derivative ∂²/∂x²', '… ∂²/∂x∂y'."""
    return "the second derivative ∂²/" + (f"∂{x}²" if x == y else f"∂{x}∂{y}")


def first_derivative(x: str) -> str:
    return f"the derivative ∂/∂{x}"


def _entries(hg: HessianGraph, inputs: dict, exact: bool,
             gradient: bool = False) -> tuple[dict[str, dict[str, object]], dict[str, object] | None]:
    """The matrix's entries at the inputs, and the gradient's too when asked."""
    nodes = [n for row in hg.matrix.values() for n in row.values()]
    if gradient:
        nodes += [hg.gradient[x] for x in hg.names]
    vals = evaluate(hg.expr, inputs, exact=exact, needed=needed_for(hg.expr, nodes))

    def value(node, what):
        v = vals[node]
        if isinstance(v, Failed):
            from gradcli.symbolic.exact import fail

            raise fail(what, v)
        if not exact and not math.isfinite(v):
            raise GradMathError(f"{what} is not finite at these values ({v})")
        return v

    out: dict[str, dict[str, object]] = {}
    for x, row in hg.matrix.items():
        out[x] = {}
        for y, node in row.items():
            out[x][y] = value(node, second_derivative(x, y))
    grads = {x: value(hg.gradient[x], first_derivative(x)) for x in hg.names} if gradient else None
    return out, grads


def hessian(program, values: Mapping | None = None, /, *, wrt: Iterable[str] | None = None,
            exact: bool = False, gradient: bool = False, **kw) -> HessianResult:
    """The value and the matrix of second derivatives of a program at the given values.

    wrt: input variables (default: all of them). exact=True keeps fractions
    (see gradcli.symbolic.exact) and fills `.exact` as well. gradient=True fills
    `.gradient` (floats) with ∂f/∂x for the same variables.
    """
    from gradcli.program.program import Program
    from gradcli.program.bindings import bind
    from gradcli.passes.floats import forward

    if isinstance(program, str):
        program = Program(program)
    hg = hessian_graph(program, wrt)              # bad names fail before values are read
    given = dict(values or {})
    given.update(kw)
    inputs = bind(program.inputs, list(program.graph.assigned), given)
    value = forward(program.graph, inputs)[program.graph.output]
    if not exact:
        matrix, grads = _entries(hg, inputs, False, gradient)
        return HessianResult(program, inputs, value, matrix, graph=hg, gradient=grads)
    from gradcli.numbers import to_float
    from gradcli.symbolic.exact import exact_value, exact_values

    fractions = {name: exact_value(given[name], name) for name in program.inputs}
    exact_value_ = exact_values(program, fractions)[program.graph.output]
    matrix, grads = _entries(hg, fractions, True, gradient)
    # An exact entry beyond the largest double (2/x^3 at 1e-160) is a fine answer: the
    # fractions are printed; its float is ±inf, refused where a float is needed (to_json,
    # curvature), by name.
    floats = {x: {y: to_float(v) for y, v in row.items()} for x, row in matrix.items()}
    exact = {"inputs": fractions, "value": exact_value_, "matrix": matrix}
    if grads is not None:
        exact["gradient"] = grads
        grads = {x: to_float(v) for x, v in grads.items()}
    return HessianResult(program, inputs, to_float(exact_value_), floats, exact, hg, grads)
