"""Training data: a CSV file with a header row, or JSON Lines; `-` is standard input.

The format comes from the extension (`.csv`, `.jsonl`); for `-` and any
other name, from the content (a first line that starts with `{` is JSON
Lines). Only the columns the program needs are read as numbers; the others
are ignored, so a file may carry labels or notes. Every problem is a value
error that names the file, the line, the row and the column, found before
training starts: nothing is trained on half-read data.

Rows are counted from 1 without the header (CSV) and without blank lines;
lines as an editor numbers them.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np

from . import formats
from .errors import GradUsageError, GradValueError


@dataclass
class Dataset:
    """Named float64 columns of equal length."""

    source: str                         # how messages name it: the file name, or "standard input"
    columns: dict[str, np.ndarray]
    rows: int

    @classmethod
    def from_columns(cls, columns: Mapping[str, object], source: str = "the data") -> "Dataset":
        """Columns given in Python (lists or arrays), checked as a file would be."""
        out, rows = {}, None
        for name, values in columns.items():
            try:
                array = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
            except (TypeError, ValueError):
                raise GradValueError(f"{source}: column '{name}' is not a list of numbers") from None
            if rows is not None and len(array) != rows:
                raise GradValueError(f"{source}: column '{name}' has {len(array)} rows, "
                                     f"the others {rows}")
            rows = len(array)
            bad = np.flatnonzero(~np.isfinite(array))
            if len(bad):
                raise GradValueError(f"{source}, row {bad[0] + 1}, column '{name}': "
                                     f"{array[bad[0]]} is not a finite number")
            out[name] = array
        if not rows:
            raise GradValueError(f"{source} has no rows")
        return cls(source, out, rows)


def load(path: str, needed: Iterable[str]) -> Dataset:
    """Read the columns `needed` from a CSV or JSON Lines file ('-': standard input)."""
    needed = list(needed)
    source = "standard input" if path == "-" else path
    text = _read_text(path)
    kind = _format(path, text)
    if kind == "jsonl":
        return _jsonl(text, needed, source)
    return _csv(text, needed, source)


def _read_text(path: str) -> str:
    try:
        if path == "-":
            data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
        else:
            with open(path, "rb") as f:
                data = f.read()
        return data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except OSError as exc:
        raise GradUsageError(f"cannot read the data file '{path}': {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise GradUsageError(f"cannot read the data file '{path}': it is not UTF-8 text "
                             f"(byte {exc.start + 1})") from None


def _format(path: str, text: str) -> str:
    known = formats.by_extension(path)
    if known is not None:
        return known
    return formats.by_first_line(next((line for line in text.splitlines() if line.strip()), ""))


def missing_columns(source: str, missing: list[str], have: list[str]) -> GradValueError:
    which = ", ".join(f"'{m}'" for m in missing)
    plural = "s" if len(missing) > 1 else ""
    return GradValueError(
        f"{source} has no column{plural} {which} (it has {', '.join(have) or 'none'})",
        hint="an input that is not a --param and has no value on the command line "
             "must be a column of the data")


def _numbers(source: str, name: str, cells: list[str], where) -> np.ndarray:
    """One column's cells as float64; the first bad cell is named."""
    # float() also takes '1_0' and non-ASCII digits ('１'), which nothing else in gradcli
    # reads as numbers; one scan of the joined text keeps the common case fast.
    joined = "".join(cells)
    if "_" in joined or not joined.isascii():
        k = next(k for k, cell in enumerate(cells) if "_" in cell or not cell.isascii())
        raise GradValueError(f"{where(k)}, column '{name}': '{cells[k].strip()}' is not a number")
    try:
        array = np.fromiter(map(float, cells), np.float64, len(cells))
    except ValueError:
        array = None
    if array is not None:
        bad = np.flatnonzero(~np.isfinite(array))
        if not len(bad):
            return array
        k = int(bad[0])
        raise GradValueError(f"{where(k)}, column '{name}': '{cells[k].strip()}' is not a finite number")
    for k, cell in enumerate(cells):
        try:
            float(cell)
        except ValueError:
            what = f"'{cell.strip()}' is not a number" if cell.strip() else "the value is empty"
            raise GradValueError(f"{where(k)}, column '{name}': {what}") from None
    raise AssertionError("unreachable: a cell failed to convert, then did not")


def _csv(text: str, needed: list[str], source: str) -> Dataset:
    def blank(row):
        return not row or (len(row) == 1 and not row[0].strip())

    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline="")) if not blank(row)]
    except csv.Error as exc:
        raise GradValueError(f"{source} is not valid CSV: {exc}") from None
    if not rows:
        raise GradValueError(f"{source} is empty: it needs a header row and rows of data")
    header = [h.strip() for h in rows[0]]
    del rows[0]
    if not rows:
        raise GradValueError(f"{source} has a header but no rows of data")
    seen = set()
    for h in header:
        if h in seen and h in needed:
            raise GradValueError(f"{source}: the column '{h}' appears twice in the header")
        seen.add(h)
    missing = [n for n in needed if n not in header]
    if missing:
        raise missing_columns(source, missing, header)

    def where(k: int) -> str:
        return f"{source}, line {_csv_line(text, k, blank)} (row {k + 1})"

    width = len(header)
    if any(len(row) != width for row in rows):
        k = next(k for k, row in enumerate(rows) if len(row) != width)
        raise GradValueError(f"{where(k)}: {len(rows[k])} values, but the header has {width} columns")
    columns = {}
    for name in needed:
        col = header.index(name)
        columns[name] = _numbers(source, name, [row[col] for row in rows], where)
    return Dataset(source, columns, len(rows))


def _csv_line(text: str, k: int, blank) -> int:
    """The line on which data row k (0-based) ends (only computed for a message)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    seen = -1  # the header is not a data row
    for row in reader:
        if blank(row):
            continue
        if seen == k:
            return reader.line_num
        seen += 1
    return reader.line_num


def _jsonl(text: str, needed: list[str], source: str) -> Dataset:
    cells: dict[str, list] = {n: [] for n in needed}
    keys: dict[str, None] = {}
    row = 0
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        row += 1
        where = f"{source}, line {lineno} (row {row})"
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise GradValueError(f"{where}: not valid JSON ({getattr(exc, 'msg', exc)})") from None
        if not isinstance(obj, dict):
            raise GradValueError(f"{where}: each line must be a JSON object such as "
                                 '{"x": 1, "y": 2}')
        if row == 1:
            keys = dict.fromkeys(obj)
            missing = [n for n in needed if n not in obj]
            if missing:
                raise missing_columns(source, missing, list(keys))
        for name in needed:
            if name not in obj:
                raise GradValueError(f"{where}: no value for the column '{name}'")
            value = obj[name]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise GradValueError(f"{where}, column '{name}': {json.dumps(value)} is not a number")
            try:
                value = float(value)
            except OverflowError:
                value = math.inf
            if not math.isfinite(value):
                raise GradValueError(f"{where}, column '{name}': {json.dumps(obj[name])} "
                                     "is not a finite number")
            cells[name].append(value)
    if row == 0:
        raise GradValueError(f"{source} is empty: it needs one JSON object per line")
    columns = {n: np.array(v, dtype=np.float64) for n, v in cells.items()}
    return Dataset(source, columns, row)
