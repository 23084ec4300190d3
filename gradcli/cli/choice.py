"""An option's fixed set of values, as a user types them: any case, and the closest one
suggested when a value is none of them."""

from __future__ import annotations

import click

from gradcli.errors import closest


class Choice(click.Choice):
    """click.Choice, case-insensitive (`--optimizer Adam` is adam, as a paper writes it),
    whose refusal ends with the closest value (`--format dott`: did you mean 'dot'?)."""

    def __init__(self, choices):
        super().__init__(list(choices), case_sensitive=False)

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as exc:
            close = closest(str(value), [str(c) for c in self.choices])
            if close:
                exc.message = f"{exc.message.rstrip('.')}; did you mean '{close}'?"
            raise
