"""How every human view writes a value: a number, or an array with its shape (SPEC §6).

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
Lines break only between numbers, so a view that wraps a cell never cuts one.
"""

from __future__ import annotations

import math

from gradcli.numbers import fmt

THRESHOLD = 100   # more elements than this: shortened
EDGEITEMS = 3     # as NumPy: this many at each end of a long axis
UNDEFINED = "undefined"


def is_array(v) -> bool:
    """An array of rank ≥ 1 (a float, a NumPy scalar and a 0-d array are numbers)."""
    return getattr(v, "ndim", 0) > 0


def shape_text(shape) -> str:
    """(3, 2), (3,), (): as Python writes a tuple."""
    shape = tuple(int(n) for n in shape)
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def shape_of(v) -> tuple[int, ...]:
    return tuple(getattr(v, "shape", ()))


def show(v, digits: int = 12, linewidth: int = 75) -> str:
    """A value for people: a number (non-finite or None: 'undefined'), or an array with its shape."""
    if is_array(v):
        return array_text(v, digits, linewidth)
    if v is None:
        return UNDEFINED
    v = float(v)
    if not math.isfinite(v):
        return UNDEFINED
    return fmt(v, digits)


def array_text(a, digits: int = 12, linewidth: int = 75) -> str:
    """`(3, 2) [[1, 2], …]`: the shape, then the elements as NumPy lays them out."""
    import numpy as np

    a = np.asarray(a, dtype=np.float64)
    prefix = shape_text(a.shape) + " "
    width = max(len(fmt(float(x), digits)) for x in _shown(a).flat)
    body = np.array2string(a, max_line_width=max(linewidth, len(prefix) + width + 4),
                           separator=", ", prefix=prefix, threshold=THRESHOLD,
                           edgeitems=EDGEITEMS,
                           formatter={"float_kind": lambda x: fmt(float(x), digits).rjust(width)})
    return prefix + body


def _shown(a):
    """The elements that the shortened text shows: EDGEITEMS at each end of each long axis."""
    import numpy as np

    if a.size <= THRESHOLD:
        return a
    for axis, n in enumerate(a.shape):
        if n > 2 * EDGEITEMS:
            keep = list(range(EDGEITEMS)) + list(range(n - EDGEITEMS, n))
            a = np.take(a, keep, axis=axis)
    return a
