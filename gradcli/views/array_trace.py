"""The trace of an array program for people (README "Arrays: vectors and matrices"): every node with its shape.

The table becomes one block per node (its id, label, operation, inputs and shape, then
its value and gradient written by views/array_text.show at the console's width, so that
lines break between numbers and none is ever cut); `--steps` narrates each array rule
with the shapes it combines,

    ∂L/∂W1 = transpose(X) @ ∂L/∂z1: (4, 5) @ (5, 10) → (4, 10)

and pictures write the shape on each wire. The rule text comes from the operation
table (Op.said, else Op.vjp; an elementwise operation's local derivative, Op.grads),
its numbers from the trace (Trace.edge_grad: what flows along each edge).
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.text import Text

from gradcli.numbers import shape_text
from gradcli.ops.table import CONST, INPUT
from gradcli.program.trace import Trace
from gradcli.views.array_text import fitted_lines, shape_of, show

INDENT = 4


def is_array_trace(trace: Trace) -> bool:
    return bool(getattr(trace.result, "arrays", False))


def shape(trace: Trace, i: int) -> tuple:
    shapes = getattr(trace.result, "shapes", None)
    return tuple(shapes[i]) if shapes is not None else shape_of(trace.nodes[i].value)


def _field(head: str, value, digits: int, width: int, style: str) -> Text:
    """'value (2, 2) [[1, 2], …]' wrapped between numbers at width (continuation lines
    aligned; a narrow console: the numbers under the shape, array_text.fitted_lines).
    Printed unwrapped (print_table), so that Rich never folds a number."""
    lines = fitted_lines(" " * INDENT + head + " ", value, digits, width)
    out = Text(" " * INDENT)
    out.append(lines[0][0][INDENT:], "dim")
    out.append(lines[0][1], style)
    for lead, line in lines[1:]:
        out.append("\n" + lead)
        out.append(line, style)
    return out


def table_lines(trace: Trace, digits: int = 12, width: int = 100) -> list[Text]:
    """One block per node: '#id  label  op  inputs  shape', then its value and gradient."""
    out = []
    grad_head = f"∂{trace.output_handle}/∂node"
    for n in trace.nodes:
        head = Text(f"#{n.id}", "dim")
        head.append("  ")
        head.append(n.label, "bold")
        head.append(f"  {n.op.name}", "dim")
        if n.inputs:
            head.append(f"  inputs {', '.join(map(str, n.inputs))}", "dim")
        head.append(f"  shape {shape_text(shape(trace, n.id))}")
        if not n.live:
            head.append("  unused", "yellow")
        out.append(head)
        out.append(_field("value", n.value, digits, width, "green"))
        if n.tangent is not None:
            for name, t in n.tangent.items():
                out.append(_field(f"d/d{name}", t, digits, width, "red"))
        elif trace.shows_grad(n.id) and n.grad is not None:
            out.append(_field(grad_head, n.grad, digits, width, "red"))
        elif trace.shows_grad(n.id):
            out.append(Text(" " * INDENT + "no gradient (class indices)", "dim"))
    return out


# -- the narration --------------------------------------------------------------------------

_LEAF = re.compile(r"(?<![\w.])(g|a|b|c|d|out)(?![\w(])")


def rule_text(trace: Trace, consumer: int, k: int) -> str:
    """The contribution of edge k of `consumer` as a student writes it, names put in."""
    c = trace.nodes[consumer]
    out = trace.output_handle
    names = {"g": f"∂{out}/∂{trace.handles[consumer]}", "out": trace.handles[consumer]}
    for name, j in zip("abcd", c.inputs):
        names[name] = trace.term(j)
    op = c.op
    if op.name == "matmul" and op.said:
        text = _matmul_said(trace, c, k) or op.said[k]
    elif op.said and k < len(op.said):
        text = op.said[k]
    elif op.vjp:
        text = op.vjp[k] if k < len(op.vjp) else op.vjp[-1]
    else:   # elementwise: the upstream gradient times the local derivative, elementwise
        from gradcli.symbolic.printing import TextStyle
        from gradcli.symbolic.local_rules import show_local

        local = show_local(op.grads[k], {"a": names.get("a", ""), "b": names.get("b", ""),
                                         "out": names["out"]}, TextStyle())
        return f"∂{out}/∂{trace.handles[consumer]} * {_wrap(local)}"
    return _LEAF.sub(lambda m: names.get(m.group(1), m.group(1)), text)


def _matmul_said(trace: Trace, c, k: int) -> str | None:
    """The 1-D cases of a @ b as a student writes them: an outer product, a scaled vector."""
    ra, rb = len(shape(trace, c.inputs[0])), len(shape(trace, c.inputs[1]))
    if ra == 1 and rb == 1:
        return "g * b" if k == 0 else "g * a"
    if k == 0 and rb == 1:
        return "outer(g, b)"
    if k == 1 and ra == 1:
        return "outer(a, g)"
    return None


def _wrap(text: str) -> str:
    return text if re.fullmatch(r"[\w.∂/]+|[\w.]+\(.*\)", text) else f"({text})"


def shapes_text(trace: Trace, consumer: int, k: int) -> str:
    """'(4, 5) @ (5, 10) → (4, 10)': the shapes the rule combines, and the contribution's."""
    c = trace.nodes[consumer]
    j = c.inputs[k]
    op = c.op
    upstream = shape(trace, consumer)
    result = shape(trace, j)
    if op.name == "matmul" and op.said:
        a, b = shape(trace, c.inputs[0]), shape(trace, c.inputs[1])
        said = _matmul_said(trace, c, k)
        if said and said.startswith("outer"):
            left, right = (upstream, b) if k == 0 else (a, upstream)
            return f"{shape_text(left)} ⊗ {shape_text(right)} → {shape_text(result)}"
        if said:
            return f"{shape_text(upstream)} * {shape_text(b if k == 0 else a)} → {shape_text(result)}"
        # g @ transpose(b) and transpose(a) @ g (vectors stay vectors: NumPy's 1-D cases)
        left, right = (upstream, b[::-1]) if k == 0 else (a[::-1], upstream)
        return f"{shape_text(left)} @ {shape_text(right)} → {shape_text(result)}"
    if op.vjp or upstream == result:
        return f"{shape_text(upstream)} → {shape_text(result)}"
    return f"{shape_text(upstream)}, summed over the broadcast axes → {shape_text(result)}"


FORWARD_HEADING = "Forward pass: each node from its inputs, with its shape"


def backward_heading(trace: Trace) -> str:
    return (f"Backward pass: ∂{trace.output_handle}/∂node = Σ over its uses of each rule, with "
            "the shapes it combines, from the output down")


def forward_blocks(trace: Trace, digits: int = 12, width: int = 100) -> list[tuple[int, list[str], list[str]]]:
    """The forward pass, one (node, its rule's lines, its value's lines) a node, inputs first:
    --steps and the step-through views."""
    nodes, handles = trace.nodes, trace.handles
    out = []
    for n in nodes:
        h = handles[n.id]
        if n.op is INPUT or n.op is CONST:
            text = f"{h}" if n.op is INPUT else n.label
        else:
            text = f"{h} = {trace.graph.short_source(n.id)}" if h != trace.graph.short_source(n.id) \
                else h
            ins = [shape_text(shape(trace, j)) for j in n.inputs]
            text += f": {', '.join(ins)} → {shape_text(shape(trace, n.id))}"
        out.append((n.id, [f"  #{n.id:<4} {text}"], _value_lines("= ", n.value, digits, width)))
    return out


def backward_blocks(trace: Trace, digits: int = 12, width: int = 100) -> list[tuple[int, list[str], list[str]]]:
    """The backward pass, one (node, its rules' lines, its gradient's lines) a node whose
    gradient is shown, output first."""
    nodes, handles = trace.nodes, trace.handles
    o = trace.output_handle
    uses = trace.uses
    out = []
    for n in reversed(nodes):
        if not n.live or not trace.shows_grad(n.id) or n.grad is None:
            continue
        h = handles[n.id]
        if n.id == trace.output:
            out.append((n.id, [f"  ∂{o}/∂{h} = 1    (the output)"], []))
            continue
        lines = []
        terms = [(c, k) for c, k in uses[n.id] if nodes[c].live and nodes[c].grad is not None]
        for c, k in terms:
            lines.append(f"  ∂{o}/∂{h} {'+=' if len(terms) > 1 else '='} {rule_text(trace, c, k)}: "
                         f"{shapes_text(trace, c, k)}")
        if len(terms) > 1:
            lines.append(f"    ∂{o}/∂{h} is the sum of its {len(terms)} uses (shared: one node, "
                         "one gradient)")
        out.append((n.id, lines, _value_lines(f"∂{o}/∂{h} = ", n.grad, digits, width)))
    return out


def step_lines(trace: Trace, digits: int = 12, width: int = 100) -> list[str]:
    """--steps for an array program: the forward pass with shapes, then every rule with shapes."""
    out = [FORWARD_HEADING]
    for _, rule, value in forward_blocks(trace, digits, width):
        out += rule + value
    out += ["", backward_heading(trace)]
    for _, rule, value in backward_blocks(trace, digits, width):
        out += rule + value
    return out


def tangent_step_lines(trace: Trace, digits: int = 12, width: int = 100) -> list[str]:
    """--mode forward --steps for an array program: each node's tangent with respect to each
    input, the Jacobian ∂node/∂input (of shape node shape + input shape), inputs first."""
    names = list(trace.result.wrt)
    out = [f"Forward mode: each node's tangent ∂node/∂v for v = {', '.join(names)}: the "
           "Jacobian, of shape (node shape) + (v's shape), one tangent pass per element of v"]
    for n in trace.nodes:
        if n.tangent is None:
            continue
        h = trace.handles[n.id]
        text = h if n.op is INPUT or n.op is CONST else f"{h} = {trace.graph.short_source(n.id)}"
        out.append(f"  #{n.id:<4} {text}: shape {shape_text(shape(trace, n.id))}")
        for name, t in n.tangent.items():
            if t is None:
                out.append(f"        ∂{h}/∂{name} = 0    (nothing flows from {name})")
                continue
            out += _value_lines(f"∂{h}/∂{name} = ", t, digits, width)
    return out


def _value_lines(head: str, value, digits: int, width: int) -> list[str]:
    return [lead + text for lead, text in fitted_lines(" " * 8 + head, value, digits, width)]


def print_table(console, trace: Trace, digits: int = 12) -> None:
    width = console.width
    for line in table_lines(trace, digits, width):
        if not line.plain.startswith("#"):   # a value's lines already fit, or hold a number
            console.print(line, soft_wrap=True)   # wider than the room: never folded
        elif all(cell_len(word) <= width for word in line.plain.split()):
            console.print(line)   # a long header wraps between words
        else:   # a label wider than the terminal folds, but never inside a constant (1e-200)
            for part in fold_header(line, width):
                console.print(part, soft_wrap=True)


# A number written in a label (a constant of the program), which a fold must not cut.
_LITERAL = re.compile(r"(?<![\w.])(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def fold_header(line: Text, width: int) -> list[Text]:
    """A node's header line wrapped between words at width, and a word wider than width
    (a long label) folded at the width but never inside a number: one wider than the room
    runs over the line."""
    plain = line.plain
    inside = [False] * (len(plain) + 1)
    for m in _LITERAL.finditer(plain):
        for k in range(m.start() + 1, m.end()):
            inside[k] = True
    cuts, used = [], 0
    for m in re.finditer(r"\S+\s*", plain):
        start, end = m.start(), m.start() + len(m.group().rstrip())
        if used + cell_len(plain[start:end]) <= width:
            used += cell_len(m.group())
            continue
        if used:
            cuts.append(start)
        at = start
        while cell_len(plain[at:end]) > width:
            cut = at + 1
            while cut < end and cell_len(plain[at:cut + 1]) <= width:
                cut += 1
            back = cut
            while back > at and inside[back]:
                back -= 1
            if back == at:   # a number longer than the room: the line runs over to its end
                back = cut
                while back < end and inside[back]:
                    back += 1
            if back >= end:
                break
            cuts.append(back)
            at = back
        used = cell_len(plain[at:m.end()])
    parts = list(line.divide(cuts))
    for part in parts:
        part.rstrip()
    return parts


def wire_label(trace: Trace, j: int) -> str:
    """What a picture writes on a wire out of node j: its shape (a scalar: its value)."""
    s = shape(trace, j)
    return shape_text(s) if s else show(trace.nodes[j].value, 4)
