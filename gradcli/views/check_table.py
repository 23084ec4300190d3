"""`grad --check` for people: analytic beside numeric, per name, with a verdict."""

from __future__ import annotations

from rich.markup import escape

from gradcli.numbers import fmt
from gradcli.views.human import Column, FittedTable, console, print_fitted

MARKS = {"ok": "[green]✓[/green]", "wrong": "[red]✗[/red]", "kink": "[yellow]kink[/yellow]",
         "skipped": "[yellow]n/a[/yellow]"}


def _err(v: float | None) -> str:
    return "—" if v is None else f"{v:.2e}"


def check_table(rep) -> FittedTable:
    """Every number whole at any width: the names wrap, or each name becomes a block."""
    out = rep.result.program.output_name
    columns = [Column("v", style="bold", label=True),
               Column(escape(f"∂{out}/∂v") if out else "analytic", justify="right", style="cyan"),
               Column("numeric", justify="right"),
               Column("abs error", justify="right"),
               Column("rel error", justify="right"),
               Column("", justify="center")]
    rows = []
    for row in rep.rows:
        numeric = "—" if row.numeric is None else fmt(row.numeric)
        rows.append([escape(row.name), fmt(row.analytic), numeric, _err(row.abs_error),
                     _err(row.rel_error), MARKS[row.status]])
    return FittedTable(columns, rows)


def print_check(rep) -> None:
    c = console()
    out = rep.result.program.output_name
    c.print(f"{escape(out) + ' = ' if out else 'value = '}[bold]{fmt(rep.result.value)}[/bold]")
    print_fitted(c, check_table(rep))
    c.print(f"central differences with eps {rep.eps:g}; a gradient passes when "
            f"|analytic - numeric| <= {rep.atol:g} + {rep.rtol:g}·|numeric|{rep.rounding_text()}")
    for name, sample in rep.sampled.items():
        c.print(f"checked {len(sample.indices):,} of {sample.size:,} elements of {escape(name)}, "
                f"chosen at random (seed {rep.seed}; --check without --check-sample checks every one)")
    for row in rep.rows:
        if row.status == "skipped":
            c.print(f"[yellow]note:[/yellow] {escape(row.name)}: {escape(row.note)}")
    for note in rep.notes:
        c.print(f"[yellow]note:[/yellow] {escape(note)}")
    wrong = sum(row.status == "wrong" for row in rep.rows)
    n = len(rep.rows)
    if wrong:
        verdict = "the gradient disagrees" if n == 1 else f"{wrong} of {n} gradients disagree"
        c.print(f"[red bold]{verdict}[/red bold]")
    else:
        verdict = "the gradient agrees" if n == 1 else f"all {n} gradients agree"
        c.print(f"[green]{verdict}[/green]"
                + (" (where finite differences mean something)" if any(
                    r.status in ("kink", "skipped") for r in rep.rows) else ""))
