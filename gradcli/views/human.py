"""Human output with Rich: tables for people at a terminal.

Rich decides colour by itself: none in a pipe or a file, none with NO_COLOR.
Numbers are written short (see numbers.fmt); JSON carries full precision.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

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


def gradient_table(result) -> Table:
    """The value's gradients: one row per variable asked for."""
    out = result.program.output_name
    head = f"∂{out}/∂v" if out else "∂/∂v"
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("v", style="bold")
    table.add_column("value", justify="right")
    table.add_column(head, justify="right", style="cyan")
    grads = result.gradient
    for name, g in grads.items():
        value = result.inputs.get(name)
        if value is None:  # an assigned intermediate asked for with --wrt
            value = result.values[result.program.node_of(name)]
        table.add_row(escape(name), escape(show(value)), escape(show(g)))
    return table


def print_grad(result) -> None:
    c = console()
    out = result.program.output_name
    c.print(f"{escape(out) + ' = ' if out else 'value = '}[bold]{escape(show(result.value))}[/bold]")
    if result.gradient:
        if getattr(result, "arrays", False):
            print_array_gradients(c, result)
        else:
            c.print(gradient_table(result))
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
