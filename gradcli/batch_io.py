"""Reading points for `--batch`: JSON Lines or CSV, in chunks of rows.

A chunk is up to CHUNK_ROWS points with their line numbers in the file; a
line that cannot be read (bad JSON, not an object, a CSV row of the wrong
width) becomes an error for that point only. Values stay raw here (numbers or
text); `batch.py` turns them into columns. Blank lines are skipped.

JSON is the slow part of a batch, so a chunk of well-behaved lines (each one
flat object `{...}` on its own line) is parsed with a single `json.loads` of
the lines joined into an array; anything else falls back to one line at a time.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import sys
from typing import Iterator, Mapping

from . import formats
from .errors import GradcliError, GradUsageError, GradValueError

# Rows per chunk: memory stays flat however long the input (about 60 MB at this size);
# 16,384 measured as fast as 65,536, at half the memory.
CHUNK_ROWS = 16384


class Chunk:
    """Points read from JSON Lines (or given from Python): one mapping per point."""

    def __init__(self, rows: list, lines: list[int], errors: dict[int, GradcliError] | None = None):
        self.rows = rows            # a mapping per point ({} where the line could not be read)
        self.lines = lines          # the line number of each point
        self.errors = errors or {}  # point index -> why it could not be read

    def __len__(self) -> int:
        return len(self.rows)

    def has(self, name: str) -> bool:
        """Whether some point carries a value for name."""
        return any(name in r for r in self.rows)

    def column(self, name: str) -> list:
        """Every point's raw value for name (None where absent)."""
        try:
            return [r[name] for r in self.rows]
        except KeyError:
            return [r.get(name) for r in self.rows]

    def point(self, i: int) -> Mapping:
        return self.rows[i]


class CsvChunk(Chunk):
    """Points read from CSV: text cells under a header, row after row in one flat list."""

    def __init__(self, header: dict[str, int], width: int, cells: list[str], lines: list[int],
                 errors=None):
        super().__init__([], lines, errors)
        self.header, self.width, self.cells = header, width, cells

    def __len__(self) -> int:
        return len(self.lines)

    def has(self, name: str) -> bool:
        return name in self.header

    def column(self, name: str) -> list:
        return self.cells[self.header[name]::self.width]

    def point(self, i: int) -> dict:
        row = self.cells[i * self.width:(i + 1) * self.width]
        return {name: row[k] for name, k in self.header.items() if row[k].strip()}


def open_points(path: str):
    """The stream and the format ('jsonl', 'csv' or None: tell by content) of a batch file."""
    if path == "-":
        return sys.stdin, None
    try:
        stream = open(path, encoding="utf-8-sig", newline=None)
    except OSError as exc:
        raise GradUsageError(f"cannot read the batch file '{path}': {exc.strerror or exc}") from None
    return stream, formats.by_extension(path)


def read_chunks(stream, fmt: str | None, size: int | None = None) -> Iterator[Chunk]:
    """The points of a stream, chunk by chunk; fmt None means: look at the first line."""
    size = size or CHUNK_ROWS
    lines = iter(stream)
    if fmt is None:
        head = []
        for line in lines:
            head.append(line)
            if line.strip():
                break
        if head:
            head[0] = head[0].lstrip("\ufeff")  # a byte-order mark on stdin
        fmt = formats.by_first_line(head[-1]) if head else "csv"
        lines = itertools.chain(head, lines)
    try:
        if fmt == "csv":
            yield from _csv_chunks(lines, size)
        else:
            yield from _jsonl_chunks(lines, size)
    except UnicodeDecodeError as exc:
        raise GradUsageError(f"cannot read the batch input: it is not UTF-8 text ({exc.reason})") from None


def _jsonl_chunks(lines, size: int) -> Iterator[Chunk]:
    first = 1
    while True:
        raw = list(itertools.islice(lines, size))
        if not raw:
            return
        yield _jsonl_chunk(raw, first)
        first += len(raw)


def _jsonl_chunk(raw: list[str], first: int) -> Chunk:
    text = "".join(raw)
    body = text[:-1] if text.endswith("\n") else text
    n = len(raw)
    # Each line one flat object: exactly n '{' and n '}', every line opening with
    # one and closing with the other. Then no value can span two lines, and the
    # array of the joined lines holds exactly one object per line.
    if (body.count("{") == n and body.count("}") == n and ("\n" + body).count("\n{") == n
            and (body + "\n").count("}\n") == n):
        try:
            rows = json.loads("[" + body.replace("\n", ",") + "]")
        except ValueError:
            rows = None
        if rows is not None and len(rows) == n:
            return Chunk(rows, list(range(first, first + n)))
    return _jsonl_slow(body.split("\n"), first)


def _jsonl_slow(lines: list[str], first: int) -> Chunk:
    rows, numbers, errors = [], [], {}
    for k, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            msg = getattr(exc, "msg", str(exc))
            col = getattr(exc, "colno", None)
            where = f" at column {col}" if col else ""
            errors[len(rows)] = GradValueError(f"line {first + k} is not valid JSON: {msg}{where}")
            row = {}
        if not isinstance(row, dict):
            errors[len(rows)] = GradValueError(
                f"line {first + k} is not a JSON object of values such as {{\"x\": 1}}")
            row = {}
        rows.append(row)
        numbers.append(first + k)
    return Chunk(rows, numbers, errors)


def _csv_chunks(lines, size: int) -> Iterator[CsvChunk]:
    lineno = 0
    header_text = ""
    for line in lines:  # the header: the first line that is not blank
        lineno += 1
        if line.strip():
            header_text, lineno = _whole_records([line], lines, lineno)
            break
    if not header_text:
        return
    header = _csv_records(header_text, lineno)[0][0]
    columns: dict[str, int] = {}
    for k, name in enumerate(header):
        name = name.strip().lstrip("\ufeff")
        if not name:
            continue
        if name in columns:
            raise GradValueError(f"the CSV header names the column '{name}' twice")
        columns[name] = k
    while True:
        raw = list(itertools.islice(lines, size))
        if not raw:
            return
        first = lineno + 1
        text, lineno = _whole_records(raw, lines, lineno + len(raw))
        chunk = _csv_chunk(columns, len(header), text, first)
        if len(chunk):
            yield chunk


def _whole_records(raw: list[str], lines, lineno: int) -> tuple[str, int]:
    """The lines joined, and more lines while a quoted cell is still open (odd '"' count)."""
    text = "".join(raw)
    while text.count('"') % 2:
        more = next(lines, None)
        if more is None:
            break
        text += more
        lineno += 1
    return text, lineno


def _csv_records(text: str, first: int) -> tuple[list[list[str]], list[int]]:
    """csv's own reading of text: the records and the line each one ends on."""
    reader = csv.reader(io.StringIO(text))
    records, numbers = [], []
    try:
        for record in reader:
            records.append(record)
            numbers.append(first + reader.line_num - 1)
    except csv.Error as exc:
        raise GradValueError(f"line {first + reader.line_num - 1} of the CSV input cannot be read: "
                             f"{exc}") from None
    return records, numbers


def _csv_chunk(header: dict[str, int], width: int, text: str, first: int) -> CsvChunk:
    body = text[:-1] if text.endswith("\n") else text
    rows = body.split("\n")
    # Without quotes, a line with exactly width-1 commas is a record of width cells:
    # split the whole chunk at once.
    if width > 1 and '"' not in body and set(map(str.count, rows, itertools.repeat(","))) == {width - 1}:
        cells = body.replace("\n", ",").split(",")
        return CsvChunk(header, width, cells, list(range(first, first + len(rows))))
    cells, numbers, errors = [], [], {}
    records, ends = _csv_records(text, first)
    for record, line in zip(records, ends):
        if not record or (len(record) == 1 and not record[0].strip()):
            continue  # a blank line
        if len(record) != width:
            errors[len(numbers)] = GradValueError(
                f"line {line} has {len(record)} cells; the header has {width}")
            record = [""] * width
        cells += record
        numbers.append(line)
    return CsvChunk(header, width, cells, numbers, errors)
