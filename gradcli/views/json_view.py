"""JSON out: compact, deterministic, strict (no NaN), one object and a newline."""

from __future__ import annotations

import json


def dumps(obj) -> str:
    return json.dumps(obj, allow_nan=False, separators=(",", ":"), default=_plain) + "\n"


def _plain(v):
    """A NumPy array as a nested list, a NumPy number as a float (README "Arrays: vectors and matrices": arrays in JSON)."""
    if hasattr(v, "tolist"):
        return v.tolist()
    raise TypeError(f"{type(v).__name__} is not JSON")
