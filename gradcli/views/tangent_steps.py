"""`trace --mode forward --steps`: the forward pass, then one tangent pass per input.

    dp/dx = ∂p/∂x · dx/dx = 1 · 1 = 1    (∂p/∂x = 1)

d·/dx is a tangent (the total derivative from the seed x), ∂p/∂x a local
derivative from the operation table. Only the terms that carry a non-zero
tangent are written: those are the products the pass performed.
"""

from __future__ import annotations

from gradcli.program.trace import Trace
from gradcli.views.array_text import show
from gradcli.views.human import products_line
from gradcli.views.steps import _factor, forward_line, narrate

_ORDINAL = ["1st", "2nd"]


def tangent_lines(trace: Trace, digits: int = 12) -> list[str]:
    from gradcli.symbolic.printing import TextStyle
    from gradcli.symbolic.local_rules import show_local

    lines = ["Forward pass: each node from its inputs"]
    lines += [f"  #{s.node:<4} {forward_line(s, digits)}" for s in narrate(trace).forward]
    nodes, h = trace.nodes, trace.handles
    for name in trace.result.wrt:
        seed = trace.result.program.node_of(name)
        lines += ["", f"Tangent pass for {name}: d(node)/d{name} = Σ over its inputs of "
                      f"local · the input's tangent, seeded with d{name}/d{name} = 1"]
        lines.append(f"  d{h[seed]}/d{name} = 1    (the seed)")
        unreached, count = [], 0
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
                names = {"a": trace.term(n.inputs[0]), "out": h[n.id],
                         "b": trace.term(n.inputs[1]) if len(n.inputs) > 1 else ""}
                rules.append(f"{local} = {show_local(n.op.grads[k], names, TextStyle())}")
            if not symbolic:
                unreached.append(h[n.id])
                continue
            count += len(symbolic)
            lines.append(f"  d{h[n.id]}/d{name} = {' + '.join(symbolic)} = {' + '.join(numeric)} = "
                         f"{show(n.tangent[name], digits)}    ({'; '.join(rules)})")
        if unreached:
            lines.append(f"  (tangent 0, not reached from {name}: {', '.join(unreached)})")
        lines.append(f"  {count} product{'s' if count != 1 else ''}")
    lines += ["", products_line(trace.result)]
    return lines
