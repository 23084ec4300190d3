"""Human output with Rich: tables for people at a terminal.

Rich decides colour by itself: none in a pipe or a file, none with NO_COLOR.
Numbers are written short (see numbers.fmt); JSON carries full precision.

A number is never cut, at any width (the rule the trace table keeps, see
trace_table.fit): a table of names and numbers is a FittedTable, which lays
itself out for the width it is given. Where the table fits, it is the plain
Rich table; where it does not, the names wrap (fold) within their column and
every number column keeps the width of its widest number (a long header folds
over it); where even names LABEL_MIN wide leave no room, each row becomes a
block: its name, then "header value" fields, none ever split.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from gradcli.views.array_text import show


def console(stderr: bool = False, pipe_width: int | None = None) -> Console:
    """The one Rich console: results on stdout, or notes and progress on stderr.

    Colour is Rich's choice: none in a pipe or a file, none where NO_COLOR is set.
    The width is COLUMNS where it is set, else the terminal's; without a terminal
    it is `pipe_width` (trace's fixed 100, so that piped output is stable) or Rich's
    80. No highlighting: colour goes only where a view puts it. emoji=False: nothing
    is written in emoji codes, a name like `:x:` must print as typed, and Rich's
    table of them costs about 10 ms of start-up to load.
    """
    import os
    import sys

    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        width = int(columns)
    elif pipe_width is not None and not (sys.stderr if stderr else sys.stdout).isatty():
        width = pipe_width
    else:
        width = None  # Rich asks the terminal, or falls back to 80
    return Console(stderr=stderr, width=width, highlight=False, emoji=False)


GAP = 2          # spaces between columns (Rich's padding of 1 on each side)
LABEL_MIN = 8    # a name column narrower than this: the blocks read better
INDENT = 2       # a block's fields, under its name


@dataclass
class Column:
    """One column of a FittedTable: its header (markup) and how its cells are shown.
    A label column holds names and may wrap; every other column holds numbers (or
    short marks), which are never wrapped nor cut."""

    header: str
    justify: str = "left"
    style: str | None = None
    label: bool = False


def _text(markup: str, **options) -> Text:
    """Rich markup as Text; nothing is read as an emoji code (see console())."""
    return Text.from_markup(markup, emoji=False, **options)


def cell_width(markup: str) -> int:
    """The cells its widest line takes on the terminal (markup read, not counted)."""
    return max(cell_len(line) for line in _text(markup).plain.split("\n"))


def _share(natural: list[int], room: int) -> list[int] | None:
    """Widths for the label columns within room: the widest give way first, none below
    min(its natural width, LABEL_MIN); None where that is more than room."""
    if sum(min(n, LABEL_MIN) for n in natural) > room:
        return None
    if sum(natural) <= room:
        return list(natural)
    lo, hi = LABEL_MIN, max(natural)
    while lo < hi:                    # the widest level t with sum(min(n, t)) <= room
        mid = (lo + hi + 1) // 2
        if sum(min(n, mid) for n in natural) <= room:
            lo = mid
        else:
            hi = mid - 1
    widths = [min(n, lo) for n in natural]
    extra = room - sum(widths)
    for k, n in enumerate(natural):
        if extra and n > widths[k]:
            widths[k] += 1
            extra -= 1
    return widths


def _lines(columns, rows, widths) -> int:
    """About how many lines the table takes with these widths (a cell folds every w cells)."""
    def height(cells):
        return max(math.ceil(cell_width(c) / max(w, 1)) or 1 for c, w in zip(cells, widths))
    return height([c.header for c in columns]) + sum(height(r) for r in rows)


def fit_widths(columns: list[Column], rows: list[list[str]], width: int) -> tuple[list[int] | None, bool]:
    """(column widths that show every number whole within width, or None; whether they
    are the table's natural widths, nothing wrapped)."""
    n = len(columns)
    heads = [cell_width(c.header) for c in columns]
    cells = [max([cell_width(r[k]) for r in rows], default=0) for k in range(n)]
    natural = [max(h, c) for h, c in zip(heads, cells)]
    room = width - GAP * (n - 1)
    if sum(natural) <= room:
        return natural, True
    labels = [k for k, c in enumerate(columns) if c.label]
    best = None
    for fold_headers in (False, True):
        widths = list(natural)
        if fold_headers:   # a number column as wide as its numbers, its header folded over them
            for k, c in enumerate(columns):
                if not c.label:
                    widths[k] = max(cells[k], min(heads[k], LABEL_MIN))
        share = _share([natural[k] for k in labels],
                       room - sum(w for k, w in enumerate(widths) if k not in labels))
        if share is None:
            continue
        for k, w in zip(labels, share):
            widths[k] = w
        lines = _lines(columns, rows, widths)
        if best is None or lines < best[0]:
            best = (lines, widths)
    return (best[1] if best else None), False


def build_table(columns: list[Column], rows: list[list[str]], widths: list[int] | None = None,
                **options) -> Table:
    """The Rich table; with widths, each column exactly that wide, the labels wrapping."""
    table = Table(box=None, pad_edge=False, show_edge=False, **options)
    for k, col in enumerate(columns):
        header, kw = col.header, {}
        if widths is not None:
            kw = {"width": widths[k], "no_wrap": not col.label, "overflow": "fold"}
            if not col.label and cell_width(header) > widths[k]:
                header = _text(header, overflow="fold")
                header.no_wrap = False
        table.add_column(header, justify=col.justify, style=col.style, **kw)
    for cells in rows:
        table.add_row(*cells)
    return table


def blocks(console: Console, columns: list[Column], rows: list[list[str]], width: int) -> list[Text]:
    """The rows for a terminal too narrow for the table: each row its name (folded at
    the width), then its other cells as "header value" fields packed into lines. A
    field is never split: one too long for a line puts its header on the line above,
    and a number longer than the whole width runs over (for the terminal to wrap)."""
    labels = [k for k, c in enumerate(columns) if c.label]
    first = labels[0] if labels else None
    indent = INDENT if first is not None else 0
    out: list[Text] = []
    for cells in rows:
        if first is not None:
            name = _text(cells[first], style=columns[first].style or "")
            out.extend(name.wrap(console, max(width, 1), overflow="fold"))
        line = Text(" " * indent)

        def flush():
            nonlocal line
            if line.cell_len > indent:
                out.append(line)
            line = Text(" " * indent)

        for k, col in enumerate(columns):
            value = _text(cells[k], style=col.style or "")
            if k == first or not value.plain:
                continue
            head = _text(col.header).plain
            field = Text.assemble((head + " " if head else "", "dim"), value)
            if indent + field.cell_len > width:
                flush()
                if head:
                    for part in Text(head, "dim").wrap(console, max(width - indent, 1), overflow="fold"):
                        out.append(Text(" " * indent) + part)
                out.append(Text(" " * (indent if indent + value.cell_len <= width else 0)) + value)
                continue
            if line.cell_len > indent and line.cell_len + GAP + field.cell_len > width:
                flush()
            if line.cell_len > indent:
                line.append(" " * GAP)
            line.append_text(field)
        flush()
    return out


class FittedTable:
    """A table of names and numbers that fits the width it is rendered at and never
    cuts a number (see the module's docstring). Print it with print_fitted, or with
    console.print (then a number longer than the whole width folds at its edge)."""

    def __init__(self, columns: list[Column], rows: list[list[str]], title: str | None = None):
        self.columns, self.rows, self.title = columns, rows, title

    def _options(self) -> dict:
        return {"title": self.title, "title_justify": "left"} if self.title is not None else {}

    def layout(self, console: Console, width: int) -> list:
        """A Table, or the title and the rows' blocks as lines of Text."""
        widths, natural = fit_widths(self.columns, self.rows, width)
        if widths is not None:
            return [build_table(self.columns, self.rows, None if natural else widths, **self._options())]
        head = [_text(self.title, style="table.title")] if self.title is not None else []
        return head + blocks(console, self.columns, self.rows, width)

    def __rich_console__(self, console, options):
        yield from self.layout(console, options.max_width)


def print_fitted(c: Console, renderable) -> None:
    """Print a FittedTable (or a view built like one): its tables as Rich tables, its
    lines each on one line, never cropped at the terminal's edge."""
    for item in renderable.layout(c, c.width):
        if isinstance(item, Text):
            c.print(item, soft_wrap=True)
        else:
            c.print(item)


def gradient_columns(output: str | None) -> list[Column]:
    """The columns of a table of gradients: the name, its value, ∂output/∂name."""
    head = f"∂{output}/∂v" if output else "∂/∂v"
    return [Column("v", style="bold", label=True), Column("value", justify="right"),
            Column(escape(head), justify="right", style="cyan")]


def gradient_table(result) -> FittedTable:
    """The value's gradients: one row per variable asked for."""
    rows = []
    for name, g in result.gradient.items():
        value = result.inputs.get(name)
        if value is None:  # an assigned intermediate asked for with --wrt
            value = result.values[result.program.node_of(name)]
        rows.append([escape(name), escape(show(value)), escape(show(g))])
    return FittedTable(gradient_columns(result.program.output_name), rows)


def print_grad(result) -> None:
    c = console()
    out = result.program.output_name
    c.print(f"{escape(out) + ' = ' if out else 'value = '}[bold]{escape(show(result.value))}[/bold]")
    if result.gradient:
        if getattr(result, "arrays", False):
            print_array_gradients(c, result)
        else:
            print_fitted(c, gradient_table(result))
        c.print(products_line(result), style="dim")


def print_array_gradients(c, result) -> None:
    """An array program's gradients (README "How arrays are shown"): one block per variable,
    its value and its gradient each wrapped between numbers at the console's width."""
    from gradcli.views.array_text import labelled

    out = result.program.output_name
    head = f"∂{out}/∂" if out else "∂/∂"
    for name, g in result.gradient.items():
        value = result.inputs.get(name)
        if value is None:  # an assigned intermediate asked for with --wrt
            value = result.values[result.program.node_of(name)]
        c.print(escape(name), style="bold")
        width = max(len("value"), len(head + name))
        c.print(escape(labelled(f"  {'value':<{width}} ", value, 12, c.width)), soft_wrap=True)
        c.print(escape(labelled(f"  {head + name:<{width}} ", g, 12, c.width)), style="cyan",
                soft_wrap=True)


def products_line(result) -> str:
    """How many local-derivative products the mode performed (README: two modes)."""
    n = result.products
    passes = len(result.wrt)
    if getattr(result, "arrays", False):   # arrays: one tangent pass per element of each input
        import numpy as np

        passes = sum(int(np.size(result.inputs[name])) if name in result.inputs else
                     int(np.size(result.values[result.program.node_of(name)])) for name in result.wrt)
    how = ("one backward pass" if result.mode == "reverse"
           else f"{passes} tangent pass{'es' if passes != 1 else ''}")
    return f"{result.mode} mode: {n} local-derivative product{'s' if n != 1 else ''} ({how})"
