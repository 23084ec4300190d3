"""`train --history FILE`: every step of a training run, as CSV or JSON Lines.

One row per step: `step`, `loss` (before the step's update), each parameter
(the values the loss was computed at), `grad_NAME` for each parameter (before
clipping) and `grad_norm`, so that the gradient magnitudes can be plotted.
Numbers are written in full precision (repr). A parameter whose name would
collide with one of those columns is written as `param_NAME`.
"""

from __future__ import annotations

import csv

from ..errors import GradUsageError
from .json_view import dumps

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def history_format(path: str) -> str:
    """csv or jsonl, from the file's extension (checked before training starts)."""
    for ext, kind in FORMATS.items():
        if path.lower().endswith(ext):
            return kind
    raise GradUsageError(f"--history '{path}': name a .csv or a .jsonl file")


def columns(names: list[str]) -> list[str]:
    fixed = {"step", "loss", "grad_norm", *(f"grad_{n}" for n in names)}
    params = [f"param_{n}" if n in fixed else n for n in names]
    return ["step", "loss", *params, *(f"grad_{n}" for n in names), "grad_norm"]


def write_history(path: str, history) -> None:
    kind = history_format(path)
    header = columns(history.names)
    try:
        with open(path, "w", encoding="utf-8", newline="") as f:
            if kind == "csv":
                out = csv.writer(f, lineterminator="\n")
                out.writerow(header)
                for row in history.rows():
                    out.writerow([repr(v) if isinstance(v, float) else v for v in row])
            else:
                for row in history.rows():
                    f.write(dumps(dict(zip(header, row))))
    except OSError as exc:
        raise GradUsageError(f"cannot write the history file '{path}': {exc.strerror or exc}") from None
