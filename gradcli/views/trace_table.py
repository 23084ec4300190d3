"""The trace table: one row per node, with its value, gradient and local derivatives.

Rich lays a table out at about 1 ms a row, so a big trace (more than
PLAIN_ROWS nodes) is printed as plain aligned text instead: the same columns,
no colour, linear time. The command says so on stderr.
"""

from __future__ import annotations

import math

from rich.markup import escape
from rich.table import Table

from ..tracing import EXPLODING, VANISHING, Trace, show

PLAIN_ROWS = 300

# (header, justify, style): the value in green and the gradient in red, as in the pictures.
_COLUMNS = [
    ("#", "right", "dim"),
    ("node", "left", "bold"),
    ("op", "left", ""),
    ("inputs", "left", "dim"),
    ("value", "right", "green"),
    ("grad", "right", "red"),
    ("∂node/∂input", "right", ""),
    ("notes", "left", "yellow"),
]


def notes(node) -> list[str]:
    """Short marks for the notes column; footnotes() explains them."""
    marks = []
    if not node.live:
        marks.append("unused")
    if node.kink:
        marks.append("kink")
    if node.vanishing:
        marks.append("vanishing")
    if node.exploding:
        marks.append("exploding")
    if not math.isfinite(node.grad):
        marks.append("no input")
    return marks


def headers(trace: Trace) -> list[str]:
    names = [c[0] for c in _COLUMNS]
    names[5] = f"∂{trace.output_handle}/∂node"
    return names


def rows(trace: Trace, digits: int = 12) -> list[list[str]]:
    """Every node's cells, as text."""
    out = []
    for n in trace.nodes:
        out.append([
            str(n.id),
            n.label,
            n.op.name,
            ", ".join(map(str, n.inputs)),
            show(n.value, digits),
            show(n.grad, digits),
            ", ".join(show(v, digits) for v in n.local),
            ", ".join(notes(n)),
        ])
    return out


def footnotes(trace: Trace) -> list[str]:
    """What the marks mean, and the convention used at each kink."""
    lines = []
    marked = {m for n in trace.nodes for m in notes(n)}
    for n in trace.nodes:
        if n.kink:
            lines.append(f"kink at #{n.id} {n.label}: {n.kink}")
    if "vanishing" in marked:
        lines.append(f"vanishing: 0 < |gradient| < {VANISHING:g}, or 0 only because a product "
                     "underflowed, on a node between an input and the output")
    if "exploding" in marked:
        lines.append(f"exploding: |gradient| > {EXPLODING:g} on a node between an input and the output")
    if "no input" in marked:
        lines.append("no input: no input variable reaches the node; its gradient is undefined "
                     "but enters no input's gradient")
    if "unused" in marked:
        lines.append("unused: the output does not depend on the node (its gradient is 0)")
    return lines


def rich_table(trace: Trace, digits: int = 12) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    body = rows(trace, digits)
    keep = _shown_columns(body)
    # Labels get room first (up to 40 columns); long local derivatives go one per
    # line rather than lose digits: no number is ever cut.
    label_width = min(40, max(len(cells[1]) for cells in body))
    for k in keep:
        _, justify, style = _COLUMNS[k]
        table.add_column(escape(headers(trace)[k]), justify=justify, style=style or None,
                         no_wrap=k not in (1, 7), overflow="fold",
                         min_width=label_width if k == 1 else None)
    for cells in body:
        if len(cells[6]) > 16:
            cells[6] = cells[6].replace(", ", ",\n")
        table.add_row(*(escape(cells[k]) for k in keep))
    return table


def _shown_columns(body: list[list[str]]) -> list[int]:
    """Every column, less the local and notes columns when no row has any."""
    keep = list(range(len(_COLUMNS)))
    for k in (7, 6):
        if not any(cells[k] for cells in body):
            keep.remove(k)
    return keep


def plain_lines(trace: Trace, digits: int = 12) -> list[str]:
    """The same table as plain text: columns two spaces apart, numbers to the right."""
    body = rows(trace, digits)
    keep = _shown_columns(body)
    head = [headers(trace)[k] for k in keep]
    body = [[cells[k] for k in keep] for cells in body]
    widths = [len(h) for h in head]
    for cells in body:
        for k, cell in enumerate(cells):
            if len(cell) > widths[k]:
                widths[k] = len(cell)
    justify = [_COLUMNS[k][1] for k in keep]

    def line(cells):
        parts = [c.rjust(w) if j == "right" else c.ljust(w)
                 for c, w, j in zip(cells, widths, justify)]
        return "  ".join(parts).rstrip()

    return [line(head)] + [line(cells) for cells in body]


def print_table(console, trace: Trace, digits: int = 12, plain: bool = False) -> None:
    if plain:
        console.file.write("\n".join(plain_lines(trace, digits) + footnotes(trace)) + "\n")
        return
    console.print(rich_table(trace, digits))
    for line in footnotes(trace):
        console.print(escape(line), style="yellow")
