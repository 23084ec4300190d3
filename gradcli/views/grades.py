"""`gradcli check` for people: each student's marks, then the class at a glance."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from gradcli.views.array_text import show
from gradcli.views.human import console


def _given(m) -> str:
    if m.given is not None:
        return show(m.given)
    if m.text is not None:
        return escape(str(m.text))
    return "—"


def student_table(grade) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False)
    for name, justify in (("problem", "left"), ("quantity", "left"), ("expected", "right"),
                          ("given", "right"), ("", "center"), ("note", "left")):
        table.add_column(name, justify=justify)
    for m in grade.marks:
        mark = "[green]✓[/green]" if m.ok else "[red]✗[/red]"
        table.add_row(escape(m.problem), escape(m.quantity), show(m.expected), _given(m), mark,
                      escape(m.note))
    return table


def class_table(key, grades) -> Table:
    total = sum(len(p.ask) for p in key.problems.values())
    table = Table(title="class summary", box=None, pad_edge=False, show_edge=False, title_justify="left")
    table.add_column("student")
    table.add_column("score", justify="right")
    table.add_column("%", justify="right")
    # The entries of an answer file that were ignored (the "!" lines above its marks).
    table.add_column("ignored", justify="right")
    for g in grades:
        pct = f"{100 * g.score / total:.0f}" if total else "—"
        table.add_row(escape(g.student), f"{g.score}/{total}", pct,
                      "unreadable" if g.unusable else str(len(g.errors) or ""))
    return table


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def question_table(summary) -> Table:
    table = Table(title="by question", box=None, pad_edge=False, show_edge=False, title_justify="left")
    table.add_column("problem")
    table.add_column("quantity")
    table.add_column("right", justify="right")
    for q in summary["questions"]:
        table.add_row(escape(q["problem"]), escape(q["quantity"]), f"{q['right']}/{q['of']}")
    return table


def print_grades(key, grades, summary) -> None:
    c = console()
    total = sum(len(p.ask) for p in key.problems.values())
    if key.title:
        c.print(f"[bold]{escape(key.title)}[/bold]")
    for g in grades:
        c.print()
        head = f"[bold]{escape(g.student)}[/bold] ({escape(g.path)}): {g.score}/{total}"
        c.print(head + (" [red](could not be read)[/red]" if g.unusable else ""))
        for err in g.errors:
            c.print(f"  [yellow]![/yellow] {escape(err)}")
        if not g.unusable:
            c.print(student_table(g))
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
    c.print(question_table(summary))
    mean = summary["mean_score"]
    c.print(f"\n{_plural(summary['students'], 'student')}, {summary['perfect']} with full marks, "
            f"mean score {100 * mean:.0f}%")
