"""`gradcli trace`: every node's value and gradient, the chain rule step by step, pictures."""

from __future__ import annotations

import click

from gradcli.cli.choice import Choice

from gradcli.cli import BINDING_CONTEXT, program_command, split_args, wrt_names
from gradcli.errors import GradUsageError

FORMATS = ["text", "dot", "mermaid", "svg"]


def _note(message: str) -> None:
    click.echo(f"gradcli: note: {message}", err=True)


def _check_options(as_json: bool, steps: bool, form: str, svg_file: str | None) -> str:
    """Refuse clashing options; the --format to print (`--svg -` is --format svg)."""
    if svg_file == "":
        raise GradUsageError("--svg needs a file name (or - for standard output)")
    if svg_file == "-":
        if as_json or steps or form not in ("text", "svg"):
            other = "--json" if as_json else "--steps" if steps else f"--format {form}"
            raise GradUsageError(f"--svg - and {other} both choose what goes to stdout: pick one",
                                 hint="--svg FILE writes the picture to a file instead")
        form = "svg"
    if as_json and (steps or form != "text"):
        other = "--steps" if steps else f"--format {form}"
        raise GradUsageError(f"--json and {other} both choose what goes to stdout: pick one",
                             hint="--svg FILE writes a picture to a file and goes with any of them")
    if steps and form != "text":
        raise GradUsageError(f"--steps is text; it does not go with --format {form}")
    return form


def _picture(trace, form: str, digits: int | None, edge_derivatives: bool = False) -> str:
    if form == "dot":
        from gradcli.views.dot import dot

        return dot(trace, digits, edge_derivatives)
    if form == "mermaid":
        from gradcli.views.mermaid import mermaid

        return mermaid(trace, digits, edge_derivatives)
    from gradcli.views.svg import svg

    return svg(trace, digits, edge_derivatives)


def _write_svg(trace, path: str, digits: int | None, edge_derivatives: bool = False) -> None:
    picture = _picture(trace, "svg", digits, edge_derivatives)
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(picture)
    except OSError as exc:
        raise GradUsageError(f"cannot write the picture to '{path}': {exc.strerror or exc}") from None
    _note(f"wrote {path} ({len(trace.nodes)} nodes)")


# -- the step-through views: trace --html FILE, --svg-frames DIR ------------------------------

def _step_view_options(f):
    f = click.option("--svg-frames", "frames_dir", metavar="DIR",
                     help="Also write one SVG per step into DIR (frame_001.svg …), for slides; "
                          "the last is the --svg picture.")(f)
    return click.option("--html", "html_file", metavar="FILE",
                        help="Also write a page to step through the passes in a browser "
                             "(one offline file: ← and → keys).")(f)


def _write_step_views(trace, html_file: str | None, frames_dir: str | None,
                      digits: int | None) -> None:
    if html_file is not None and trace.mode == "forward":
        from gradcli.views.array_trace import is_array_trace

        if is_array_trace(trace):   # a tangent is a Jacobian per input: no wire or cell shows it
            raise GradUsageError("--html --mode forward steps through scalar programs only; an "
                                 "array program's page is reverse mode",
                                 hint="for its tangents (Jacobians): --mode forward --steps or --json")
    if html_file is not None:
        if html_file in ("", "-"):
            raise GradUsageError("--html needs a file name", hint="gradcli trace EXPR --html page.html")
        from gradcli.views.page import write_page

        write_page(trace, html_file, digits)
        _note(f"wrote {html_file} ({len(trace.nodes)} nodes; open it in a browser, ← and → step)")
    if frames_dir is not None:
        if frames_dir == "":
            raise GradUsageError("--svg-frames needs a folder name", hint="gradcli trace EXPR --svg-frames slides/")
        from gradcli.views.frames import write_frames

        count = write_frames(trace, frames_dir, digits)
        _note(f"wrote {count} frames into {frames_dir}")


def _print_text(trace, steps: bool, digits: int, latex: bool = False) -> None:
    from gradcli.views.human import console as make_console
    from gradcli.views.trace_text import plain_parts, print_steps, print_trace

    if latex:   # a solution sheet to paste: plain text, no Rich styling or wrapping
        from gradcli.views.steps import narrate
        from gradcli.views.steps_latex import render_latex

        click.echo("\n".join(render_latex(narrate(trace), digits)))
        return
    console = make_console(pipe_width=100)  # piped output stays 100 wide, stable
    if steps:
        print_steps(console, trace, digits)
        return
    plain_tree, plain_table = plain_parts(trace, console.width)
    if plain_tree or plain_table:
        what = ("tree and table" if plain_tree and plain_table
                else "tree" if plain_tree else "table")
        _note(f"{len(trace.nodes)} nodes: the {what} printed as plain text "
              "(Rich draws big or deep ones slowly or squeezed); --json has every number")
    print_trace(console, trace, digits)


@click.command("trace", context_settings=BINDING_CONTEXT)
@program_command
@click.option("--wrt", multiple=True, metavar="NAME[,NAME...]",
              help="Report only these variables (or assigned names) in the gradient.")
@click.option("--steps", is_flag=True,
              help="Narrate the forward and backward passes, one line per node.")
@click.option("--format", "form", type=Choice(FORMATS), default="text", show_default=True,
              help="text: a tree and a table; dot (Graphviz), mermaid (Markdown) or svg: a picture.")
@click.option("--svg", "svg_file", metavar="FILE",
              help="Also write a picture of the graph to FILE (drawn by gradcli, no Graphviz); "
                   "- writes it to stdout instead of the text.")
@click.option("--show-constants", is_flag=True,
              help="Show the gradients of constants (nodes no input reaches) too; JSON always has them.")
@click.option("--digits", type=click.IntRange(1, 17), default=None, metavar="N",
              help="Significant digits shown (default 12 in text, 4 in pictures); JSON has them all.")
@click.option("--latex", is_flag=True,
              help="With --steps: the narration as LaTeX (an align* environment, needs amsmath).")
@click.option("--mode", type=Choice(["reverse", "forward"]), default="reverse",
              show_default=True,
              help="forward: also every node's tangent ∂node/∂input, one pass per input (or --wrt name).")
# -- for teaching with pictures (README "Pictures for teaching")
@click.option("--edge-derivatives", is_flag=True,
              help="Pictures: also the local derivative ∂node/∂input on each wire (blue), "
                   "as colah draws them.")
@click.option("--sigmoid-gates", is_flag=True,
              help="Trace every sigmoid(a) as CS231n's gates ×−1, exp, +1, 1/x: 1/(1+exp(-(a))).")
@_step_view_options
def trace_command(args, as_json, wrt, steps, form, svg_file, show_constants, digits, latex, mode,
                  edge_derivatives, sigmoid_gates, html_file, frames_dir):
    """Every node of EXPR: its value, its gradient and the local derivatives.

    The graph is printed as a tree (output first) and a table (inputs first);
    --steps writes out the chain rule line by line. A value is written in
    green and a gradient in red, in the terminal and in the pictures.

    \b
    Examples:
      gradcli trace "p = x + y; g = p * z" -x 1 -y 3 -z -3
      gradcli trace "p = x + y; g = p * z" -x 1 -y 3 -z -3 --steps
      gradcli trace "p = x + y; g = p * z" -x 1 -y 3 -z -3 --steps --latex
      gradcli trace "(x+y)*z" -x 1 -y 3 -z -3 --svg graph.svg
      gradcli trace "(x+y)*z" -x 1 -y 3 -z -3 --svg graph.svg --edge-derivatives
      gradcli trace "sigmoid(w*x+b)" -w 2 -x -1 -b 1 --sigmoid-gates --svg gates.svg
      gradcli trace "(x+y)*z" -x 1 -y 3 -z -3 --format dot | dot -Tpng > graph.png
      gradcli trace "(x+y)*z" -x 1 -y 3 -z -3 --format mermaid
      gradcli trace "(x+y)*z" -x 1 -y 3 -z -3 --json
      gradcli trace "p = x + y; g = p * z" -x 1 -y 3 -z -3 --mode forward --steps
      gradcli trace "p = x + y; g = p * z" -x 1 -y 3 -z -3 --html seed.html
      gradcli trace "p = x + y; g = p * z" -x 1 -y 3 -z -3 --svg-frames slides/
    """
    from gradcli.program.program import Program
    from gradcli.program.trace import trace

    form = _check_options(as_json, steps, form, svg_file)
    if latex and not steps:
        raise GradUsageError("--latex goes with --steps (it writes the narration as LaTeX)",
                             hint="for formulas in LaTeX: gradcli grad EXPR --latex")
    text, given = split_args(args)
    if edge_derivatives and not (svg_file or form != "text"):
        raise GradUsageError("--edge-derivatives labels the wires of a picture",
                             hint="add --svg FILE, or --format svg|dot|mermaid")
    if sigmoid_gates:
        from gradcli.language.sigmoid_gates import expand_sigmoid

        text = expand_sigmoid(text)
    if mode == "forward" and (latex or form != "text" or svg_file or frames_dir):
        raise GradUsageError("--mode forward is shown in the table, --steps, --json and --html; "
                             "pictures and --latex show the reverse mode only")
    program = Program(text)
    if latex or edge_derivatives:   # a wire's local derivative of arrays is a Jacobian: no label shows it
        from gradcli.program.scalar_only import refuse_arrays

        refuse_arrays("trace --steps --latex" if latex else "trace --edge-derivatives", given,
                      program.graph)
    t = trace(program, given, wrt=wrt_names(wrt), mode=mode)
    t.show_constants = show_constants
    for note in t.result.warnings:   # digits lost to cancellation or underflow (also in JSON)
        click.echo(f"gradcli: warning: {note}", err=True)
    if svg_file and svg_file != "-":
        _write_svg(t, svg_file, digits, edge_derivatives)
    _write_step_views(t, html_file, frames_dir, digits)
    if as_json:
        from gradcli.views.json_view import dumps

        click.echo(dumps(t.to_json()), nl=False)
    elif form != "text":
        click.echo(_picture(t, form, digits, edge_derivatives), nl=False)
    else:
        _print_text(t, steps, digits or 12, latex)
