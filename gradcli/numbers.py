"""How numbers are written for people (JSON carries full precision instead)."""

from __future__ import annotations

import math


def fmt(v: float, digits: int = 12) -> str:
    """Short and exact-looking: 4 not 4.0, 0.1 + 0.2 as 0.3, no 17-digit noise."""
    if v != v:
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "0"
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.{digits}g}"
