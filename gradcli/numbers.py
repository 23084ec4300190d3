"""How numbers are written for people (JSON carries full precision instead)."""

from __future__ import annotations

import math


def fmt(v: float, digits: int = 12) -> str:
    """Short and exact-looking: 4 not 4.0, 0.1 + 0.2 as 0.3, no 17-digit noise."""
    if getattr(v, "ndim", 0):   # an array (SPEC §6)
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


def fmt_array(v, digits: int = 12) -> str:
    """An array as NumPy prints it (large ones shortened with …), each number as fmt
    writes it, then its shape: [[1, 2], [3, 4]]  (shape (2, 2))."""
    import numpy as np

    body = np.array2string(np.asarray(v), separator=", ", max_line_width=10**6,
                           formatter={"float_kind": lambda x: fmt(float(x), digits)},
                           threshold=100, edgeitems=3)
    return f"{body}  (shape {tuple(int(n) for n in np.shape(v))})"
