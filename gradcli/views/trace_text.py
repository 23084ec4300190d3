"""The trace in the terminal: the value, the tree, the table and the gradient; or --steps.

Rich on stdout (colour only at a terminal). Past a few hundred nodes, or a
tree deeper than Rich can indent at 100 columns, the parts print as plain
text instead; `plain_parts` says which, so the command can say so on stderr.
"""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text

from gradcli.program.trace import Trace
from gradcli.views.array_text import fitted_lines, is_array, show
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
    console.print(f"[bold]{escape(out)}[/bold] = [green]{escape(show(trace.out.value, digits))}[/green]")
    console.print()
    print_tree(console, trace, digits, plain=plain_tree)
    console.print()
    from gradcli.views.array_trace import is_array_trace

    if is_array_trace(trace):
        from gradcli.views import array_trace

        array_trace.print_table(console, trace, digits)
    else:
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
        for name, g in gradient.items():
            (head, first), *rest = fitted_lines(f"∂{out}/∂{name} = ", g, digits, console.width)
            body = first + "".join("\n" + lead + text for lead, text in rest)
            # an array's lines unwrapped, so that Rich never folds a number (array_text);
            # a number wraps after its '=' as ever
            console.print(f"{escape(head)}[red]{escape(body)}[/red]", soft_wrap=is_array(g))
        console.print(products_line(trace.result), style="dim")


def print_steps(console, trace: Trace, digits: int = 12) -> None:
    from gradcli.views.array_trace import is_array_trace

    if trace.mode == "forward" and is_array_trace(trace):
        from gradcli.views.array_trace import tangent_step_lines

        lines = tangent_step_lines(trace, digits, console.width) + ["", products_line(trace.result)]
    elif trace.mode == "forward":
        from gradcli.views.tangent_steps import tangent_lines

        lines = tangent_lines(trace, digits)
    else:
        from gradcli.views.array_trace import is_array_trace, step_lines

        lines = (step_lines(trace, digits, console.width) if is_array_trace(trace)
                 else render_text(narrate(trace), digits)) + ["", products_line(trace.result)]
    if len(trace.nodes) > PLAIN_ROWS:
        console.file.write("\n".join(lines) + "\n")
        return
    for line in lines:
        heading = bool(line) and not line.startswith(" ")
        console.print(Text(line, style="bold" if heading else ""), soft_wrap=True)
