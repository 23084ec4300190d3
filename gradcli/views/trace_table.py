"""The trace table: one row per node, with its value, gradient and local derivatives.

It fits the console's width without ever cutting a number: fit() folds the
lists of local derivatives and notes, then wraps the labels; where even that
does not fit, stacked() writes each node as a block of "header value" fields.

Rich lays a table out at about 1 ms a row, so a big trace (more than
PLAIN_ROWS nodes) is printed as plain aligned text instead: the same columns,
no colour, linear time. The command says so on stderr.
"""

from __future__ import annotations

import math

from rich.cells import cell_len
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from gradcli.program.trace import EXPLODING, VANISHING, Trace
from gradcli.views.array_text import show

PLAIN_ROWS = 300
HIDDEN = "–"          # a local derivative into a constant, whose gradient is left out
GAP = 2               # spaces between columns (Rich's padding of 1 on each side)
LABEL_MIN = 8         # a label column narrower than this: the stacked layout reads better

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


def notes(trace: Trace, node) -> list[str]:
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
    if not _finite(node.grad) and trace.shows_grad(node.id):
        marks.append("no input")
    return marks


def _finite(v) -> bool:
    """A number, or every element of an array, is finite (None: no gradient, nothing to mark)."""
    if v is None:
        return True
    try:
        return math.isfinite(v)
    except TypeError:                 # an array (README "Arrays: vectors and matrices")
        import numpy as np

        return bool(np.isfinite(v).all())


def headers(trace: Trace) -> list[str]:
    names = [c[0] for c in _COLUMNS]
    names[5] = f"∂{trace.output_handle}/∂node"
    if trace.mode == "forward":   # the tangents ∂node/∂input, one per input, in this column
        names[5] = "d/d" + ", d/d".join(trace.result.wrt) if trace.result.wrt else "tangent"
    return names


def rows(trace: Trace, digits: int = 12) -> list[list[str]]:
    """Every node's cells, as text. A constant's gradient is left blank, and so is the
    local derivative into a constant ("–"), unless trace.show_constants."""
    out = []
    shown = trace.shows_grad
    for n in trace.nodes:
        if shown(n.id):
            local = ", ".join(show(v, digits) if shown(j) else HIDDEN
                              for j, v in zip(n.inputs, n.local))
        else:
            local = ""
        out.append([
            str(n.id),
            n.label,
            n.op.name,
            ", ".join(map(str, n.inputs)),
            show(n.value, digits),
            (", ".join(show(t, digits) for t in n.tangent.values()) if n.tangent is not None
             else show(n.grad, digits) if shown(n.id) else ""),
            local,
            ", ".join(notes(trace, n)),
        ])
    return out


def footnotes(trace: Trace) -> list[str]:
    """What the marks mean, and the convention used at each kink."""
    lines = []
    marked = {m for n in trace.nodes for m in notes(trace, n)}
    for n in trace.nodes:
        if n.kink:
            lines.append(f"kink at #{n.id} {n.label}: {n.kink}")
    if "vanishing" in marked:
        lines.append(f"vanishing: 0 < |gradient| < {VANISHING:g}, or 0 only because a product or a rule "
                     "underflowed, on a node between an input and the output")
    if "exploding" in marked:
        lines.append(f"exploding: |gradient| > {EXPLODING:g} on a node between an input and the output")
    if "no input" in marked:
        lines.append("no input: no input variable reaches the node; its gradient is undefined "
                     "but enters no input's gradient")
    if "unused" in marked:
        lines.append("unused: the output does not depend on the node (its gradient is 0)")
    return lines


def _cell_width(text: str) -> int:
    return max(cell_len(line) for line in text.split("\n"))


def _fold_lists(body: list[list[str]], k: int, head: str) -> None:
    """Put the items of column k one per line in the cells that are wider than the
    column must be anyway (its header, its widest single item)."""
    target = max([cell_len(head)] + [cell_len(item) for cells in body
                                     for item in cells[k].split(", ")])
    for cells in body:
        if cell_len(cells[k]) > target:
            cells[k] = cells[k].replace(", ", ",\n")


def fit(head: list[str], body: list[list[str]], width: int) -> list[int] | None:
    """Column widths that show every cell whole within width, or None.

    Numbers are never cut: first the local derivatives and notes go one per
    line, then the label column (index 1) wraps; when even that leaves it too
    narrow, there is no table layout (None) and the caller stacks the fields.
    Changes body's list cells in place.
    """
    lists = [k for k, h in enumerate(head) if h in (_COLUMNS[6][0], _COLUMNS[7][0])
             or h.startswith("d/d") and ", " in h]   # forward mode's tangents
    for folded in (False, True):
        if folded:
            for k in lists:
                _fold_lists(body, k, head[k])
        widths = [max([cell_len(h)] + [_cell_width(cells[k]) for cells in body])
                  for k, h in enumerate(head)]
        room = width - GAP * (len(head) - 1) - (sum(widths) - widths[1])
        if room >= widths[1]:
            return widths
    if room >= LABEL_MIN:
        widths[1] = room
        return widths
    return None


def rich_table(trace: Trace, digits: int = 12, width: int = 100) -> Table | None:
    """The table within width columns, every number whole; None where it cannot fit."""
    body = rows(trace, digits)
    keep = _shown_columns(body)
    head = [headers(trace)[k] for k in keep]
    body = [[cells[k] for k in keep] for cells in body]
    widths = fit(head, body, width)
    if widths is None:
        return None
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for k, h, w in zip(keep, head, widths):
        _, justify, style = _COLUMNS[k]
        table.add_column(escape(h), justify=justify, style=style or None, width=w,
                         no_wrap=k != 1, overflow="fold")
    for cells in body:
        table.add_row(*(escape(c) for c in cells))
    return table


def stacked(trace: Trace, digits: int = 12, width: int = 60) -> list[Text]:
    """The table for a narrow terminal: each node a block of 'header value' fields.

    The label line folds at the width; the fields are packed into lines of at
    most width columns, and a field is never split (one longer than the width
    runs over, for the terminal to wrap).
    """
    body = rows(trace, digits)
    keep = _shown_columns(body)
    head = headers(trace)
    indent = 1 + max(len(cells[0]) for cells in body) + GAP
    out = [Text(head[0].ljust(indent) + head[1], "bold")]   # each block: '#id  label', then fields
    for cells in body:
        first = f"#{cells[0]}".ljust(indent)
        room = max(1, width - indent)
        label = cells[1]
        chunks = [label[s:s + room] for s in range(0, len(label), room)] or [""]
        for c, chunk in enumerate(chunks):
            out.append(Text.assemble((first if c == 0 else " " * indent, "dim"), (chunk, "bold")))
        line = Text(" " * indent)
        for k in keep[2:]:
            if not cells[k]:
                continue
            if k == 5 and trace.mode == "forward" and trace.result.wrt:
                # one field per tangent, 'd/dw0 0.37', not one list as wide as all of them
                pairs = zip((f"d/d{name}" for name in trace.result.wrt), cells[k].split(", "))
            else:
                pairs = [(head[k], cells[k])]
            for name, value in pairs:
                field = Text.assemble((name + " ", "dim"), (value, _COLUMNS[k][2]))
                if line.cell_len > indent and line.cell_len + GAP + field.cell_len > width:
                    out.append(line)
                    line = Text(" " * indent)
                if line.cell_len > indent:
                    line.append(" " * GAP)
                line.append_text(field)
        out.append(line)
    return out


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
    table = rich_table(trace, digits, console.width)
    if table is None:
        for line in stacked(trace, digits, console.width):
            console.print(line, soft_wrap=True)
    else:
        console.print(table)
    for line in footnotes(trace):
        console.print(escape(line), style="yellow")
