"""The trace as Graphviz DOT text: `gradcli trace ... --format dot | dot -Tpng > graph.png`.

Inputs on the left, the output on the right; each wire carries the forward
value (green) over the gradient (red), in HTML-like labels.
"""

from __future__ import annotations

from gradcli.views.picture import (
    GRAD_COLOUR,
    LEGEND_LOCAL,
    LEGEND_VALUE,
    LOCAL_COLOUR,
    VALUE_COLOUR,
    captions,
    legend_grad,
    title,
    wires,
)


def _html(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _comment(text: str) -> str:
    return " ".join(text.split()).replace("*/", "* /")


def _node_label(c) -> str:
    rows = [f"<b>{_html(c.title)}</b>"]
    if c.name:
        rows.append(f'<font point-size="10">{_html(c.name)}</font>')
    if c.total:
        rows.append(f'<font point-size="10" color="{GRAD_COLOUR}">{_html(c.total)}</font>')
    return "<" + "<br/>".join(rows) + ">"


def _wire_label(w) -> str:
    value = f'<font color="{VALUE_COLOUR}">{_html(w.value)}</font>'
    if not w.grad:   # a constant's wire, without --show-constants
        return f"<{value}>"
    local = f'<br/><font color="{LOCAL_COLOUR}">{_html(w.local)}</font>' if w.local else ""
    return f'<{value}<br/><font color="{GRAD_COLOUR}">{_html(w.grad)}</font>{local}>'


def dot(trace, digits: int | None = None, edge_derivatives: bool = False) -> str:
    local = f", blue = {LEGEND_LOCAL}" if edge_derivatives else ""
    lines = [
        f"/* gradcli trace: {_comment(title(trace))} */",
        f"/* each wire: green = {LEGEND_VALUE}, red = {legend_grad(trace)}{local} */",
        "digraph gradcli {",
        '  rankdir=LR; nodesep=0.5; ranksep=0.9;',
        '  node [fontname="Helvetica", fontsize=14, shape=ellipse, margin="0.08,0.04"];',
        '  edge [fontname="Helvetica", fontsize=11, arrowsize=0.6, color="#546e7a"];',
    ]
    for i, c in enumerate(captions(trace, digits)):
        attrs = [f"label={_node_label(c)}"]
        if c.kind == "input":
            attrs.append('shape=box, style="rounded,filled", fillcolor="#e3f2fd"')
        elif c.kind == "const":
            attrs.append('shape=box, style="rounded,filled", fillcolor="#f5f5f5"')
        if not c.live:
            attrs.append('color="#9e9e9e", fontcolor="#9e9e9e"')
        if c.kink:
            attrs.append(f'penwidth=2, color="#ef6c00", tooltip="{_html(c.kink)}"')
        lines.append(f"  n{i} [{', '.join(attrs)}];")
    lines.append('  out [shape=point, width=0.06, color="#546e7a"];')
    for w in wires(trace, digits, edge_derivatives):
        dst = "out" if w.dst < 0 else f"n{w.dst}"
        style = "" if w.live else ', style=dashed, color="#9e9e9e"'
        lines.append(f"  n{w.src} -> {dst} [label={_wire_label(w)}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
