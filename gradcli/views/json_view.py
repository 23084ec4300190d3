"""JSON out: compact, deterministic, strict (no NaN), one object and a newline."""

from __future__ import annotations

import json


def dumps(obj) -> str:
    return json.dumps(obj, allow_nan=False, separators=(",", ":")) + "\n"
