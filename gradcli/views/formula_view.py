"""Human output for formulas, exact answers and Hessians (Rich, on stdout).

Formulas are printed one per line and never wrapped, so that a line can be
copied back into gradcli (the text) or into a LaTeX document (with --latex).
Notes on conventions go to stderr.
"""

from __future__ import annotations

from fractions import Fraction

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gradcli.numbers import fmt
from gradcli.views.human import console


def show(v) -> str:
    """A number for people: a fraction as 7/2, a float as numbers.fmt does."""
    return str(v) if isinstance(v, Fraction) else fmt(v)


def partial(output: str | None, name: str) -> str:
    return f"∂{output or ''}/∂{name}"


def print_value(c: Console, output: str | None, value) -> None:
    c.print(f"{escape(output) + ' = ' if output else 'value = '}[bold]{show(value)}[/bold]")


def gradient_table(output: str | None, rows: list[tuple[str, object, object]]) -> Table:
    """rows: (name, its value, ∂output/∂name)."""
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("v", style="bold")
    table.add_column("value", justify="right")
    table.add_column(partial(output, "v"), justify="right", style="cyan")
    for name, value, grad in rows:
        table.add_row(escape(name), show(value), show(grad))
    return table


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


def hessian_table(output: str | None, names: list[str], matrix: dict) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False,
                  title=f"∂²{output or ''}/∂u∂v", title_justify="left")
    table.add_column("u \\ v", style="bold")
    for name in names:
        table.add_column(escape(name), justify="right", style="cyan")
    for x in names:
        table.add_row(escape(x), *(show(matrix[x][y]) for y in names))
    return table


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
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("v", style="bold")
    table.add_column("now", justify="right")
    table.add_column("−H⁻¹∇f", justify="right")
    table.add_column("new", justify="right", style="cyan")
    for name, a, d, b in zip(step.names, step.start, step.change, step.point):
        table.add_row(escape(name), show(a), show(d), show(b))
    c.print(table)
    if step.note:
        c.print(f"[dim]{escape(step.note)}[/dim]")
