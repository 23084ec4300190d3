"""Running a program with arrays (README "Arrays: vectors and matrices"): shapes first, then the arrays domain.

`Program.evaluate` and `Program.grad` come here when the program has an array
operation or literal, or an input is bound to an array; a scalar program with
scalar values never does (its path, and its output, are unchanged).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gradcli.passes import array_domain as D
from gradcli.passes import shapes as S
from gradcli.errors import GradUsageError
from gradcli.language.graph import Graph


def plain(v):
    """An array as JSON has it: nested lists of numbers (a scalar as a number); an element
    that is not finite (an undefined gradient of a constant) as null."""
    if not hasattr(v, "tolist"):
        return v
    if np.isfinite(v).all():
        return v.tolist()
    return np.where(np.isfinite(v), v, None).tolist()


def label_only(g: Graph) -> set[str]:
    """Inputs used only as class indices (cross_entropy's y): they have no gradient."""
    uses: dict[int, list[bool]] = {}
    for i, op in enumerate(g.ops):
        for k, j in enumerate(g.args[i]):
            uses.setdefault(j, []).append(k in op.labels)
    return {name for name, node in g.inputs.items() if uses.get(node) and all(uses[node])}


@dataclass
class ArrayResult:
    """One run of an array program: every node's value (and gradient) as an array."""

    program: object
    inputs: dict                      # name -> the array (or number) it was given
    values: list
    shapes: list
    grads: list | None = None
    wrt: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    mode: str = "reverse"
    forward_grads: dict | None = None
    products: int = 0
    arrays = True

    @property
    def expression(self) -> str:
        return self.program.text

    @property
    def value(self):
        v = self.values[self.program.graph.output]
        return float(v) if np.ndim(v) == 0 else v

    @property
    def shape(self) -> tuple:
        return self.shapes[self.program.graph.output]

    @property
    def gradient(self) -> dict:
        """∂output/∂name for each name asked for, each of the name's shape."""
        if self.forward_grads is not None:
            return {name: self.forward_grads[name] for name in self.wrt}
        if self.grads is None:
            raise ValueError("this result was evaluated without gradients: use grad()")
        return {name: self.grads[self.program.node_of(name)] for name in self.wrt}

    def _repr_html_(self) -> str | None:   # in Jupyter: the picture and the table, as Result
        from gradcli.program.program import notebook_repr

        return notebook_repr("result_html", self)

    def _repr_svg_(self) -> str | None:
        from gradcli.program.program import notebook_repr

        return notebook_repr("result_svg", self)

    def to_json(self) -> dict:
        obj = {"expression": self.expression,
               "inputs": {k: plain(v) for k, v in self.inputs.items()},
               "value": plain(self.value)}
        if self.grads is not None or self.forward_grads is not None:
            obj["gradient"] = {k: plain(v) for k, v in self.gradient.items()}
        if self.warnings:
            obj["warnings"] = list(self.warnings)
        return obj


def input_shapes(inputs: dict) -> dict:
    return {name: np.shape(v) for name, v in inputs.items()}


def evaluate(program, inputs: dict) -> ArrayResult:
    g = program.graph
    shapes = S.infer(g, input_shapes(inputs))
    return ArrayResult(program, inputs, D.forward(g, inputs, shapes), shapes)


def gradient_names(program, wrt) -> list[str]:
    """The names to report: every input but class indices by default; --wrt as asked."""
    g = program.graph
    labels = label_only(g)
    if wrt is None:
        return [name for name in program.inputs if name not in labels]
    names = list(wrt)
    for name in names:
        program.node_of(name)
        if name in labels:
            raise GradUsageError(f"'{name}' is used only as class indices (of cross_entropy), "
                                 "which have no gradient", hint="leave it out of --wrt")
    return names


def grad(program, inputs: dict, wrt=None, mode: str = "reverse", *, command: str = "grad"
         ) -> ArrayResult:
    """Shapes, then forward and backward passes (or one tangent pass per element)."""
    g = program.graph
    shapes = S.infer(g, input_shapes(inputs))
    S.require_scalar(g, shapes, command)
    names = gradient_names(program, wrt)
    vals = D.forward(g, inputs, shapes)
    doubted: set[int] = set()
    grads, products = D.backward(g, vals, shapes, doubted)
    for name in names:
        if not np.isfinite(grads[program.node_of(name)]).all():
            raise D.gradient_error(g, name, grads[program.node_of(name)], vals=vals, grads=grads)
    result = ArrayResult(program, inputs, vals, shapes, grads, names, products=products,
                         warnings=_lost_digits(program, names, doubted))
    if mode == "forward":
        fgrads, _, count = D.forward_gradients(g, vals, shapes,
                                               {n: program.node_of(n) for n in names})
        result.mode, result.forward_grads, result.products = "forward", fgrads, count
    return result


def _lost_digits(program, names: list[str], doubted: set[int]) -> list[str]:
    """A warning for each asked gradient that depends on a node whose adjoint may have lost
    digits (array_domain.Watched): arrays have no exact pass to redo it."""
    if not doubted:
        return []
    g = program.graph
    below = [False] * len(g)
    for i in range(len(g) - 1, -1, -1):   # the doubted nodes and everything they feed from
        if i in doubted or below[i]:
            below[i] = True
            for j in g.args[i]:
                below[j] = True
    return [f"the gradient with respect to '{name}' may have lost digits to cancellation or "
            "underflow on the way (a sum at a shared node kept under half of them, or a product "
            "underflowed); arrays are not redone exactly: check it with --check"
            for name in names if below[program.node_of(name)]]


def is_array_run(program, inputs: dict) -> bool:
    return program.graph.arrays or any(not isinstance(v, float) for v in inputs.values())
