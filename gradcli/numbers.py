"""How numbers are written for people (JSON carries full precision instead)."""

from __future__ import annotations

import math


def to_float(v) -> float:
    """A number (a fraction, an int) as the nearest double, ±inf beyond the largest one
    (float(v) raises OverflowError there, and so would copysign(inf, v))."""
    try:
        return float(v)
    except OverflowError:
        return math.inf if v > 0 else -math.inf


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


def index_text(at) -> str:
    """[1, 0]: an element's index path as NumPy's indexing writes it, counted from 0."""
    return "[" + ", ".join(map(str, at)) + "]"


def ragged_text(at, shape, first_at, first_shape) -> str:
    """How element `at` of a ragged array differs from element `first_at` (index paths,
    shapes): the one wording of a ragged program literal, binding and array file.

    'element [1] has 1 element where element [0] has 2 (shape (1,), not (2,))'. Shapes
    that agree on their first axes name the elements where they part: elements (1, 1)
    and (1, 2) at [1] and [0] are told as [1, 0] of shape (1,) and [0, 0] of shape (2,),
    the element a walk of the nested lists finds first."""
    shape, first_shape = tuple(shape), tuple(first_shape)
    d = 0
    while d < min(len(shape), len(first_shape)) and shape[d] == first_shape[d]:
        d += 1
    at, first_at = tuple(at) + (0,) * d, tuple(first_at) + (0,) * d
    shape, first_shape = shape[d:], first_shape[d:]
    said, other = f"element {index_text(at)}", f"element {index_text(first_at)}"
    if shape and first_shape and shape[0] != first_shape[0]:
        said += f" has {shape[0]} element{'s' if shape[0] != 1 else ''} where {other} has {first_shape[0]}"
    elif not shape and first_shape:
        said += f" is a number where {other} is a list of {first_shape[0]}"
    elif shape and not first_shape:
        said += f" is a list of {shape[0]} where {other} is a number"
    else:
        return f"{said} has shape {shape_text(shape)} where {other} has shape {shape_text(first_shape)}"
    return f"{said} (shape {shape_text(shape)}, not {shape_text(first_shape)})"


# How a value that is not a finite number is shown to people (a gradient or a local
# derivative where none is defined).
UNDEFINED = "undefined"


def show_number(v: float | None, digits: int = 12) -> str:
    """A number for people; a non-finite gradient or local derivative is 'undefined'."""
    if v is None or not math.isfinite(v):
        return UNDEFINED
    return fmt(v, digits)


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
