"""A training run's steps, written as they are done: `train --history FILE` and --json's history.

`--history FILE`: one row per step as CSV or JSON Lines: `step`, `loss`
(before the step's update), each parameter (the values the loss was
computed at), `grad_NAME` for each parameter (before clipping) and
`grad_norm`, so that the gradient magnitudes can be plotted, and with a
learning-rate schedule `lr`, the rate the step used. Numbers are
written in full precision (repr). A parameter whose name would collide with
one of those columns is written as `param_NAME`.

Rows go to the file as the steps finish (the file is opened at the first
one, so an error before training leaves no file behind): a run of any length
takes no memory for them, and a run that diverges or is interrupted leaves
its finished steps in the file. --json's `"history"` is kept the same way, in
a temporary file that stays in memory while small, until the object is written.
"""

from __future__ import annotations

import io
import json

from gradcli.errors import GradUsageError
from gradcli.views.json_view import dumps

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
# --json's history stays in memory up to this many characters (about 30,000 steps).
SPOOL_CHARS = 1 << 20


def history_format(path: str) -> str:
    """csv or jsonl, from the file's extension (checked before training starts)."""
    for ext, kind in FORMATS.items():
        if path.lower().endswith(ext):
            return kind
    raise GradUsageError(f"--history '{path}': name a .csv or a .jsonl file")


def columns(names: list[str], scheduled: bool = False) -> list[str]:
    lr = ["lr"] if scheduled else []
    fixed = {"step", "loss", "grad_norm", *lr, *(f"grad_{n}" for n in names)}
    params = [f"param_{n}" if n in fixed else n for n in names]
    return ["step", "loss", *params, *(f"grad_{n}" for n in names), "grad_norm", *lr]


class HistoryWriter:
    """Writes each row (History.rows' form) to the --history file as it comes: write(row), close()."""

    def __init__(self, path: str, names: list[str], scheduled: bool = False):
        self.path, self.kind, self.header = path, history_format(path), columns(names, scheduled)
        self.file = None
        self.closed = False
        self.count = 0  # rows written

    def _open(self) -> None:
        try:
            self.file = open(self.path, "w", encoding="utf-8", newline="")
        except OSError as exc:
            self._failed(exc)
        if self.kind == "csv":
            import csv

            self._guard(csv.writer(self.file, lineterminator="\n").writerow, self.header)
        self._keys = [json.dumps(k) for k in self.header]

    def write(self, row: list) -> None:
        if self.file is None:
            self._open()
        # The row's numbers are finite ints and floats, whose repr is their CSV and JSON text
        # (json.dumps writes float.__repr__); one write() per row: a Ctrl-C leaves no half row.
        if any(getattr(v, "ndim", 0) for v in row):   # array parameters (README "Arrays: vectors and matrices")
            row = [_array_cell(v, self.kind) if getattr(v, "ndim", 0) else v for v in row]
        if self.kind == "csv":
            line = ",".join(map(repr, row)) + "\n"
        else:
            line = "{" + ",".join([f"{k}:{v!r}" for k, v in zip(self._keys, row)]) + "}\n"
        self._guard(self.file.write, line)
        self.count += 1

    def close(self, create: bool = True) -> None:
        """Flush and close; create: a run of no steps still gets its file (the CSV header only)."""
        if self.file is None and create and not self.closed:
            self._open()
        if self.file is not None and not self.closed:
            self.closed = True
            self._guard(self.file.close)

    def _guard(self, write, *args) -> None:
        try:
            write(*args)
        except OSError as exc:
            self._failed(exc)

    def _failed(self, exc: OSError):
        raise GradUsageError(f"cannot write the history file '{self.path}': {exc.strerror or exc}") from None


class _Text(str):
    """Text written as it is where the row's numbers are written by repr."""

    def __repr__(self) -> str:
        return str(self)


def _array_cell(v, kind: str) -> _Text:
    """An array parameter or gradient: its nested list as JSON (a quoted CSV cell)."""
    text = json.dumps(v.tolist(), separators=(",", ":"))
    return _Text(text if kind != "csv" else '"' + text + '"')


class JsonHistory:
    """--json's `"history": [{"step", "loss"}, …]` (and "lr" when scheduled: the row's last
    number), every step, off the heap: write(row), then echo(obj) prints obj with the
    history as its last key, exactly as json_view.dumps would."""

    def __init__(self, scheduled: bool = False):
        self.scheduled = scheduled
        # In memory up to SPOOL_CHARS, then in a file that is deleted on close: what
        # tempfile.SpooledTemporaryFile does, without loading tempfile (3 ms of a one-shot
        # run) unless a run is that long.
        self.spool = io.StringIO()
        self.in_memory = True
        self.count = 0

    def write(self, row: list) -> None:
        # json.dumps writes a float as float.__repr__: the same text, without a dict per step.
        lr = f',"lr":{float.__repr__(row[-1])}' if self.scheduled else ""
        text = f'{"," if self.count else ""}{{"step":{row[0]},"loss":{float.__repr__(row[1])}{lr}}}'
        try:
            self.spool.write(text)
            if self.in_memory and self.spool.tell() > SPOOL_CHARS:
                self._roll_over()
        except OSError as exc:
            raise GradUsageError(f"cannot keep the history for --json in a temporary file: "
                                 f"{exc.strerror or exc}", hint="set TMPDIR to a disk with room") from None
        self.count += 1

    def _roll_over(self) -> None:
        import tempfile

        spilled = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        spilled.write(self.spool.getvalue())
        self.spool, self.in_memory = spilled, False

    def echo(self, obj: dict) -> None:
        """obj (without "history") and the history, as one line of JSON on stdout."""
        import click

        head = dumps(obj)  # '{…}\n': the history goes in before the closing brace
        click.echo(head[:-2] + ',"history":[', nl=False)
        self.spool.seek(0)
        while chunk := self.spool.read(1 << 16):
            click.echo(chunk, nl=False)
        click.echo("]}")
        self.spool.close()
