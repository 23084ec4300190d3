"""`gradcli train` for people: the parameters, the loss, and a loss curve.

The curve is drawn with block characters (eight heights per cell), one
column per group of steps, rising to the highest loss of its group, so that
the axis labels (the highest and the lowest loss) are true; the scale is
logarithmic when the loss is positive and spans more than two orders of
magnitude, as it usually does. It is as wide as the terminal allows (at most
100 columns), and says so under it when a column holds several steps.
"""

from __future__ import annotations

import math

from rich.markup import escape
from rich.text import Text

from gradcli.numbers import fmt
from gradcli.views.human import Column, FittedTable, console, print_fitted

_BLOCKS = " ▁▂▃▄▅▆▇█"
_MOST_COLUMNS = 100  # the loss curve's width on a wide terminal


def short(v) -> str:
    """A number for a table: at most 6 significant digits (an array: each element so)."""
    if getattr(v, "ndim", 0) > 0:
        from gradcli.views.array_text import show

        return show(v, 6)
    return fmt(v, 6)


def params_table(result) -> FittedTable:
    """The scalar parameters; every number whole at any width (human.FittedTable)."""
    columns = [Column("param", style="bold", label=True), Column("initial", justify="right"),
               Column("final", justify="right", style="bold"),
               Column("last gradient", justify="right", style="cyan")]
    rows = [[escape(name), escape(short(result.initial[name])), escape(short(final)),
             "" if g is None else escape(short(g))] for name, final, g in _scalar_params(result)]
    return FittedTable(columns, rows)


def _last_grads(result) -> list:
    return result.history.grads[-1] if len(result.history) else [None] * len(result.params)


def _scalar_params(result):
    return [(name, final, g) for (name, final), g in zip(result.params.items(), _last_grads(result))
            if not getattr(final, "ndim", 0)]


def array_params(result, width: int = 80) -> list[str]:
    """Array parameters (README "Arrays: vectors and matrices"), one block each: its shape, then initial, final and last
    gradient, each wrapped between numbers at the console's width."""
    from gradcli.numbers import shape_text
    from gradcli.views.array_text import labelled

    lines = []
    for (name, final), g in zip(result.params.items(), _last_grads(result)):
        if not getattr(final, "ndim", 0):
            continue
        lines.append(f"{name} {shape_text(final.shape)}")
        for head, v in (("initial", result.initial[name]), ("final", final), ("last gradient", g)):
            if v is not None:
                lines.append(labelled(f"  {head:<13} ", v, 6, width))
    return lines


def headline(result) -> str:
    c = result.config
    steps = result.steps
    what = f"{steps} step{'s' if steps != 1 else ''} of {c['optimizer']} (lr {fmt(c['lr'])}"
    if c.get("schedule"):
        what += ", " + schedule_text(c["schedule"], result.history)
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


def schedule_text(schedule: dict, history) -> str:
    """The schedule in a few words, and the rate of the last step taken."""
    name = schedule["name"]
    if name == "step":
        n = schedule["step_size"]
        text = f"× {fmt(schedule['gamma'])} every " + ("step" if n == 1 else f"{n} steps")
    elif name == "exponential":
        text = f"× {fmt(schedule['gamma'])} a step"
    else:
        n = schedule["t_max"]
        text = f"cosine to {fmt(schedule['eta_min'])} over {n} step{'s' if n != 1 else ''}"
    if len(history):
        text += f", lr {short(history.lr[-1])} at the last step"
    return text


def loss_curve(runs: list[tuple[float, float, int]], width: int = 60, height: int = 6):
    """A filled area chart of runs of consecutive values, left to right.

    runs: (lowest, highest, count) of each run, in order (a run of one value
    per value when there are few). Each column is a group of runs and rises to
    the highest value in it, so the top of the chart is the true maximum and
    its bottom the true minimum. Returns (rows of text, top first; minimum;
    maximum; log scale or not; the fewest and most values in a column).
    """
    low, high = min(r[0] for r in runs), max(r[1] for r in runs)
    log = low > 0 and high / low > 100
    y = math.log10 if log else float
    width = max(1, min(width, len(runs)))
    tops, sizes = [], []
    for c in range(width):
        part = runs[c * len(runs) // width:(c + 1) * len(runs) // width]
        tops.append(max(r[1] for r in part))
        sizes.append(sum(r[2] for r in part))
    bottom, span = y(low), (y(high) - y(low)) or 1.0
    levels = [round((y(t) - bottom) / span * (height * 8 - 1)) + 1 for t in tops]
    rows = ["".join(_BLOCKS[max(0, min(8, lv - r * 8))] for lv in levels).rstrip()
            for r in range(height - 1, -1, -1)]
    return rows, low, high, log, (min(sizes), max(sizes))


def curve_block(history, final: float, width: int = 80) -> Text:
    """The loss before each step and after the last, in at most `width` columns.

    The labels are the highest and the lowest loss; a note under the steps
    says when the scale is logarithmic and how many steps a column holds.
    """
    runs = [*history.ranges.runs(), (final, final, 1)]
    top, bottom = short(max(r[1] for r in runs)), short(min(r[0] for r in runs))
    pad = max(len(top), len(bottom))
    rows, _, _, log, (fewest, most) = loss_curve(runs, min(_MOST_COLUMNS, width - pad - 2))
    text = Text()
    for k, row in enumerate(rows):
        label = top if k == 0 else bottom if k == len(rows) - 1 else ""
        text.append(f"{label:>{pad}} ┤", style="dim")
        text.append(row + "\n", style="cyan")
    n = str(len(history))
    chart_width = max(len(r) for r in rows)
    gap = max(1, chart_width - len("step 0") - len(n))
    text.append(f"{'':>{pad}}  step 0{'':>{gap}}{n}", style="dim")
    notes = ["log scale"] if log else []
    if most > 1:
        steps = f"{fewest}–{most}" if fewest != most else f"{most}"
        notes.append(f"each column: the highest loss of {steps} steps")
    indent = pad + 2
    lines = ["; ".join(notes)] if notes else []
    if lines and indent + len(lines[0]) > width:  # a narrow terminal: one note a line
        lines = notes
    for line in lines:
        text.append(f"\n{'':>{indent if indent + len(line) <= width else 0}}{line}", style="dim")
    return text


def print_summary(result) -> None:
    c = console()
    # Sentences wrap between words at the terminal's width (the chart is drawn to fit it).
    c.print(f"trained {escape(', '.join(result.params))}: {escape(headline(result))}")
    if _scalar_params(result):
        print_fitted(c, params_table(result))
    for line in array_params(result, c.width):
        c.print(escape(line), style="bold" if not line.startswith(" ") else None, soft_wrap=True)
    loss = f"loss [bold]{short(result.loss)}[/bold]"
    if len(result.history):
        loss += f" (at the start {short(result.history.loss[0])})"
    c.print(loss)
    if result.stopped == "tol":
        c.print(f"stopped after step {result.steps}: the loss changed by less than --tol "
                f"({fmt(result.config['tol'])})")
    if len(result.history) >= 2:
        c.print(curve_block(result.history, result.loss, c.width))
