"""How every human view writes a value: a number, or an array with its shape (README "Arrays: vectors and matrices").

    >>> import numpy as np
    >>> show(0.1 + 0.2)
    '0.3'
    >>> print(show(np.array([[1.0, -2.5], [3.0, 4.0]])))
    (2, 2) [[   1, -2.5],
            [   3,    4]]

Small arrays are written whole; one of more than THRESHOLD elements is shortened the way
NumPy prints it (EDGEITEMS at each end of every long axis, "..." between). The numbers
are gradcli's (numbers.fmt: 4 not 4.0, 12 significant digits), right-aligned in columns,
separated by ", " so that the text is a literal gradcli reads back (`-W "[[1, 2], …]"`).
Lines break only between numbers, and a view prints them unwrapped (fitted_lines lays an
array out for the width), so that no number is ever cut nor folded. The writing
itself is numbers.fmt_array (fmt of an array is the same text), so that messages and
views agree.
"""

from __future__ import annotations

from rich.cells import cell_len

from gradcli.numbers import EDGEITEMS, THRESHOLD, fmt, fmt_array, shape_text



def is_array(v) -> bool:
    """An array of rank ≥ 1 (a float, a NumPy scalar and a 0-d array are numbers)."""
    return getattr(v, "ndim", 0) > 0


def shape_of(v) -> tuple[int, ...]:
    return tuple(getattr(v, "shape", ()))


def show(v, digits: int = 12, linewidth: int = 75) -> str:
    """A value for people: a number (numbers.show_number: non-finite or None is 'undefined'),
    or an array with its shape."""
    if is_array(v):
        return array_text(v, digits, linewidth)
    from gradcli.numbers import show_number

    return show_number(None if v is None else float(v), digits)


def inline(v, digits: int = 12) -> str:
    """show() on one line (a tree's label, a picture's title): rows joined by spaces."""
    return " ".join(line.strip() for line in show(v, digits, 10**6).split("\n"))


def labelled(head: str, v, digits: int = 12, width: int = 100) -> str:
    """'∂L/∂X = (2, 2) [[…],' with the array's later lines aligned under its first; where
    that is wider than width, the stacked layout (see fitted_lines)."""
    return "\n".join(lead + text for lead, text in fitted_lines(head, v, digits, width))


def fitted_lines(head: str, v, digits: int = 12, width: int = 100) -> list[tuple[str, str]]:
    """A value after head, laid out for width, as (lead, text) pairs, one a line: the lead is
    head or spaces, the text the value's (a view styles the two apart).

    First 'head (2, 2) [[…],' with the later lines aligned under the first; where a line of
    that is wider than width (a long head, long numbers), the shape stays after head and the
    numbers go below it, indented two more than head, which saves the width of head and of
    the shape:

        ∂f/∂weight_matrix = (2, 3)
          [[-9.87654321098e-200,
             1.23456789012e+150, …

    Lines break only between numbers; a number wider than the room runs over the line (for
    the terminal to wrap), so the lines must be printed unwrapped (soft_wrap=True), never
    folded at the width."""
    lines = show(v, digits, max(20, width - len(head))).split("\n")
    pad = " " * len(head)
    normal = [(head, lines[0])] + [(pad, line) for line in lines[1:]]
    if not is_array(v) or all(cell_len(a + b) <= width for a, b in normal):
        return normal
    prefix = shape_text(shape_of(v)) + " "
    indent = " " * (len(head) - len(head.lstrip(" ")) + 2)
    body = show(v, digits, max(1, width - len(indent)) + len(prefix)).split("\n")
    body = [line[len(prefix):] if line.startswith(prefix) or line.startswith(" " * len(prefix))
            else line.lstrip(" ") for line in body]
    first = [(head, prefix.rstrip())]
    if cell_len(head + prefix.rstrip()) > width and head.strip():
        lead = head.rstrip() + " "   # a head padded to align with others: the shape after its text,
        first = ([(lead, prefix.rstrip())] if cell_len(lead + prefix.rstrip()) <= width
                 else [(head.rstrip(), ""), (indent, prefix.rstrip())])   # or on a line of its own
    return first + [(indent if line else "", line) for line in body]


def array_text(a, digits: int = 12, linewidth: int = 75) -> str:
    """`(3, 2) [[1, 2], …]`: numbers.fmt_array, the one writer of arrays."""
    return fmt_array(a, digits, linewidth)
