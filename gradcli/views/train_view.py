"""`gradcli train` for people: the parameters, the loss, and a loss curve.

The curve is drawn with block characters (eight heights per cell), one
column per group of steps; the scale is logarithmic when the loss is
positive and spans more than two orders of magnitude, as it usually does.
"""

from __future__ import annotations

import math

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..numbers import fmt
from .human import console

_BLOCKS = " ▁▂▃▄▅▆▇█"


def short(v: float) -> str:
    """A number for a table: at most 6 significant digits."""
    return fmt(v, 6)


def params_table(result) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("param", style="bold")
    table.add_column("initial", justify="right")
    table.add_column("final", justify="right", style="bold")
    table.add_column("last gradient", justify="right", style="cyan")
    last = result.history.grads[-1] if len(result.history) else [None] * len(result.params)
    for (name, final), g in zip(result.params.items(), last):
        table.add_row(escape(name), short(result.initial[name]), short(final),
                      "" if g is None else short(g))
    return table


def headline(result) -> str:
    c = result.config
    steps = result.steps
    what = f"{steps} step{'s' if steps != 1 else ''} of {c['optimizer']} (lr {fmt(c['lr'])}"
    if c.get("clip") is not None:
        what += f", clip {fmt(c['clip'])}"
    what += ")"
    if result.rows is not None:
        batch = c.get("batch_size")
        if batch and batch < result.rows:
            what += f", batches of {batch}"
        what += f" on {result.rows} row{'s' if result.rows != 1 else ''}"
        if result.source:
            what += f" of {result.source}"
    return what


def loss_curve(values: list[float], width: int = 60, height: int = 6):
    """A filled area chart of values, left to right: (rows of text, top first; low; high).

    Each column is the mean of a group of steps; low and high are the
    values at the bottom and the top of the chart.
    """
    log = min(values) > 0 and max(values) / min(values) > 100
    ys = [math.log10(v) for v in values] if log else list(values)
    width = max(1, min(width, len(ys)))
    columns = []
    for c in range(width):
        start = c * len(ys) // width
        part = ys[start:max((c + 1) * len(ys) // width, start + 1)]
        columns.append(sum(part) / len(part))
    lo, hi = min(columns), max(columns)
    span = hi - lo or 1.0
    levels = [round((y - lo) / span * (height * 8 - 1)) + 1 for y in columns]
    rows = ["".join(_BLOCKS[max(0, min(8, lv - r * 8))] for lv in levels).rstrip()
            for r in range(height - 1, -1, -1)]
    if log:
        lo, hi = 10 ** lo, 10 ** hi
    return rows, lo, hi, log


def curve_block(history_loss: list[float], final: float, width: int = 60) -> Text:
    """The loss before each step and after the last, with its scale and steps."""
    values = [*history_loss, final]
    rows, lo, hi, log = loss_curve(values, width)
    top, bottom = short(hi), short(lo)
    pad = max(len(top), len(bottom))
    text = Text()
    for k, row in enumerate(rows):
        label = top if k == 0 else bottom if k == len(rows) - 1 else ""
        text.append(f"{label:>{pad}} ┤", style="dim")
        text.append(row + "\n", style="cyan")
    n = str(len(values) - 1)
    chart_width = min(width, len(values))
    gap = max(1, chart_width - len("step 0") - len(n))
    text.append(f"{'':>{pad}}  step 0{'':>{gap}}{n}" + ("  (log scale)" if log else ""), style="dim")
    return text


def print_summary(result) -> None:
    c = console()
    c.print(f"trained {escape(', '.join(result.params))}: {escape(headline(result))}", soft_wrap=True)
    c.print(params_table(result))
    loss = f"loss [bold]{short(result.loss)}[/bold]"
    if len(result.history):
        loss += f" (at the start {short(result.history.loss[0])})"
    c.print(loss, soft_wrap=True)
    if result.stopped == "tol":
        c.print(f"stopped after step {result.steps}: the loss changed by less than --tol "
                f"({fmt(result.config['tol'])})", soft_wrap=True)
    if len(result.history) >= 2:
        c.print(curve_block(result.history.loss, result.loss))
