"""`gradcli eval` and `gradcli grad`: the forward pass, and forward and backward."""

from __future__ import annotations

import click

from ..cli import BINDING_CONTEXT, program_command, split_args, wrt_names


@click.command("eval", context_settings=BINDING_CONTEXT)
@program_command
def eval_command(args, as_json):
    """The value of EXPR (the forward pass).

    \b
    Examples:
      gradcli eval "(x+y)*z" -x 1 -y 3 -z -3
      gradcli eval "sin(x)^2 + cos(x)^2" -x pi/7 --json
    """
    from ..api import Program

    text, given = split_args(args)
    result = Program(text).evaluate(given)
    if as_json:
        from ..views.json_view import dumps

        click.echo(dumps(result.to_json()), nl=False)
    else:
        from ..numbers import fmt

        click.echo(fmt(result.value))


@click.command("grad", context_settings=BINDING_CONTEXT)
@program_command
@click.option("--wrt", multiple=True, metavar="NAME[,NAME...]",
              help="Report only these variables (or assigned names).")
def grad_command(args, as_json, wrt):
    """The value of EXPR and its gradient (forward and backward passes).

    \b
    Examples:
      gradcli grad "(x+y)*z" -x 1 -y 3 -z -3
      gradcli grad "y = x*w; L = (y - target)^2" -x 2 -w 3 --target 2 --wrt w
      gradcli grad "(x+y)*z" -x 1 -y 3 -z -3 --json | jq .gradient.z
    """
    from ..api import Program

    text, given = split_args(args)
    result = Program(text).grad(given, wrt=wrt_names(wrt))
    if as_json:
        from ..views.json_view import dumps

        click.echo(dumps(result.to_json()), nl=False)
    else:
        from ..views.human import print_grad

        print_grad(result)
