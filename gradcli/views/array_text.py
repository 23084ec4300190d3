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
Lines break only between numbers, so a view that wraps a cell never cuts one. The writing
itself is numbers.fmt_array (fmt of an array is the same text), so that messages and
views agree.
"""

from __future__ import annotations

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
    """'∂L/∂X = (2, 2) [[…],' with the array's later lines aligned under its first."""
    lines = show(v, digits, max(20, width - len(head))).split("\n")
    return "\n".join([head + lines[0]] + [" " * len(head) + line for line in lines[1:]])


def array_text(a, digits: int = 12, linewidth: int = 75) -> str:
    """`(3, 2) [[1, 2], …]`: numbers.fmt_array, the one writer of arrays."""
    return fmt_array(a, digits, linewidth)
