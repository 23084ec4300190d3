"""The --batch and --check modes of `eval` and `grad`: options in, library call, view out.

The work itself is in the library (`gradcli.homework.batch`, `gradcli.homework.gradcheck`); this
module only reads the command line, prints and picks the exit code.
"""

from __future__ import annotations

import click

from gradcli.homework.batch import Batch, run
from gradcli.data.points import open_points
from gradcli.cli import report, split_args
from gradcli.errors import MAX_LINE, GradcliError, GradUsageError, printable, shorten
from gradcli.homework.gradcheck import ATOL, EPS, RTOL, SAMPLE, check_gradient


def check_options(check: bool, batch, eps, atol, rtol) -> None:
    """grad's options that only make sense together."""
    if check and batch is not None:
        raise GradUsageError("--check works on one point and cannot be combined with --batch")
    given = [name for name, v in (("eps", eps), ("atol", atol), ("rtol", rtol)) if v is not None]
    if given and not check:
        raise GradUsageError(
            f"{', '.join('--' + n for n in given)} only appl{'y' if len(given) > 1 else 'ies'} to --check",
            hint=f"to give a variable named {given[0]} a value, write {given[0]}=VALUE or -{given[0]} VALUE")


def _long_check(total: int) -> None:
    click.echo(f"gradcli: --check compares every one of {total:,} elements, two forward passes "
               f"each: this takes a while (--check-sample {SAMPLE} checks {SAMPLE} of each array, "
               f"chosen at random)", err=True)


def gradient_check_command(args, as_json: bool, wrt, eps, atol, rtol, sample: int | None = None) -> int:
    """`grad EXPR ... --check`: print the report; the exit code (1 when a gradient disagrees)."""
    text, given = split_args(args)
    seed = click.get_current_context().meta.get("gradcli.seed") or 0   # --seed draws the sample too
    rep = check_gradient(text, given, wrt=wrt, eps=EPS if eps is None else eps,
                         atol=ATOL if atol is None else atol, rtol=RTOL if rtol is None else rtol,
                         max_elements=sample, seed=seed, notice=_long_check)
    from gradcli.cli.one_shot import print_warnings

    # The checked gradient's warnings (digits lost), on stderr as plain `grad` prints them,
    # with --json too: finite differences that agree with a 0 do not show that the 0 is right.
    print_warnings(rep.result, click.echo)
    if as_json:
        from gradcli.views.json_view import dumps

        click.echo(dumps(rep.to_json()), nl=False)
    else:
        from gradcli.views.check_table import print_check

        print_check(rep)
    failure = rep.failure()
    if failure is None:
        return 0
    report(failure, as_json=False)  # the message on stderr; stdout already holds the report
    return failure.exit_code


def batch_command(args, source: str, *, wrt, gradients: bool, as_json: bool) -> int:
    """`eval/grad EXPR [shared bindings] --batch FILE`; returns the exit code."""
    from gradcli.views.json_lines import BatchLines
    from gradcli.views.json_view import dumps

    try:
        if args and args[0] == "-" and source == "-":
            raise GradUsageError("the program and the batch cannot both come from stdin",
                                 hint="pass the program as text or as @FILE")
        text, given = split_args(args)
        batch = Batch(text, given, wrt, gradients)
        stream, fmt = open_points(source)
        try:
            lines = BatchLines(batch)
            total, failures, first = run(batch, stream, fmt,
                                         lambda chunk, res: click.echo(lines(chunk, res), nl=False))
        finally:
            if source != "-":
                stream.close()
    except GradcliError as exc:
        if not as_json:  # batch output is JSON: a script reading stdout hears of it too
            click.echo(dumps(exc.to_json()), nl=False)
        raise
    if total == 0:  # nothing to print on stdout: say why on stderr, for whoever looks
        click.echo(f"gradcli: {stream.name} holds no points: nothing was computed", err=True)
    if first is None:
        return 0
    line, exc = first
    points = "point" if total == 1 else "points"
    head = f"gradcli: {failures} of {total} {points} failed; the first at line {line}: {exc.kind} error: "
    click.echo(head + printable(shorten(exc.message, MAX_LINE - len(head))), err=True)
    return exc.exit_code
