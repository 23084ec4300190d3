"""The trace in the terminal: the value, the tree, the table and the gradient; or --steps.

Rich on stdout (colour only at a terminal). Past a few hundred nodes, or a
tree deeper than Rich can indent at 100 columns, the parts print as plain
text instead; `plain_parts` says which, so the command can say so on stderr.
"""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text

from gradcli.program.trace import Trace, show
from gradcli.views.steps import narrate, render_text
from gradcli.views.trace_table import PLAIN_ROWS, print_table
from gradcli.views.human import products_line
from gradcli.views.tree import fits_rich, print_tree


def plain_parts(trace: Trace, width: int = 100) -> tuple[bool, bool]:
    """(the tree, the table) printed as plain text, on a console this wide?"""
    return not fits_rich(trace, width), len(trace.nodes) > PLAIN_ROWS


def print_trace(console, trace: Trace, digits: int = 12) -> None:
    plain_tree, plain_table = plain_parts(trace, console.width)
    out = trace.output_handle
    console.print(f"[bold]{escape(out)}[/bold] = [green]{show(trace.out.value, digits)}[/green]")
    console.print()
    print_tree(console, trace, digits, plain=plain_tree)
    console.print()
    print_table(console, trace, digits, plain=plain_table)
    gradient = trace.result.gradient
    if not gradient:
        return
    console.print()
    lines = [(f"∂{out}/∂{name}", show(g, digits)) for name, g in gradient.items()]
    if plain_table:
        console.file.write("".join(f"{d} = {v}\n" for d, v in lines))
        console.file.write(products_line(trace.result) + "\n")
    else:
        for d, v in lines:
            console.print(f"{escape(d)} = [red]{v}[/red]")
        console.print(products_line(trace.result), style="dim")


def print_steps(console, trace: Trace, digits: int = 12) -> None:
    if trace.mode == "forward":
        from gradcli.views.tangent_steps import tangent_lines

        lines = tangent_lines(trace, digits)
    else:
        lines = render_text(narrate(trace), digits) + ["", products_line(trace.result)]
    if len(trace.nodes) > PLAIN_ROWS:
        console.file.write("\n".join(lines) + "\n")
        return
    for line in lines:
        heading = bool(line) and not line.startswith(" ")
        console.print(Text(line, style="bold" if heading else ""), soft_wrap=True)
