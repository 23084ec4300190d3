"""`gradcli grad --symbolic / --latex / --exact`: formulas and exact answers.

Called by `grad` in commands/core.py when one of these flags is given.
Without values, --symbolic prints the formulas alone; with values it prints
the numbers too (from the numeric passes, or exactly with --exact). Numbers from
the numeric passes bring their warnings (digits lost, README "Choices where the contract is silent") to
stderr, as plain `grad` does; exact numbers have none, and formulas alone need none.

JSON adds to the `grad` object (which is left out when no values were given):

    "formulas": {name: text},  "definitions": {name: text}  (shared parts, when any)
    "latex": {name: LaTeX},    "latex_definitions": {...}    (with --latex)
    "notes": [text]            (the conventions the formulas follow, when any)
    "exact": {"inputs", "value", "gradient"}                 (with --exact: fractions as strings)
"""

from __future__ import annotations

import click

from gradcli.cli import split_args
from gradcli.errors import GradUsageError


def formula_grad_command(args, as_json: bool, wrt, *, symbolic: bool, latex: bool, exact: bool,
                         conflicts: tuple = ()):
    from gradcli.program.program import Program

    clash = [c for c in conflicts if c]
    if clash:
        raise GradUsageError(f"--symbolic, --latex and --exact do not combine with {' or '.join(clash)}")
    symbolic = symbolic or latex
    text, given = split_args(args)
    program = Program(text)
    from gradcli.program.scalar_only import refuse_arrays

    refuse_arrays("grad " + ("--exact" if exact else "--latex" if latex else "--symbolic"),
                  given, program.graph)
    result = None
    if exact:
        from gradcli.symbolic.exact import exact_grad

        result = exact_grad(program, given, wrt=wrt)
    elif given or not program.inputs:
        result = program.grad(given, wrt=wrt)
    formulas = None
    if symbolic:
        from gradcli.symbolic.formulas import gradient_formulas

        formulas = gradient_formulas(program, wrt)
    if result is not None:   # numbers at a point: their warnings, as plain `grad` prints them
        from gradcli.cli.one_shot import print_warnings

        print_warnings(result, click.echo)
    if as_json:
        _print_json(program, result, formulas, latex)
    else:
        _print_human(program, result, formulas, latex)


def _print_json(program, result, formulas, latex: bool) -> None:
    from gradcli.symbolic.formulas import FormulaAnswer
    from gradcli.views.json_view import dumps

    click.echo(dumps(FormulaAnswer(program, result, formulas, latex).to_json()), nl=False)


def _print_human(program, result, formulas, latex: bool) -> None:
    from gradcli.symbolic.latex import output_symbol, partial as latex_partial
    from gradcli.views import formula_view as view

    c = view.console()
    output = program.output_name
    if result is not None:
        view.print_value(c, output, result.value)
        grads = result.gradient
        if grads:
            rows = []
            for name, g in grads.items():
                value = result.inputs.get(name)
                if value is None:                   # an assigned name asked for with --wrt
                    value = result.values[program.node_of(name)]
                rows.append((name, value, g))
            c.print(view.gradient_table(output, rows))
    if formulas is not None:
        if latex:
            labels = {name: latex_partial(output_symbol(program), name) for name in formulas.text}
        else:
            labels = {name: view.partial(output, name) for name in formulas.text}
        view.print_formulas(c, labels, formulas, latex)
        view.print_notes(formulas.notes)
