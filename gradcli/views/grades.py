"""`gradcli check` for people: each student's marks, then the class at a glance."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from gradcli.numbers import fmt
from gradcli.views.array_text import show
from gradcli.views.human import console


def _points(v: float) -> str:
    """Points to 4 decimals: a third is 0.3333, not 0.333333333333 (JSON and CSV keep all)."""
    r = round(v, 4)
    return fmt(r) if r or not v else fmt(v, 4)


def _given(m) -> str:
    if m.given is not None:
        return show(m.given)
    if m.text is not None:
        return escape(str(m.text))
    return "—"


def _note(m) -> str:
    """The note of a mark: missing, malformed, or the likely mistake behind a wrong number."""
    if m.diagnosis is not None:
        return escape(m.diagnosis.text)
    return escape(m.note)


def student_table(grade, points: bool = False) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False)
    columns = [("problem", "left"), ("quantity", "left"), ("expected", "right"),
               ("given", "right"), ("", "center")]
    if points:
        columns.append(("points", "right"))
    for name, justify in columns + [("note", "left")]:
        table.add_column(name, justify=justify, overflow="fold")
    for m in grade.marks:
        mark = "[green]✓[/green]" if m.ok else "[red]✗[/red]"
        row = [escape(m.problem), escape(m.quantity), show(m.expected), _given(m), mark]
        if points:
            row.append(f"{_points(m.points)}/{_points(m.max_points)}")
        table.add_row(*row, _note(m))
    return table


def class_table(key, grades) -> Table:
    total = sum(len(p.ask) for p in key.problems.values())
    table = Table(title="class summary", box=None, pad_edge=False, show_edge=False, title_justify="left")
    table.add_column("student")
    table.add_column("score", justify="right")
    if key.points_given:
        table.add_column("points", justify="right")
    table.add_column("%", justify="right")
    # The entries of an answer file that were ignored (the "!" lines above its marks).
    table.add_column("ignored", justify="right")
    most = key.max_points
    for g in grades:
        # With points, the share is of the points; otherwise of the answers.
        if key.points_given:
            pct = f"{100 * g.points / most:.0f}" if most else "—"
            cells = [f"{g.score}/{total}", f"{_points(g.points)}/{_points(most)}", pct]
        else:
            cells = [f"{g.score}/{total}", f"{100 * g.score / total:.0f}" if total else "—"]
        table.add_row(escape(g.student), *cells,
                      "unreadable" if g.unusable else str(len(g.errors) or ""))
    return table


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def question_table(summary, points: bool = False) -> Table:
    table = Table(title="by question", box=None, pad_edge=False, show_edge=False, title_justify="left")
    table.add_column("problem")
    table.add_column("quantity")
    if points:
        table.add_column("points", justify="right")
    table.add_column("right", justify="right")
    for q in summary["questions"]:
        cells = [escape(q["problem"]), escape(q["quantity"])]
        if points:
            cells.append(_points(q["points"]))
        table.add_row(*cells, f"{q['right']}/{q['of']}")
    return table


def print_grades(key, grades, summary) -> None:
    c = console()
    total = sum(len(p.ask) for p in key.problems.values())
    if key.title:
        c.print(f"[bold]{escape(key.title)}[/bold]")
    for g in grades:
        c.print()
        head = f"[bold]{escape(g.student)}[/bold] ({escape(g.path)}): {g.score}/{total}"
        if key.points_given:
            head += f", {_points(g.points)}/{_points(key.max_points)} points"
        c.print(head + (" [red](could not be read)[/red]" if g.unusable else ""))
        for err in g.errors:
            c.print(f"  [yellow]![/yellow] {escape(err)}")
        if not g.unusable:
            c.print(student_table(g, key.points_given))
    c.print()
    c.print(class_table(key, grades))
    notes = []
    if any(g.errors and not g.unusable for g in grades):
        notes.append("ignored: entries of the answer file that were not understood (an unknown "
                     "problem or quantity, an answer not asked; each is listed with ! above)")
    if any(g.unusable for g in grades):
        notes.append("unreadable: the file could not be read, so every answer in it counts as missing")
    if notes:
        c.print("; ".join(notes))
    c.print()
    c.print(question_table(summary, key.points_given))
    mean = summary["mean_score"]
    line = (f"\n{_plural(summary['students'], 'student')}, {summary['perfect']} with full marks, "
            f"mean score {100 * mean:.0f}%")
    if key.points_given:
        line += f", mean points {_points(summary['mean_points'])} of {_points(summary['max_points'])}"
    c.print(line)
