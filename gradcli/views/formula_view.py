"""Human output for formulas, exact answers and Hessians (Rich, on stdout).

Formulas are printed one per line and never wrapped, so that a line can be
copied back into gradcli (the text) or into a LaTeX document (with --latex).
Notes on conventions go to stderr. Tables never cut a number (human.FittedTable);
a Hessian too wide for the terminal is split into groups of columns.
"""

from __future__ import annotations

from fractions import Fraction

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from gradcli.numbers import fmt
from gradcli.views.human import (GAP, LABEL_MIN, Column, FittedTable, blocks, build_table, cell_width,
                                 console, fit_widths, gradient_columns, print_fitted)


def show(v) -> str:
    """A number for people: a fraction as 7/2, a float as numbers.fmt does."""
    return str(v) if isinstance(v, Fraction) else fmt(v)


def partial(output: str | None, name: str) -> str:
    return f"∂{output or ''}/∂{name}"


def print_value(c: Console, output: str | None, value) -> None:
    c.print(f"{escape(output) + ' = ' if output else 'value = '}[bold]{show(value)}[/bold]")


def gradient_table(output: str | None, rows: list[tuple[str, object, object]]) -> FittedTable:
    """rows: (name, its value, ∂output/∂name)."""
    return FittedTable(gradient_columns(output),
                       [[escape(name), show(value), show(grad)] for name, value, grad in rows])


def print_formulas(c: Console, labels: dict, formulas, latex: bool) -> None:
    """labels: key -> what the formula is (∂f/∂x); then the definitions it uses."""
    texts = formulas.latex if latex else formulas.text
    definitions = formulas.latex_definitions if latex else formulas.definitions
    for key, label in labels.items():
        c.print(f"{label} = {texts[key]}", markup=False, soft_wrap=True)
    if definitions:
        c.print("where" if not latex else "% where", markup=False)
        for name, text in definitions.items():
            c.print(f"  {name} = {text}", markup=False, soft_wrap=True)


def print_notes(notes: list[str]) -> None:
    if notes:
        err = console(stderr=True)
        for note in notes:
            err.print(f"[dim]note: {escape(note)}[/dim]", soft_wrap=True)


class HessianTable:
    """The matrix, every entry whole at any width: one table where it fits (the row
    names wrapping if need be); else the columns in groups, each group a table under
    the one before with the row names again; where not even one column fits beside
    the names, each row a block of "column value" fields (human.blocks)."""

    def __init__(self, output: str | None, names: list[str], matrix: dict):
        self.title = f"∂²{output or ''}/∂u∂v"
        self.columns = ([Column("u \\ v", style="bold", label=True)]
                        + [Column(escape(name), justify="right", style="cyan") for name in names])
        self.rows = [[escape(x)] + [show(matrix[x][y]) for y in names] for x in names]

    def _groups(self, width: int) -> list[list[int]] | None:
        """The value columns (1..n) in contiguous groups that each fit beside the row names."""
        cols, rows = self.columns, self.rows
        label = max([cell_width(cols[0].header)] + [cell_width(r[0]) for r in rows])
        need = [max(max(cell_width(r[k]) for r in rows), min(cell_width(cols[k].header), LABEL_MIN))
                for k in range(1, len(cols))]
        # the row names keep a quarter of the width where they can, LABEL_MIN at least
        names = min(label, max(LABEL_MIN, width // 4), width - GAP - max(need))
        if names < min(label, LABEL_MIN):
            return None

        def fits(group):
            return names + sum(need[k - 1] + GAP for k in group) <= width

        groups, group = [], []
        for k in range(1, len(cols)):
            if group and not fits(group + [k]):
                groups.append(group)
                group = []
            group.append(k)
        groups.append(group)
        size = -(-(len(cols) - 1) // len(groups))   # as even as the greedy count allows
        even = [list(range(k, min(k + size, len(cols)))) for k in range(1, len(cols), size)]
        return even if len(even) == len(groups) and all(map(fits, even)) else groups

    def layout(self, console: Console, width: int) -> list:
        whole = FittedTable(self.columns, self.rows, self.title)
        if fit_widths(self.columns, self.rows, width)[0] is not None:
            return whole.layout(console, width)
        groups = self._groups(width)
        if groups is None:
            return [Text(self.title, style="table.title")] + blocks(console, self.columns, self.rows, width)
        out = []
        for g, group in enumerate(groups):
            keep = [0] + group
            cols = [self.columns[k] for k in keep]
            rows = [[r[k] for k in keep] for r in self.rows]
            widths, natural = fit_widths(cols, rows, width)
            if g:
                out.append(Text(""))
            out.append(build_table(cols, rows, None if natural else widths,
                                   **({"title": self.title, "title_justify": "left"} if not g else {})))
        return out

    def __rich_console__(self, console, options):
        yield from self.layout(console, options.max_width)


def hessian_table(output: str | None, names: list[str], matrix: dict) -> HessianTable:
    return HessianTable(output, names, matrix)


def print_classification(c: Console, output: str | None, found) -> None:
    """hessian --classify: the gradient, the eigenvalues, and the verdict in one sentence."""
    f = output or "f"
    c.print(f"∇{escape(f)} = ({', '.join(show(g) for g in found.gradient)})", markup=True)
    c.print(f"eigenvalues: {', '.join(show(v) for v in found.eigenvalues)}")
    c.print(f"[bold]{escape(found.sentence)}[/bold]")
    if not found.critical:
        c.print(f"[dim]the Hessian here is {escape(found.definiteness)}; a critical point needs "
                f"every component of the gradient within {show(found.tol)} of 0 (--tol)[/dim]")


def print_newton(c: Console, step) -> None:
    """hessian --newton: each variable, where it is, where one Newton step takes it."""
    if step.point is None:
        c.print(f"Newton step: cannot be taken: {escape(step.reason)}")
        return
    c.print("Newton step x − H⁻¹∇f:")
    columns = [Column("v", style="bold", label=True), Column("now", justify="right"),
               Column("−H⁻¹∇f", justify="right"), Column("new", justify="right", style="cyan")]
    rows = [[escape(name), show(a), show(d), show(b)]
            for name, a, d, b in zip(step.names, step.start, step.change, step.point)]
    print_fitted(c, FittedTable(columns, rows))
    if step.note:
        c.print(f"[dim]{escape(step.note)}[/dim]")
