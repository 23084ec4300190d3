"""`gradcli exercise`: a random backpropagation exercise, as a problem set in TOML."""

from __future__ import annotations

import click

from gradcli.cli.choice import Choice


@click.command("exercise", context_settings={"help_option_names": ["--help"]})
@click.option("--seed", type=int, default=None,
              help="Draw this exercise (the same seed gives the same exercise); random by default.")
@click.option("--difficulty", type=click.IntRange(1, 3), default=None,
              help="1 (the default): +, -, *;  2: also /, max, min, relu, squares;  3: also "
                   "sigmoid, tanh, exp, log and an input used twice.")
@click.option("--kind", type=Choice(["fork", "kink", "vanishing"]), default=None,
              help="Practise one idea instead: fork (a node used twice: its gradients add up), "
                   "kink (relu, abs, max or min route the gradient), vanishing (a sigmoid chain).")
@click.option("--count", type=click.IntRange(1, 100), default=1, show_default=True,
              help="How many problems.")
@click.option("--student", is_flag=True,
              help="The problems without their answers, and a template of an answer file.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the exercise as one JSON object (answers and mistakes' numbers included "
                   "unless --student).")
def exercise_command(seed, difficulty, kind, count, student, as_json):
    """Print a backpropagation exercise with its answer key (TOML, for `gradcli check`).

    Each problem is a small graph with named intermediates and round input
    values; it asks for the output, every intermediate's value and the gradient
    with respect to every input and intermediate. The seed is written in the
    first line, so any exercise can be drawn again. Each problem also shows the
    `gradcli trace` command that draws its graph, and the key lists the numbers
    that common mistakes give, with what `gradcli check` says about them.

    \b
    Examples:
      gradcli exercise --seed 7 --difficulty 2 > hw3-key.toml
      gradcli exercise --seed 7 --difficulty 2 --student > hw3.toml
      gradcli exercise --seed 7 --kind fork --count 3
      gradcli exercise --seed 7 --json | jq '.problems[0].mistakes'
      gradcli check hw3-key.toml answers/*.toml
      gradcli trace "q = x + y; f = q * z" -x -2 -y 5 -z -4
    """
    import random

    from gradcli.errors import GradUsageError
    from gradcli.homework.exercises import make_set, to_json, to_toml

    if kind is not None and difficulty is not None:
        raise GradUsageError("--kind and --difficulty both choose the problems: give one of them",
                             hint="--kind draws programs of its own; --difficulty 1, 2 or 3 "
                                  "draws general ones")
    difficulty = difficulty or 1
    if seed is None:
        seed = random.SystemRandom().randrange(1_000_000)
    exercises = make_set(seed, difficulty, count, kind=kind)
    if as_json:
        from gradcli.views.json_view import dumps

        click.echo(dumps(to_json(exercises, seed, difficulty, student, kind)), nl=False)
    else:
        click.echo(to_toml(exercises, seed, difficulty, student, kind), nl=False)
