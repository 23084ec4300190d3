"""`gradcli hessian`: the matrix of second derivatives.

JSON: {"expression", "inputs", "value", "hessian": {x: {y: ∂²f/∂x∂y}}}, plus
"exact" (fractions as strings) with --exact, and "formulas" (and
"definitions", "latex", "latex_definitions", "notes", as for `grad
--symbolic`) with --symbolic, where "formulas" is a matrix like "hessian".
Without values, --symbolic gives the formulas alone. --classify adds
"classification" and --newton "newton" (curvature.py;
README "Second derivatives: `gradcli hessian`").
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
@click.option("--classify", is_flag=True,
              help="The eigenvalues, the definiteness, and what kind of critical point this is.")
@click.option("--newton", is_flag=True, help="One Newton step x − H⁻¹∇f from the point.")
@click.option("--tol", type=float, metavar="T",
              help="--classify: the gradient is zero when every component is at most T in size "
                   "(default 1e-8).")
def hessian_command(args, as_json, wrt, exact, symbolic, latex, classify, newton, tol):
    """The value of EXPR and its matrix of second derivatives (symmetric by construction).

    \b
    Examples:
      gradcli hessian "x^3 + 2*x^2*y - 3*y" -x 1 -y 2
      gradcli hessian "x^3 + 2*x^2*y - 3*y" -x 1 -y 2 --json | jq .hessian.x.y
      gradcli hessian "x^2*y + y^3" --symbolic
      gradcli hessian "(x+y)/(x*y)" -x 1/3 -y 2 --exact --wrt x
      gradcli hessian "x^3 + y^3 - 3*x*y" -x 1 -y 1 --classify
      gradcli hessian "(1-x)^2 + 100*(y-x^2)^2" -x 0 -y 0 --newton
    """
    from gradcli.program.program import Program
    from gradcli.symbolic.hessian import hessian, hessian_graph

    second_order = _check_second_order(classify, newton, tol, symbolic, latex)
    symbolic = symbolic or latex
    text, given = split_args(args)
    program = Program(text)
    from gradcli.program.scalar_only import refuse_arrays

    refuse_arrays("hessian", given, program.graph)
    names = wrt_names(wrt)
    result = None
    if exact or given or not program.inputs or not symbolic:
        result = hessian(program, given, wrt=names, exact=exact, gradient=second_order)
        hg = result.graph
    else:
        hg = hessian_graph(program, names)
    formulas = None
    if symbolic:
        from gradcli.symbolic.formulas import format_roots, reserved_names

        roots = {(x, y): hg.matrix[x][y] for i, x in enumerate(hg.names) for y in hg.names[i:]}
        formulas = format_roots(hg.expr, roots, reserved_names(program))
    found = {}
    if second_order:
        from gradcli.symbolic import curvature

        if classify:
            found["classification"] = curvature.classify(
                result, curvature.GRAD_TOL if tol is None else tol)
        if newton:
            found["newton"] = curvature.newton_step(result)
    if as_json:
        _print_json(program, hg.names, result, formulas, latex, found)
    else:
        _print_human(program, hg.names, result, formulas, latex, found)


def _check_second_order(classify: bool, newton: bool, tol, symbolic: bool, latex: bool) -> bool:
    """--classify and --newton need numbers at a point: not with --symbolic."""
    import math

    from gradcli.errors import GradUsageError
    from gradcli.numbers import fmt

    asked = [o for o, on in (("--classify", classify), ("--newton", newton)) if on]
    if tol is not None:
        if not classify:
            raise GradUsageError("--tol is the gradient's tolerance of --classify: it needs --classify")
        if not math.isfinite(tol) or tol < 0:
            raise GradUsageError(f"--tol must be a finite number at least 0 (got {fmt(tol)})")
    if asked and (symbolic or latex):
        raise GradUsageError(f"{' and '.join(asked)} works on the numbers at a point, not on formulas: "
                             f"leave out {'--latex' if latex else '--symbolic'}",
                             hint="give the point's values, e.g. -x 1 -y 1")
    return bool(asked)


def _print_json(program, names, result, formulas, latex: bool, found: dict) -> None:
    from gradcli.symbolic.formulas import FormulaAnswer
    from gradcli.views.json_view import dumps

    obj = FormulaAnswer(program, result, formulas, latex, names).to_json()
    exact = obj.pop("exact", None)  # the fractions stay last
    obj.update({key: item.to_json() for key, item in found.items()})
    if exact is not None:
        obj["exact"] = exact
    click.echo(dumps(obj), nl=False)


def _print_human(program, names, result, formulas, latex: bool, found: dict) -> None:
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
    if "classification" in found:
        view.print_classification(c, output, found["classification"])
    if "newton" in found:
        view.print_newton(c, found["newton"])
