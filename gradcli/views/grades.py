"""`gradcli check` for people: each student's marks, then the class at a glance."""

from __future__ import annotations

from rich.cells import cell_len
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from gradcli.numbers import fmt, shape_text
from gradcli.views.array_text import is_array, labelled, shape_of, show
from gradcli.views.human import Column, FittedTable, console, print_fitted


def _points(v: float) -> str:
    """Points to 4 decimals: a third is 0.3333, not 0.333333333333 (JSON and CSV keep all)."""
    r = round(v, 4)
    return fmt(r) if r or not v else fmt(v, 4)


# A cell longer than this (a malformed answer's text) is written under the table instead.
WIDE_TEXT = 16
BELOW = "↓"


def _cell(v, text=None) -> tuple[str, object]:
    """A value's cell and, when it does not fit in one, the text written under the table.

    Rich wraps a cell wherever it likes and folds a long word, so a number in a narrow
    cell could be cut in two; an array therefore leaves only its shape in the table and
    is written whole below, where its lines break between numbers (array_text).
    """
    if v is not None:
        if is_array(v):
            return f"{shape_text(shape_of(v))} {BELOW}", v
        return show(v), None
    if text is not None:
        text = str(text)
        return (escape(text), None) if len(text) <= WIDE_TEXT else (BELOW, text)
    return "—", None


def _note(m) -> str:
    """The note of a mark: missing, malformed, or the likely mistake behind a wrong number."""
    if m.diagnosis is not None:
        return escape(m.diagnosis.text)
    return escape(m.note)


# The note column's narrowest: below it the marks are written one block each instead.
NOTE_MIN = 16


def student_rows(grade, points: bool = False) -> tuple[list[str], list[list[str]], list]:
    """The marks' columns and rows (markup), and the values written under them:
    (problem quantity, "expected"/"given", an array or a text)."""
    header = ["problem", "quantity", "expected", "given", ""] + (["points"] if points else [])
    rows, below = [], []
    for m in grade.marks:
        mark = "[green]✓[/green]" if m.ok else "[red]✗[/red]"
        expected, expected_below = _cell(m.expected)
        given, given_below = _cell(m.given, m.text)
        row = [escape(m.problem), escape(m.quantity), expected, given, mark]
        if points:
            row.append(f"{_points(m.points)}/{_points(m.max_points)}")
        rows.append(row + [_note(m)])
        for side, value in (("expected", expected_below), ("given", given_below)):
            if value is not None:
                below.append((f"{m.problem} {m.quantity}", side, value))
    return header, rows, below


def student_table(header, rows) -> Table:
    """Every column but the note is no_wrap, so that only the note gives way when the
    terminal is narrow (Rich narrows the wrapping columns first)."""
    table = Table(box=None, pad_edge=False, show_edge=False)
    for name in header:
        justify = "right" if name in ("expected", "given", "points") else "left"
        table.add_column(name, justify="center" if not name else justify, no_wrap=True)
    table.add_column("note", justify="left", overflow="fold", min_width=NOTE_MIN)
    for row in rows:
        table.add_row(*row)
    return table


def _fits(header, rows, width: int) -> bool:
    """Whether the no_wrap columns leave the note NOTE_MIN: else Rich's last resort
    narrows every column, and a number in one would be cut."""
    fixed = sum(max(cell_len(Text.from_markup(r[i]).plain) for r in [header, *rows])
                for i in range(len(header)))
    return fixed + 2 * len(header) + NOTE_MIN <= width


def print_marks(c, grade, points: bool = False) -> None:
    """A student's marks: a table with arrays written under it, or, where the terminal is
    too narrow for the table, one block of lines per mark; a number is never cut."""
    header, rows, below = student_rows(grade, points)
    if _fits(header, rows, c.width):
        c.print(student_table(header, rows))
        print_below(c, below)
        return
    for m, row in zip(grade.marks, rows):
        c.print(" ".join(row[:2] + row[4:5] + [f"{cell} points" for cell in row[5:-1]]))
        for side, v, text in (("expected", m.expected, None), ("given", m.given, m.text)):
            if v is not None:
                print_below(c, [("", side, v if is_array(v) else show(v))])
            else:
                print_below(c, [("", side, "—" if text is None else str(text))])
        if row[-1]:
            note = Table.grid()
            note.add_column(no_wrap=True)
            note.add_column(overflow="fold")
            note.add_row(f"  {'note:':9} ", row[-1])
            c.print(note)


def print_below(c, below) -> None:
    """The values too big for a cell, each on its own lines: an array laid out for the
    console's width, its later lines aligned under its first (array_text breaks lines only
    between numbers, and where the head leaves too little room the numbers go under the
    shape: array_text.fitted_lines). The lines are printed unwrapped, so that Rich never
    folds a number: one wider than the room runs over the line."""
    for name, side, value in below:
        head = f"  {name + ' ' if name else ''}{side + ':':9} "
        if is_array(value):
            c.print(labelled(head, value, width=c.width), markup=False, soft_wrap=True)
        elif any(cell_len(word) > c.width for word in value.split()):
            c.print(head + value, markup=False, soft_wrap=True)   # Rich would fold that word
        else:
            c.print(head + value, markup=False)


def class_table(key, grades) -> FittedTable:
    """One row a student; the names wrap, never a number (human.FittedTable)."""
    total = sum(len(p.ask) for p in key.problems.values())
    columns = [Column("student", label=True), Column("score", justify="right")]
    if key.points_given:
        columns.append(Column("points", justify="right"))
    columns.append(Column("%", justify="right"))
    # The entries of an answer file that were ignored (the "!" lines above its marks).
    columns.append(Column("ignored", justify="right"))
    rows = []
    most = key.max_points
    for g in grades:
        # With points, the share is of the points; otherwise of the answers.
        if key.points_given:
            pct = f"{100 * g.points / most:.0f}" if most else "—"
            cells = [f"{g.score}/{total}", f"{_points(g.points)}/{_points(most)}", pct]
        else:
            cells = [f"{g.score}/{total}", f"{100 * g.score / total:.0f}" if total else "—"]
        rows.append([escape(g.student), *cells,
                     "unreadable" if g.unusable else str(len(g.errors) or "")])
    return FittedTable(columns, rows, title="class summary")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def question_table(summary, points: bool = False) -> FittedTable:
    """One row a question; the names wrap, never a number (human.FittedTable)."""
    columns = [Column("problem", label=True), Column("quantity", label=True)]
    if points:
        columns.append(Column("points", justify="right"))
    columns.append(Column("right", justify="right"))
    rows = []
    for q in summary["questions"]:
        cells = [escape(q["problem"]), escape(q["quantity"])]
        if points:
            cells.append(_points(q["points"]))
        rows.append([*cells, f"{q['right']}/{q['of']}"])
    return FittedTable(columns, rows, title="by question")


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
            print_marks(c, g, key.points_given)
    c.print()
    print_fitted(c, class_table(key, grades))
    notes = []
    if any(g.errors and not g.unusable for g in grades):
        notes.append("ignored: entries of the answer file that were not understood (an unknown "
                     "problem or quantity, an answer not asked; each is listed with ! above)")
    if any(g.unusable for g in grades):
        notes.append("unreadable: the file could not be read, so every answer in it counts as missing")
    if notes:
        c.print("; ".join(notes))
    c.print()
    print_fitted(c, question_table(summary, key.points_given))
    mean = summary["mean_score"]
    line = (f"\n{_plural(summary['students'], 'student')}, {summary['perfect']} with full marks, "
            f"mean score {100 * mean:.0f}%")
    if key.points_given:
        line += f", mean points {_points(summary['mean_points'])} of {_points(summary['max_points'])}"
    c.print(line)
