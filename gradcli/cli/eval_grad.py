"""`gradcli eval` and `gradcli grad`: the forward pass, and forward and backward."""

from __future__ import annotations

import click

from gradcli.cli.choice import Choice

from gradcli.cli import BINDING_CONTEXT, program_command, split_args, wrt_names
from gradcli.cli.one_shot import show_gradient, show_value


@click.command("eval", context_settings=BINDING_CONTEXT)
@program_command
@click.option("--batch", "batch", metavar="FILE", default=None,
              help="Evaluate every point of FILE (JSON Lines or CSV with a header; - for stdin): "
                   "one JSON line out per point, always JSON; values on the command line are "
                   "shared defaults. A JSON Lines value may be an array (a nested list).")
def eval_command(args, as_json, batch):
    """The value of EXPR (the forward pass).

    \b
    Examples:
      gradcli eval "(x+y)*z" -x 1 -y 3 -z -3
      gradcli eval "sin(x)^2 + cos(x)^2" -x pi/7 --json
      gradcli eval "(x+y)*z" --batch points.jsonl
    """
    if batch is not None:
        from gradcli.cli.modes import batch_command

        return batch_command(args, batch, wrt=None, gradients=False, as_json=as_json)
    from gradcli.program.program import Program

    text, given = split_args(args)
    show_value(Program(text).evaluate(given), as_json, click.echo)


@click.command("grad", context_settings=BINDING_CONTEXT)
@program_command
@click.option("--wrt", multiple=True, metavar="NAME[,NAME...]",
              help="Report only these variables (or assigned names).")
@click.option("--batch", "batch", metavar="FILE", default=None,
              help="Every point of FILE (JSON Lines or CSV with a header; - for stdin): "
                   "one JSON line out per point, always JSON; values on the command line are "
                   "shared defaults. A JSON Lines value may be an array (a nested list).")
@click.option("--check", is_flag=True,
              help="Compare every gradient (every element of an array) with central finite "
                   "differences; exit 1 on disagreement.")
@click.option("--check-sample", type=click.IntRange(min=1), default=None, metavar="N",
              help="--check N elements of each bigger array, chosen at random (--seed), as "
                   "CS231n's grad_check_sparse: for arrays too big to check whole.")
@click.option("--eps", type=float, default=None, help="--check's step (default 1e-6).")
@click.option("--atol", type=float, default=None, help="--check's absolute tolerance (default 1e-5).")
@click.option("--rtol", type=float, default=None, help="--check's relative tolerance (default 1e-3).")
@click.option("--symbolic", is_flag=True,
              help="Each gradient as a formula too; values are then optional.")
@click.option("--latex", is_flag=True, help="The formulas in LaTeX (implies --symbolic).")
@click.option("--exact", is_flag=True,
              help="Fractions stay exact (-x 1/3); JSON adds them as strings beside the numbers.")
@click.option("--mode", type=Choice(["reverse", "forward"]), default="reverse",
              show_default=True,
              help="reverse: one backward pass gives every gradient; forward: one tangent pass "
                   "per input (or per --wrt name).")
def grad_command(args, as_json, wrt, batch, check, check_sample, eps, atol, rtol, symbolic, latex,
                 exact, mode):
    """The value of EXPR and its gradient (forward and backward passes).

    \b
    Examples:
      gradcli grad "(x+y)*z" -x 1 -y 3 -z -3
      gradcli grad "y = x*w; L = (y - target)^2" -x 2 -w 3 --target 2 --wrt w
      gradcli grad "(x+y)*z" -x 1 -y 3 -z -3 --json | jq .gradient.z
      gradcli grad "(x+y)*z" --batch points.csv --wrt z
      gradcli grad "sum(X @ w)" --batch arrays.jsonl
      gradcli grad "x^3 * sin(y)" -x 1.5 -y 0.3 --check
      gradcli grad "x^2 * sin(y)" --symbolic
      gradcli grad "(x+y)/(x*y)" -x 1/3 -y 2 --exact
      gradcli grad "(x+y)*z" -x 1 -y 3 -z -3 --mode forward
    """
    check = check or check_sample is not None
    if mode == "forward":
        from gradcli.errors import GradUsageError

        other = next((o for o, on in (("--symbolic", symbolic), ("--latex", latex), ("--exact", exact),
                                      ("--batch", batch is not None), ("--check", check)) if on), None)
        if other:
            raise GradUsageError(f"--mode forward works on floats at one point; it does not go "
                                 f"with {other}", hint="leave out --mode (reverse is the default)")
    if symbolic or latex or exact:
        from gradcli.cli.formula_grad import formula_grad_command

        return formula_grad_command(args, as_json, wrt_names(wrt), symbolic=symbolic, latex=latex,
                                    exact=exact, conflicts=(batch is not None and "--batch",
                                                            check and "--check"))
    if check or eps is not None or atol is not None or rtol is not None:
        from gradcli.cli.modes import check_options

        check_options(check, batch, eps, atol, rtol)
    if batch is not None:
        from gradcli.cli.modes import batch_command

        return batch_command(args, batch, wrt=wrt_names(wrt), gradients=True, as_json=as_json)
    if check:
        from gradcli.cli.modes import gradient_check_command

        return gradient_check_command(args, as_json, wrt_names(wrt), eps, atol, rtol, check_sample)
    from gradcli.program.program import Program

    text, given = split_args(args)
    show_gradient(Program(text).grad(given, wrt=wrt_names(wrt), mode=mode), as_json, click.echo)
