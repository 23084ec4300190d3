"""The trace of a program: every node's value, gradient and local derivatives.

It is computed once, from the forward and backward passes and the compiled
local rules of the operation table, and every `trace` view (tree, table,
steps, pictures, JSON) reads it and nothing else: the views only choose how
to show these numbers, never how to compute them.

A node that depends on no input (a constant subtree, such as the exponent 2
in `x^2` at x = -3, whose ∂/∂b = log(a)·out is nan) may have an undefined
gradient or local derivative: that is shown as "undefined" (JSON null), not
as an error, because no input's gradient goes through it. A non-finite
gradient on a node that depends on an input is a math error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Mapping

from gradcli.program.program import Program, Result, _has_array, check_mode, notebook_repr, wrt_names
from gradcli.language.graph import Graph
from gradcli.numbers import UNDEFINED, fmt
from gradcli.numbers import show_number as show  # (re-exported: views import it from here)
from gradcli.ops.table import CONST, Op
from gradcli.passes.floats import gradient_error, local_derivatives, no_gc
from gradcli.ops.predicates import holds

VANISHING = 1e-6      # |gradient| below this, on a node an input reaches: the gradient vanishes
EXPLODING = 1e6       # |gradient| above this: the gradient explodes




@dataclass(slots=True)
class NodeTrace:
    """One node of the trace."""

    id: int
    op: Op
    label: str                       # its name, or its text in the program
    inputs: tuple[int, ...]          # input node ids, in argument order
    value: float
    grad: float                      # ∂output/∂node (nan or inf only where no input reaches)
    local: tuple[float, ...]         # ∂node/∂input_k, one per input (may be non-finite)
    live: bool                       # the output depends on it
    depends: bool                    # it depends on some input variable
    named: bool                      # its label is a name (input, constant, assigned), not text
    kink: str = ""                   # the convention used, where it sits exactly at a kink
    tangent: dict | None = None      # --mode forward: {input name: ∂node/∂input}
    vanishing: bool = False          # see _health()
    exploding: bool = False


@dataclass
class Trace:
    """Every node's value, gradient and local derivatives, with the grad result they came from."""

    result: Result
    nodes: list[NodeTrace]
    # Human views leave out the gradients of constants (nodes no input reaches) unless
    # this is set (`--show-constants`): a constant is not something a student updates.
    # JSON always has them.
    show_constants: bool = False
    mode: str = "reverse"

    @property
    def products(self) -> int:
        """The local-derivative products the mode performed (README: two modes)."""
        return self.result.products

    @property
    def graph(self) -> Graph:
        return self.result.program.graph

    @property
    def output(self) -> int:
        return self.graph.output

    @property
    def out(self) -> NodeTrace:
        return self.nodes[self.output]

    @cached_property
    def uses(self) -> list[list[tuple[int, int]]]:
        """For each node, the (consumer, input position) pairs that read it, by consumer id."""
        uses: list[list[tuple[int, int]]] = [[] for _ in self.nodes]
        for node in self.nodes:
            for k, j in enumerate(node.inputs):
                uses[j].append((node.id, k))
        return uses

    def shows_grad(self, i: int) -> bool:
        """Whether human views show node i's gradient (and the gradients on wires into it)."""
        return self.show_constants or self.nodes[i].depends

    def edge_grad(self, consumer: int, k: int) -> float:
        """The gradient along one edge: upstream × local, and 0 where the upstream is 0.

        The backward pass's rule, read from its domain: a zero upstream gradient is
        not passed on, so 0 · ∞ never appears (sqrt at 0 inside max(sqrt(x), 5)).
        """
        from gradcli.passes.domains import FLOATS

        node = self.nodes[consumer]
        if FLOATS.is_zero(node.grad):
            return 0.0
        return FLOATS.chain(node.grad, node.local[k])

    @cached_property
    def handles(self) -> list[str]:
        """Short names for the narration and pictures: the node's name, else '#id'.

        The output is called by its name, or 'f' (as in the CS231n notes) when it
        has none and no variable is called f, else 'out', else by its id.
        """
        g = self.graph
        handles = [g.names.get(i) or f"#{i}" for i in range(len(self.nodes))]
        if self.output not in g.names:
            taken = set(g.names.values())
            for candidate in ("f", "out"):
                if candidate not in taken:
                    handles[self.output] = candidate
                    break
        return handles

    def term(self, i: int) -> str:
        """How node i is written inside a formula: a constant by its text (2, pi), else its handle."""
        node = self.nodes[i]
        return node.label if node.op is CONST else self.handles[i]

    @property
    def output_handle(self) -> str:
        return self.handles[self.output]

    def _repr_html_(self) -> str | None:   # in Jupyter: the picture and the table
        return notebook_repr("trace_html", self)

    def _repr_svg_(self) -> str | None:
        return notebook_repr("trace_svg", self)

    def to_json(self) -> dict:
        """trace --json (README "Tracing the graph"): the grad object plus the output id
        and every node, inputs first."""
        if getattr(self.result, "arrays", False):
            return self._array_json()
        obj = self.result.to_json()
        obj["output"] = self.output
        obj["products"] = self.products
        forward = self.mode == "forward"
        isfinite = math.isfinite
        rows = []
        add = rows.append
        for n in self.nodes:   # written out flat: a 100,000-node trace is one of the use cases
            grad, local = n.grad, n.local
            add({"id": n.id, "op": n.op.name, "label": n.label, "inputs": list(n.inputs),
                 "value": n.value, "grad": grad if isfinite(grad) else None,
                 "local": [v if isfinite(v) else None for v in local] if local else []})
            if forward:   # a tangent that no input reaches stays finite; null like grad elsewhere
                rows[-1]["tangent"] = {k: v if isfinite(v) else None for k, v in n.tangent.items()}
        obj["nodes"] = rows
        return obj


    def _array_json(self) -> dict:
        """An array program's trace: values and gradients as nested lists, every node's
        shape ([] for a scalar); tangents (--mode forward) as the Jacobian ∂node/∂input,
        of shape node shape + input shape. Class indices have no gradient (null)."""
        from gradcli.program.arrays import plain

        obj = self.result.to_json()
        obj["output"] = self.output
        obj["products"] = self.products
        rows = []
        for n in self.nodes:
            row = {"id": n.id, "op": n.op.name, "label": n.label, "inputs": list(n.inputs),
                   "shape": list(self.result.shapes[n.id]), "value": plain(n.value),
                   "grad": None if n.grad is None or not _finite(n.grad) else plain(n.grad)}
            if self.mode == "forward":
                row["tangent"] = {k: None if v is None else plain(v) for k, v in n.tangent.items()}
            rows.append(row)
        obj["nodes"] = rows
        return obj


def _finite(v) -> bool:
    """Every element finite: a constant's undefined gradient (the 2 of x^2 at x < 0) is null."""
    import numpy as np

    return bool(np.isfinite(v).all())


def _array_trace(program: Program, inputs: dict, wrt, mode: str) -> Trace:
    """trace of an array program: every node's value and gradient as arrays (README "Arrays: vectors and matrices")."""
    import numpy as np

    from gradcli.program import arrays

    result = arrays.grad(program, inputs, wrt, command="trace")
    g = program.graph
    tangents = None
    if mode == "forward":
        from gradcli.passes.array_domain import forward_gradients

        seeds = {name: program.node_of(name) for name in result.wrt}
        fgrads, tangents, products = forward_gradients(g, result.values, result.shapes, seeds,
                                                       keep=True)
        result.mode, result.forward_grads, result.products = "forward", fgrads, products
    live, depends = g.feeds_output(), g.depends_on_input()
    labels = {g.inputs[name] for name in arrays.label_only(g)}
    for i, grad in enumerate(result.grads):   # undefined only where no input reaches
        if depends[i] and i not in labels and not np.isfinite(grad).all():
            from gradcli.passes.array_domain import gradient_error

            raise gradient_error(g, g.label(i), grad)
    nodes = [NodeTrace(i, op, g.label(i), g.args[i], result.values[i],
                       None if i in labels else result.grads[i], (), live[i], depends[i],
                       i in g.names, "", tangents and {k: t[i] for k, t in tangents.items()})
             for i, op in enumerate(g.ops)]
    return Trace(result, nodes, mode=mode)


def _kink_note(op: Op, ins: tuple[float, ...]) -> str:
    if op.kink is None:
        return ""
    return op.kink_note if holds(op.kink, *ins) else ""


def trace(program: Program | str, values: Mapping[str, object] | None = None, /, *,
          wrt: Iterable[str] | None = None, mode: str = "reverse", **kw) -> Trace:
    """Forward and backward passes, kept for every node, with each edge's local derivative.

    mode="forward" adds every node's tangents (one pass per name in wrt, default every
    input) and takes the gradient from them; each node's grad still comes from the
    backward pass, which is not counted in the forward mode's products.
    """
    check_mode(mode)
    if isinstance(program, str):
        program = Program(program)
    inputs = program._bind(values, kw)
    if program.graph.arrays or _has_array(inputs):   # README "Arrays: vectors and matrices"
        return _array_trace(program, inputs, None if wrt is None else wrt_names(program.inputs, wrt), mode)
    result = program.grad(inputs, wrt=wrt)   # runs both passes, checks --wrt
    g = program.graph
    vals, grads = result.values, result.grads
    tangents = None
    with no_gc():
        locals_ = _local_derivatives(g, vals)
    if mode == "forward":
        from gradcli.passes.forward_mode import forward_gradients

        seeds = {name: program.node_of(name) for name in result.wrt}
        with no_gc():
            # A gradient in doubt is redone exactly (forward_mode.in_doubt): the same number,
            # and warnings, as the backward pass's result already holds.
            fgrads, tangents, products, _ = forward_gradients(g, vals, seeds, keep=True,
                                                              locals_=locals_)
        result.mode, result.forward_grads, result.forward_products = "forward", fgrads, products
    with no_gc():
        live = g.feeds_output()
        depends = g.depends_on_input()
        for i, gi in enumerate(grads):
            if depends[i] and not math.isfinite(gi):
                raise gradient_error(g, vals, grads, i)
        nodes = []
        names = g.names
        for i, op in enumerate(g.ops):
            ins = g.args[i]
            kink = _kink_note(op, tuple(vals[j] for j in ins)) if op.kink else ""
            nodes.append(NodeTrace(i, op, g.label(i), ins, vals[i], grads[i], locals_[i],
                                   live[i], depends[i], i in names, kink,
                                   tangents and {k: t[i] for k, t in tangents.items()}))
        _health(nodes, g, vals)
    return Trace(result, nodes, mode=mode)


def _local_derivatives(g: Graph, vals: list[float]) -> list[tuple[float, ...]]:
    """∂node/∂input_k on every edge, from the operation table's compiled rules."""
    return [local_derivatives(g, vals, i) for i in range(len(g))]

def _health(nodes: list[NodeTrace], g: Graph, vals: list[float]) -> None:
    """Mark vanishing and exploding gradients on nodes an input reaches and the output uses.

    A gradient vanishes when it is tiny but not zero, or zero only because a
    product of non-zero numbers underflowed (a saturated sigmoid at 1000), also
    one inside a local rule (1e154/(b^c)^2 in a/b^c: the float rule gives 0, the
    exact one does not; sech(1000)^2 in tanh's). A zero that the mathematics puts there (relu switched
    off, a product with 0, the losing side of a max) is trivially zero and is not
    marked.
    """
    from gradcli.passes.floats import _exact_local

    underflow = [False] * len(nodes)
    for n in reversed(nodes):
        if not n.live:
            continue
        flows = underflow[n.id] or n.grad != 0
        for k, (j, local) in enumerate(zip(n.inputs, n.local)):
            if local != 0:
                if underflow[n.id] or (n.grad != 0 and n.grad * local == 0):
                    underflow[j] = True
            elif flows and not underflow[j]:
                exact, error = _exact_local(g, vals, n.id, k, local)
                if exact != 0 or error:   # the rule underflowed (tanh at 1000): not a true 0
                    underflow[j] = True
    for n in nodes:
        if n.live and n.depends and math.isfinite(n.grad):
            size = abs(n.grad)
            n.vanishing = 0 < size < VANISHING or (size == 0 and underflow[n.id])
            n.exploding = size > EXPLODING
