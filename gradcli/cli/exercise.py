"""`gradcli exercise`: a random backpropagation exercise, as a problem set in TOML."""

from __future__ import annotations

import click


@click.command("exercise", context_settings={"help_option_names": ["--help"]})
@click.option("--seed", type=int, default=None,
              help="Draw this exercise (the same seed gives the same exercise); random by default.")
@click.option("--difficulty", type=click.IntRange(1, 3), default=1, show_default=True,
              help="1: +, -, *;  2: also /, max, min, relu, squares;  3: also sigmoid, tanh, exp, "
                   "log and an input used twice.")
@click.option("--count", type=click.IntRange(1, 100), default=1, show_default=True,
              help="How many problems.")
@click.option("--student", is_flag=True,
              help="The problems without their answers, and a template of an answer file.")
def exercise_command(seed, difficulty, count, student):
    """Print a backpropagation exercise with its answer key (TOML, for `gradcli check`).

    Each problem is a small graph with named intermediates and round input
    values; it asks for the output, every intermediate's value and the gradient
    with respect to every input and intermediate. The seed is written in the
    first line, so any exercise can be drawn again. Each problem also shows the
    `gradcli trace` command that draws its graph.

    \b
    Examples:
      gradcli exercise --seed 7 --difficulty 2 > hw3-key.toml
      gradcli exercise --seed 7 --difficulty 2 --student > hw3.toml
      gradcli check hw3-key.toml answers/*.toml
      gradcli trace "q = x + y; f = q * z" -x -2 -y 5 -z -4
    """
    import random

    from gradcli.homework.exercises import make_set, to_toml

    if seed is None:
        seed = random.SystemRandom().randrange(1_000_000)
    click.echo(to_toml(make_set(seed, difficulty, count), seed, difficulty, student), nl=False)
