"""The training progress bar: Rich, on stderr, only at a terminal, gone when done."""

from __future__ import annotations

import time
from contextlib import contextmanager


@contextmanager
def training_progress(enabled: bool | None = None):
    """Yields an on_step(step, total, loss) callback, or None when there is no terminal.

    Rich is updated at most 20 times a second, so a fast step is not slowed
    down by drawing.
    """
    import sys

    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:  # decided before Rich is imported: --json and pipes never load it
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from gradcli.numbers import fmt
    from gradcli.views.human import console

    columns = (TextColumn("training"), BarColumn(), MofNCompleteColumn(),
               TextColumn("loss {task.fields[loss]}"), TimeElapsedColumn())
    with Progress(*columns, console=console(stderr=True), transient=True) as bar:
        task = bar.add_task("train", total=None, loss="…")
        next_draw = 0.0

        def on_step(step: int, total: int, loss: float) -> None:
            nonlocal next_draw
            now = time.monotonic()
            if now >= next_draw or step == total:
                bar.update(task, total=total, completed=step, loss=fmt(loss, 6))
                next_draw = now + 0.05

        yield on_step
