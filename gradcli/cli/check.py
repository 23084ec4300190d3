"""`gradcli check`: grade students' answer files against an answer key."""

from __future__ import annotations

import click

FORMATS = ("report", "json", "gradescope", "csv")


@click.command("check", context_settings={"help_option_names": ["--help"]})
@click.argument("key", metavar="KEY")
@click.argument("answers", nargs=-1, required=True, metavar="ANSWERS...")
@click.option("--json", "as_json", is_flag=True, help="Print the grading as one JSON object "
              "(the same as --format json).")
@click.option("--format", "fmt", default=None, metavar="|".join(FORMATS),
              help="report (the default: tables for people), json, gradescope (Gradescope's "
                   "autograder results.json, for one answer file) or csv (one row per student).")
def check_command(key, answers, as_json, fmt):
    """Grade every ANSWERS file (TOML) against the answer key KEY (TOML).

    Prints each student's marks (expected, given, ✓ or ✗, a score, points
    when the key gives them) and a class summary. A wrong number that a common
    mistake produces (one path of a fork only, a flipped sign, the local
    instead of the global derivative, another node's gradient or value, a
    forgotten chain-rule factor; for arrays too a matrix transposed, a sum
    where a mean was or the reverse) is named. Answers may be numbers or constant
    expressions ("2421/98", "pi/4"). A missing or malformed answer counts as
    wrong; a file that cannot be read is reported and the other students are
    still graded. See the README for the key and answer formats; `gradcli
    exercise` writes keys.

    Exit codes: 0 every answer right; 1 some answer wrong, missing or malformed,
    or an answer file names a problem the key does not have; 2 an answer file
    (or the key) cannot be read, or a bad option.

    \b
    Examples:
      gradcli check key.toml answers/*.toml
      gradcli check key.toml ada.toml --json | jq .summary
      gradcli check key.toml answers/*.toml --format csv > grades.csv
      gradcli check key.toml submission/answers.toml --format gradescope > results/results.json
    """
    from gradcli.errors import GradcliError, GradUsageError

    try:
        fmt = _format(fmt, as_json)
        if fmt == "gradescope" and len(answers) != 1:
            raise GradUsageError(f"--format gradescope grades one answer file (it was given "
                                 f"{len(answers)})", hint="Gradescope runs the autograder once "
                                 "per submission; --format csv grades a whole class")
        return _check(key, list(answers), fmt)
    except GradcliError as exc:
        if fmt == "json" and not as_json:  # --json itself is seen by the command group
            from gradcli.views.json_view import dumps

            click.echo(dumps(exc.to_json()), nl=False)
        raise


def _format(fmt, as_json) -> str:
    from gradcli.errors import GradUsageError

    if fmt is None:
        return "json" if as_json else "report"
    if fmt not in FORMATS:
        from gradcli.errors import closest

        guess = closest(fmt, FORMATS)
        raise GradUsageError(f"--format must be one of {', '.join(FORMATS)}, not '{fmt}'"
                             + (f"; did you mean {guess}?" if guess else ""))
    if as_json and fmt != "json":
        raise GradUsageError(f"--json and --format {fmt} ask for two outputs: give one of them")
    return fmt


def _check(key, answers, fmt) -> int:
    from gradcli.homework.problems import exit_code, grade_class, load_key, summary, to_json

    k = load_key(key)
    for p in k.problems.values():   # the key's own answers may have lost digits (as grad warns)
        for note in p.warnings:
            click.echo(f"gradcli: warning: key problem '{p.id}': {note}", err=True)
    grades = grade_class(k, answers)
    if fmt == "json":
        from gradcli.views.json_view import dumps

        click.echo(dumps(to_json(k, grades)), nl=False)
    elif fmt == "gradescope":
        from gradcli.homework.exports import gradescope
        from gradcli.views.json_view import dumps

        click.echo(dumps(gradescope(k, grades[0])), nl=False)
    elif fmt == "csv":
        from gradcli.homework.exports import csv_text

        click.echo(csv_text(k, grades), nl=False)
    else:
        from gradcli.views.grades import print_grades

        print_grades(k, grades, summary(k, grades))
    code = exit_code(grades)
    if code:
        wrong = sum(g.score < len(g.marks) or bool(g.errors) for g in grades)
        unreadable = sum(g.unusable for g in grades)
        note = ("the answer file is not all right" if len(grades) == 1
                else f"{wrong} of {len(grades)} answer files are not all right")
        if unreadable and len(grades) == 1:
            note = "the answer file could not be read"
        elif unreadable:
            note += f"; {unreadable} could not be read"
        click.echo(f"gradcli: {note}", err=True)
    return code
