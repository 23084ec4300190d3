"""`trace --mode forward --steps`: the forward pass, then one tangent pass per input.

    dp/dx = ∂p/∂x · dx/dx = 1 · 1 = 1    (∂p/∂x = 1)

d·/dx is a tangent (the total derivative from the seed x), ∂p/∂x a local
derivative from the operation table. Only the terms that carry a non-zero
tangent are written: those are the products the pass performed.

tangent_passes() gives the passes as records (the HTML page steps through
them); tangent_lines() writes them out as --steps prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gradcli.program.trace import Trace
from gradcli.views.array_text import show
from gradcli.views.human import products_line
from gradcli.views.steps import FORWARD_HEADING, _factor, forward_text, narrate, rule_names

_ORDINAL = ["1st", "2nd"]


@dataclass
class TangentPass:
    name: str                     # the input seeded with 1
    heading: str
    steps: list[tuple[int, str]] = field(default_factory=list)   # (node, line): the seed first
    unreached: list[int] = field(default_factory=list)           # nodes with tangent 0
    unreached_line: str = ""
    count_line: str = ""          # "2 products"


def tangent_passes(trace: Trace, digits: int = 12) -> list[TangentPass]:
    from gradcli.symbolic.printing import TextStyle
    from gradcli.symbolic.local_rules import exact_constants, show_local

    nodes, h = trace.nodes, trace.handles
    exact = exact_constants(trace.graph)     # computed constants in the rules: x^-1's is -1/x^2
    passes = []
    for name in trace.result.wrt:
        seed = trace.result.program.node_of(name)
        p = TangentPass(name, f"Tangent pass for {name}: d(node)/d{name} = Σ over its inputs of "
                              f"local · the input's tangent, seeded with d{name}/d{name} = 1")
        p.steps.append((seed, f"d{h[seed]}/d{name} = 1    (the seed)"))
        count = 0
        for n in nodes[seed + 1:]:
            if not n.inputs:
                continue
            symbolic, numeric, rules = [], [], []
            for k, j in enumerate(n.inputs):
                tj = nodes[j].tangent[name]
                if tj == 0:
                    continue
                local = f"∂{h[n.id]}/∂{trace.term(j)}"
                if n.inputs.count(j) > 1:
                    local += f" ({_ORDINAL[k]})"
                symbolic.append(f"{local} · d{h[j]}/d{name}")
                numeric.append(f"{_factor(show(n.local[k], digits))} · {_factor(show(tj, digits))}")
                rule = show_local(n.op.grads[k], rule_names(trace, exact, n), TextStyle())
                rules.append(f"{local} = {rule}")
            if not symbolic:
                p.unreached.append(n.id)
                continue
            count += len(symbolic)
            p.steps.append((n.id, f"d{h[n.id]}/d{name} = {' + '.join(symbolic)} = "
                                  f"{' + '.join(numeric)} = "
                                  f"{show(n.tangent[name], digits)}    ({'; '.join(rules)})"))
        if p.unreached:
            p.unreached_line = (f"(tangent 0, not reached from {name}: "
                                f"{', '.join(h[i] for i in p.unreached)})")
        p.count_line = f"{count} product{'s' if count != 1 else ''}"
        passes.append(p)
    return passes


def tangent_lines(trace: Trace, digits: int = 12) -> list[str]:
    lines = [FORWARD_HEADING]
    lines += [f"  {forward_text(s, digits)}" for s in narrate(trace).forward]
    for p in tangent_passes(trace, digits):
        lines += ["", p.heading]
        lines += [f"  {line}" for _, line in p.steps]
        if p.unreached_line:
            lines.append(f"  {p.unreached_line}")
        lines.append(f"  {p.count_line}")
    lines += ["", products_line(trace.result)]
    return lines
