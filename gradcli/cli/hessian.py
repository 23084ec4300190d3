"""`gradcli hessian`: the matrix of second derivatives.

JSON: {"expression", "inputs", "value", "hessian": {x: {y: ∂²f/∂x∂y}}}, plus
"exact" (fractions as strings) with --exact, and "formulas" (and
"definitions", "latex", "latex_definitions", "notes", as for `grad
--symbolic`) with --symbolic, where "formulas" is a matrix like "hessian".
Without values, --symbolic gives the formulas alone.
"""

from __future__ import annotations

import click

from gradcli.cli import BINDING_CONTEXT, program_command, split_args, wrt_names


@click.command("hessian", context_settings=BINDING_CONTEXT)
@program_command
@click.option("--wrt", multiple=True, metavar="NAME[,NAME...]",
              help="Only these input variables (rows and columns in this order).")
@click.option("--exact", is_flag=True, help="Fractions stay exact (-x 1/3).")
@click.option("--symbolic", is_flag=True, help="Each entry as a formula too; values are then optional.")
@click.option("--latex", is_flag=True, help="The formulas in LaTeX (implies --symbolic).")
def hessian_command(args, as_json, wrt, exact, symbolic, latex):
    """The value of EXPR and its matrix of second derivatives (symmetric by construction).

    \b
    Examples:
      gradcli hessian "x^3 + 2*x^2*y - 3*y" -x 1 -y 2
      gradcli hessian "x^3 + 2*x^2*y - 3*y" -x 1 -y 2 --json | jq .hessian.x.y
      gradcli hessian "x^2*y + y^3" --symbolic
      gradcli hessian "(x+y)/(x*y)" -x 1/3 -y 2 --exact --wrt x
    """
    from gradcli.program.program import Program
    from gradcli.symbolic.hessian import hessian, hessian_graph

    symbolic = symbolic or latex
    text, given = split_args(args)
    program = Program(text)
    from gradcli.program.scalar_only import refuse_arrays

    refuse_arrays("hessian", given, program.graph)
    names = wrt_names(wrt)
    result = None
    if exact or given or not program.inputs or not symbolic:
        result = hessian(program, given, wrt=names, exact=exact)
        hg = result.graph
    else:
        hg = hessian_graph(program, names)
    formulas = None
    if symbolic:
        from gradcli.symbolic.formulas import format_roots, reserved_names

        roots = {(x, y): hg.matrix[x][y] for i, x in enumerate(hg.names) for y in hg.names[i:]}
        formulas = format_roots(hg.expr, roots, reserved_names(program))
    if as_json:
        _print_json(program, hg.names, result, formulas, latex)
    else:
        _print_human(program, hg.names, result, formulas, latex)


def _print_json(program, names, result, formulas, latex: bool) -> None:
    from gradcli.symbolic.formulas import FormulaAnswer
    from gradcli.views.json_view import dumps

    click.echo(dumps(FormulaAnswer(program, result, formulas, latex, names).to_json()), nl=False)


def _print_human(program, names, result, formulas, latex: bool) -> None:
    from gradcli.symbolic.latex import output_symbol, second_partial
    from gradcli.views import formula_view as view

    c = view.console()
    output = program.output_name
    if result is not None:
        view.print_value(c, output, result.exact["value"] if result.exact else result.value)
        if names:
            matrix = result.exact["matrix"] if result.exact else result.matrix
            c.print(view.hessian_table(output, names, matrix))
    if formulas is not None:
        if latex:
            labels = {key: second_partial(output_symbol(program), *key) for key in formulas.text}
        else:
            labels = {(x, y): f"∂²{output or ''}/" + (f"∂{x}²" if x == y else f"∂{x}∂{y}")
                      for x, y in formulas.text}
        view.print_formulas(c, labels, formulas, latex)
        view.print_notes(formulas.notes)
