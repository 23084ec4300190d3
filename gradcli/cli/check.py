"""`gradcli check`: grade students' answer files against an answer key."""

from __future__ import annotations

import click


@click.command("check", context_settings={"help_option_names": ["--help"]})
@click.argument("key", metavar="KEY")
@click.argument("answers", nargs=-1, required=True, metavar="ANSWERS...")
@click.option("--json", "as_json", is_flag=True, help="Print the grading as one JSON object.")
def check_command(key, answers, as_json):
    """Grade every ANSWERS file (TOML) against the answer key KEY (TOML).

    Prints each student's marks (expected, given, ✓ or ✗, a score) and a class
    summary. Answers may be numbers or constant expressions ("2421/98", "pi/4").
    A missing or malformed answer counts as wrong; a file that cannot be read
    is reported and the other students are still graded. See the README for
    the key and answer formats; `gradcli exercise` writes keys.

    Exit codes: 0 every answer right; 1 some answer wrong, missing or malformed,
    or an answer file names a problem the key does not have; 2 an answer file
    (or the key) cannot be read.

    \b
    Examples:
      gradcli check key.toml answers/*.toml
      gradcli check key.toml ada.toml --json | jq .summary
    """
    from gradcli.homework.problems import exit_code, grade_class, load_key, summary, to_json

    k = load_key(key)
    grades = grade_class(k, list(answers))
    if as_json:
        from gradcli.views.json_view import dumps

        click.echo(dumps(to_json(k, grades)), nl=False)
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
