"""How numbers are written for people (JSON carries full precision instead)."""

from __future__ import annotations

import math


def fmt(v: float, digits: int = 12) -> str:
    """Short and exact-looking: 4 not 4.0, 0.1 + 0.2 as 0.3, no 17-digit noise."""
    if getattr(v, "ndim", 0):   # an array (README "Arrays: vectors and matrices")
        return fmt_array(v, digits)
    if v != v:
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "0"
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.{digits}g}"


# Arrays (README "Arrays: vectors and matrices"): more elements than THRESHOLD are shortened as NumPy does, EDGEITEMS
# at each end of every long axis and "..." between.
THRESHOLD = 100
EDGEITEMS = 3


def shape_text(shape) -> str:
    """(3, 2), (3,), (): as Python writes a tuple."""
    shape = tuple(int(n) for n in shape)
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def fmt_array(v, digits: int = 12, linewidth: int = 75) -> str:
    """`(3, 2) [[1, 2], …]`: the shape, then the elements as NumPy lays them out, each as fmt
    writes it, right-aligned in columns and separated by ", " (a literal gradcli reads back)."""
    import numpy as np

    a = np.asarray(v, dtype=np.float64)
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
