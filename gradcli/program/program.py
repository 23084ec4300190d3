"""The Python API: what `eval` and `grad` do, without a subprocess.

    >>> import gradcli
    >>> r = gradcli.grad("(x+y)*z", x=1, y=3, z=-3)
    >>> r.value, r.gradient
    (-12.0, {'x': -3.0, 'y': -3.0, 'z': 4.0})

Compile once and evaluate many times with `gradcli.compile(text)`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from gradcli.program.bindings import bind
from gradcli.errors import GradNameError, GradUsageError, shorten
from gradcli.language.graph import Graph
from gradcli.numbers import fmt
from gradcli.passes.floats import (
    backward,
    backward_careful,
    doubtful,
    forward,
    gradient_error,
    no_gc,
    uncertain,
    underflow_notes,
)
from gradcli.language.parse import _suggest, parse


# Jupyter shows a Result or a Trace by its _repr_html_ / _repr_svg_. What they show is
# the views layer's business: gradcli.views.notebook fills NOTEBOOK in when the public
# API loads (gradcli/__init__.py), so that the library never imports views.
NOTEBOOK: dict = {}


def notebook_repr(kind: str, obj) -> str | None:
    show = NOTEBOOK.get(kind)
    return show(obj) if show else None


@dataclass
class Result:
    """One run of a program: its value, and its gradients when asked for."""

    program: "Program"
    inputs: dict[str, float]
    values: list[float]                      # every node's value, by node id
    grads: list[float] | None = None         # every node's ∂output/∂node, by node id
    wrt: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)   # gradients whose digits may be lost
    mode: str = "reverse"                    # how the gradients were found
    forward_grads: dict[str, float] | None = None   # --mode forward: ∂output/∂name from tangents
    forward_products: int | None = None      # --mode forward: the tangent passes' products

    @property
    def products(self) -> int:
        """How many local-derivative products the mode performed (README: two modes)."""
        if self.mode == "forward":
            return self.forward_products
        from gradcli.passes.forward_mode import reverse_products

        return reverse_products(self.program.graph, self.grads)

    @property
    def expression(self) -> str:
        return self.program.text

    @property
    def value(self) -> float:
        return self.values[self.program.graph.output]

    @property
    def gradient(self) -> dict[str, float]:
        """∂output/∂name for each name asked for (every input by default)."""
        if self.forward_grads is not None:
            return {name: self.forward_grads[name] for name in self.wrt}
        if self.grads is None:
            raise ValueError("this result was evaluated without gradients: use grad()")
        return {name: self.grads[self.program.node_of(name)] for name in self.wrt}

    def _repr_html_(self) -> str | None:   # in Jupyter: the picture and the table
        return notebook_repr("result_html", self)

    def _repr_svg_(self) -> str | None:
        return notebook_repr("result_svg", self)

    def to_json(self) -> dict:
        obj = {"expression": self.expression, "inputs": dict(self.inputs), "value": self.value}
        if self.grads is not None or self.forward_grads is not None:
            obj["gradient"] = self.gradient
        if self.warnings:
            obj["warnings"] = list(self.warnings)
        return obj


class Program:
    """A parsed program: its graph, its input variables and its output."""

    def __init__(self, text: str):
        self.text = text
        self.graph: Graph = parse(text)

    @property
    def inputs(self) -> list[str]:
        """The input variables, in order of first use."""
        return list(self.graph.inputs)

    @property
    def output_name(self) -> str | None:
        return self.graph.names.get(self.graph.output)

    def node_of(self, name: str) -> int:
        g = self.graph
        node = g.inputs.get(name, g.assigned.get(name))
        if node is None:
            # The language's one closest-name rule: 'w' finds 'W' (case first), 'lost' 'loss'.
            raise GradNameError(f"the program has no variable or name '{shorten(name)}'",
                                hint=_suggest(name, [*g.inputs, *g.assigned]))
        return node

    def _bind(self, values: Mapping[str, object] | None, kw: Mapping[str, object]) -> dict[str, float]:
        given = dict(values or {})
        given.update(kw)
        return bind(self.inputs, list(self.graph.assigned), given, self.graph)

    def evaluate(self, values: Mapping[str, object] | None = None, /, **kw) -> Result:
        """The forward pass. Values are numbers or constant-expression strings ("pi/4")."""
        inputs = self._bind(values, kw)
        if self.graph.arrays or _has_array(inputs):   # README "Arrays: vectors and matrices": the arrays domain
            from gradcli.program import arrays as array_results

            return array_results.evaluate(self, inputs)
        g = self.graph
        with no_gc():
            vals = forward(g, inputs)
            return Result(self, inputs, vals, warnings=underflow_notes(g, vals))

    def grad(self, values: Mapping[str, object] | None = None, /, *,
             wrt: Iterable[str] | None = None, mode: str = "reverse", **kw) -> Result:
        """Forward and backward passes; gradients of the output for `wrt` (default: every input).

        mode="forward" finds them by one tangent pass per name in `wrt` instead.

        `wrt` may also name assigned intermediates. A non-finite gradient among
        those asked for is a math error.
        """
        check_mode(mode)
        inputs = self._bind(values, kw)
        if self.graph.arrays or _has_array(inputs):   # README "Arrays: vectors and matrices": the arrays domain
            from gradcli.program import arrays as array_results

            return array_results.grad(self, inputs, None if wrt is None else wrt_names(self.inputs, wrt),
                                      mode)
        names = wrt_names(self.inputs, wrt)
        for name in names:
            self.node_of(name)  # unknown names fail before any work
        g = self.graph
        if mode == "forward":
            from gradcli.passes.forward_mode import forward_gradients

            with no_gc():
                vals = forward(g, inputs)
                fgrads, _, products, bounds = forward_gradients(g, vals, {n: self.node_of(n) for n in names})
            warnings = underflow_notes(g, vals) + [
                lost_digits_warning(g.label(self.node_of(name)), fgrads[name], bound)
                for name, bound in bounds.items() if uncertain(fgrads[name], bound)]
            return Result(self, inputs, vals, None, names, warnings, mode="forward", forward_grads=fgrads,
                          forward_products=products)
        doubts: list = []
        with no_gc():
            vals = forward(g, inputs)
            grads = backward(g, vals, doubts)
        nodes = [self.node_of(name) for name in names]
        bounds = None
        if not all(math.isfinite(grads[node]) for node in nodes) or (doubts and doubtful(g, vals, grads, doubts)):
            # a local derivative overflowed, a sum cancelled or a product underflowed: redo exactly
            grads, bounds = backward_careful(g, vals)
        for node in nodes:
            if not math.isfinite(grads[node]):
                raise gradient_error(g, vals, grads, node)
        warnings = underflow_notes(g, vals, grads) + ([] if bounds is None else [
            lost_digits_warning(g.label(node), grads[node], bounds[node])
            for node in nodes if uncertain(grads[node], bounds[node])])
        return Result(self, inputs, vals, grads, names, warnings)


def _has_array(inputs: dict) -> bool:
    """Whether some input was bound to an array (bindings give every number as a float)."""
    return any(v.__class__ is not float for v in inputs.values())


def lost_digits_warning(name: str, value: float, bound: float) -> str:
    """The note for a gradient that rounding may have emptied (README: "Digits lost")."""
    return (f"the gradient with respect to '{name}', {fmt(value)}, may be off by up to {fmt(bound, 3)}: "
            "digits were lost to cancellation or underflow where a local derivative is not a "
            "rational number (--check or --exact can confirm it)")


def compile(text: str) -> Program:  # noqa: A001 - the natural name, as re.compile
    """Parse a program once, to evaluate it many times."""
    return Program(text)


def evaluate(text: str, values: Mapping[str, object] | None = None, /, **kw) -> Result:
    """gradcli eval: the value of a program at the given values."""
    return Program(text).evaluate(values, **kw)


MODES = ("reverse", "forward")


def check_mode(mode) -> None:
    """An unknown mode would quietly run reverse mode."""
    if mode not in MODES:
        raise GradUsageError(f"mode must be 'reverse' or 'forward' (got {mode!r})")


def wrt_names(inputs: list[str], wrt) -> list[str]:
    """wrt as a list of names; a string is one name or several joined by commas, as --wrt
    (list("xy") would ask for x and y)."""
    if wrt is None:
        return list(inputs)
    if isinstance(wrt, str):
        return [n.strip() for n in wrt.split(",") if n.strip()]
    return list(wrt)


def grad(text: str, values: Mapping[str, object] | None = None, /, *,
         wrt: Iterable[str] | None = None, **kw) -> Result:
    """gradcli grad: the value and the gradients of a program at the given values."""
    return Program(text).grad(values, wrt=wrt, **kw)
