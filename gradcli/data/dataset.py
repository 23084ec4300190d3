"""Training data: a CSV file with a header row, or JSON Lines; `-` is standard input.

The format comes from the extension (`.csv`, `.jsonl`); for `-` and any
other name, from the content (a first line that starts with `{` is JSON
Lines). Only the columns the program needs are read as numbers; the others
are ignored, so a file may carry labels or notes. Every problem is a value
error that names the file, the line, the row and the column, found before
training starts: nothing is trained on half-read data.

Rows are counted from 1 without the header (CSV) and without blank lines;
lines as an editor numbers them.

Reading is fast and checking strict: a plain file (CSV of ASCII numbers without
quotes; JSON Lines of flat objects) is read at C speed by NumPy's `loadtxt` or one
`json.loads`, and those readers take no cell that the strict reader below would
refuse (tests/test_data_fast_read.py compares the two). Anything else, and any
file on which the fast read fails, goes through the strict reader, which finds
the first bad cell and names its line.
"""

from __future__ import annotations

import io
import json
import math
import os
import warnings
from itertools import repeat
from operator import itemgetter
from typing import Iterable, Mapping

import numpy as np

from gradcli.data import files, formats, parallel_csv
from gradcli.errors import GradUsageError, GradValueError
from gradcli.data.formats import shown


class Dataset:
    """Named float64 columns of equal length.

    A plain class, not a dataclass: making one costs a one-shot `train` half a millisecond.
    """

    __slots__ = ("source", "columns", "rows", "names", "_lines_of")

    def __init__(self, source: str, columns: dict[str, np.ndarray], rows: int,
                 names: list[str] | None = None, lines_of=None):
        self.source = source    # how messages name it: the file name, or "standard input"
        self.columns = columns
        self.rows = rows
        # every column the file has, read or not (a --param of the same name is a mistake)
        self.names = list(columns) if names is None else names
        self._lines_of = lines_of   # () -> the file line each row ends on (for messages only)

    def where(self, k: int) -> str:
        """Row k (0-based) as a message names it: the file's line, as the readers do."""
        line = None
        if self._lines_of is not None:
            try:
                lines = self._lines_of()
            except (GradValueError, GradUsageError, ValueError):
                lines = []   # the file changed or went since it was read: the row alone
            line = lines[k] if k < len(lines) else None
        return f"{self.source}, row {k + 1}" if line is None else f"{self.source}, line {line} (row {k + 1})"

    def __repr__(self) -> str:
        return f"Dataset({self.source!r}, columns {list(self.columns)}, {self.rows} rows)"

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
    raw = files.read_bytes(path, "the data file")
    files.refuse_utf16(raw, source if path == "-" else f"the data file '{path}'")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a byte-order mark
    kind = formats.by_extension(path) or formats.by_first_line(raw.lstrip()[:1].decode("latin-1"))
    if kind == "csv":
        got = _csv_fast(raw, needed, source, path) or _csv(_decode(raw, path), needed, source)
    else:
        text = _decode(raw, path)
        got = _jsonl_fast(text, needed, source) or _jsonl(text, needed, source)
    got._lines_of = _row_lines(path, raw if path == "-" else None, kind)
    return got


def _row_lines(path: str, raw: bytes | None, kind: str):
    """() -> the line each data row ends on: a named file is read again, standard input
    is kept (a message after training started needs it: a bad class index)."""
    def lines_of() -> list[int]:
        data = raw if raw is not None else files.read_bytes(path, "the data file")
        text = _decode(data[3:] if data.startswith(b"\xef\xbb\xbf") else data, path)
        if kind == "csv":
            reader, out = _reader(text), []
            for row in reader:
                if not _blank(row):
                    out.append(reader.line_num)
            return out[1:]   # the header is not a data row
        return [n for n, line in enumerate(_lines(text), 1) if line.strip()]

    return lines_of


def _blank(row) -> bool:
    return not row or (len(row) == 1 and not row[0].strip())


def _decode(raw: bytes, path: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GradUsageError(f"cannot read the data file '{path}': it is not UTF-8 text "
                             f"(byte {exc.start + 1})") from None


def _lines(text: str) -> list[str]:
    """The lines of text, ended by \\n, \\r\\n or \\r, as an editor numbers them."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def missing_columns(source: str, missing: list[str], have: list[str]) -> GradValueError:
    which = ", ".join(f"'{m}'" for m in missing)
    plural = "s" if len(missing) > 1 else ""
    return GradValueError(
        f"{source} has no column{plural} {which} (it has {formats.columns_text(have)})",
        hint=formats.separator_hint(have) or formats.case_hint(missing, have)
        or "an input that is not a --param and has no value on the command line must be a "
           "column of the data")


def _numbers(source: str, name: str, cells: list[str], where) -> np.ndarray:
    """One column's cells as float64; the first bad cell is named."""
    # float() also takes '1_0' and non-ASCII digits ('１'), which nothing else in gradcli
    # reads as numbers; one scan of the joined text keeps the common case fast.
    joined = "".join(cells)
    if "_" in joined or not joined.isascii():
        k = next(k for k, cell in enumerate(cells) if "_" in cell or not cell.isascii())
        raise GradValueError(f"{where(k)}, column '{name}': {shown(cells[k])} is not a number")
    try:
        array = np.fromiter(map(float, cells), np.float64, len(cells))
    except ValueError:
        array = None
    if array is not None:
        bad = np.flatnonzero(~np.isfinite(array))
        if not len(bad):
            return array
        k = int(bad[0])
        raise GradValueError(f"{where(k)}, column '{name}': {shown(cells[k])} is not a finite number")
    for k, cell in enumerate(cells):
        try:
            float(cell)
        except ValueError:
            what = f"{shown(cell)} is not a number" if cell.strip() else "the value is empty"
            raise GradValueError(f"{where(k)}, column '{name}': {what}") from None
    raise AssertionError("unreachable: a cell failed to convert, then did not")


# -- the fast readers: a Dataset, or None to let the strict reader decide ---------------

# Printable ASCII but the double quote, tabs and line ends: loadtxt strips control
# characters such as \\x1c around a number, float() does not; a quote is the strict
# reader's to read.
_PLAIN = bytes(range(32, 127)).replace(b'"', b"") + b"\t\n\r"


def _csv_fast(raw: bytes, needed: list[str], source: str, path: str) -> Dataset | None:
    """Plain CSV (printable ASCII, no quotes, no lone \\r) through NumPy's C reader.

    loadtxt converts a cell with the very parser float() uses, minus float()'s
    underscores and non-ASCII digits (refused here too), so what it reads the strict
    reader reads to the same double; it only ever fails more often.
    """
    if not needed:
        return None
    # A big body is read in pieces on several cores (parallel_csv.py), with loadtxt's own
    # answer or none; each piece checks its own bytes, the header's are checked here.
    pieces = parallel_csv.workers(len(raw))
    if pieces < 2 and raw.translate(None, _PLAIN):
        return None
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n")
        if b"\r" in raw:
            return None
    start = 0
    while True:  # the header: the first line that is not blank
        end = raw.find(b"\n", start)
        if end < 0:
            return None
        head = raw[start:end]
        if pieces > 1 and head.translate(None, _PLAIN):  # one piece: checked whole above
            return None
        line = head.decode("ascii")
        if line.strip():
            break
        start = end + 1
    header = [h.strip() for h in line.split(",")]
    if any(header.count(n) != 1 for n in needed):
        return None
    width, body = len(header), memoryview(raw)[end + 1:]  # not a copy of the data
    # Every column: loadtxt checks that rows are as wide.
    verdict, tables = "undecided", None
    if pieces > 1:
        verdict, tables = parallel_csv.read(raw, end + 1, width, pieces, _piece)
        if verdict == parallel_csv.OTHER or (verdict == "undecided" and raw.translate(None, _PLAIN)):
            return None
    if verdict != "undecided":
        pass
    elif path == "-":
        tables = [_loadtxt_bytes(body)]
    else:
        # It reads a named file 10% faster than the same bytes from memory (the file was
        # read whole above: no device, capped). ASCII, checked above: read as UTF-8,
        # whose codec is always loaded.
        tables = [_loadtxt(path, skiprows=raw.count(b"\n", 0, end + 1), encoding="utf-8")]
    if tables is not None and tables[0] is None:
        tables = None
    if tables is not None and tables[0].shape[1] != width:
        return None
    if tables is None and len(set(needed)) < width:
        # Some column is not numbers (labels, notes): read only the needed ones, once
        # each row is known to have `width` cells (loadtxt's usecols does not check that).
        lines = list(filter(None, str(body, "ascii").split("\n")))
        if set(map(str.count, lines, repeat(","))) != {width - 1}:
            return None
        table = _loadtxt(lines, [header.index(n) for n in needed])
        if table is None:
            return None
        tables, header = [table], needed
    rows = sum(map(len, tables or []))
    if not rows:
        return None
    # One copy: each needed column of every piece into one contiguous array.
    columns = {n: np.concatenate([t[:, header.index(n)] for t in tables]) for n in needed}
    if not all(np.isfinite(c).all() for c in columns.values()):
        return None
    return Dataset(source, columns, rows, [h.strip() for h in line.split(",")])


def _piece(piece: bytes) -> np.ndarray | None | str:
    """loadtxt on one piece of a big body (parallel_csv.read), if its bytes are plain."""
    if piece.translate(None, _PLAIN):
        return parallel_csv.OTHER
    return _loadtxt_bytes(piece)


def _loadtxt_bytes(data) -> np.ndarray | None:
    """loadtxt on ASCII bytes in memory: through an in-memory file where Linux has one,
    because loadtxt reads a named file in big chunks and any other source line by line
    (measured: 12-17% faster at 10^6 rows, writing the file included)."""
    try:
        fd = os.memfd_create("gradcli-data")
    except (AttributeError, OSError):  # not Linux
        return _loadtxt(io.BytesIO(data))
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        return _loadtxt(f"/proc/self/fd/{fd}", encoding="utf-8")
    except OSError:  # no /proc
        return _loadtxt(io.BytesIO(data))
    finally:
        os.close(fd)


def _loadtxt(lines, usecols=None, skiprows=0, encoding="ascii") -> np.ndarray | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "input contained no data"
        try:
            return np.loadtxt(lines, delimiter=",", comments=None, quotechar=None, usecols=usecols,
                              skiprows=skiprows, dtype=np.float64, ndmin=2, encoding=encoding)
        except ValueError:
            return None


def _jsonl_fast(text: str, needed: list[str], source: str) -> Dataset | None:
    """JSON Lines of flat objects, one per line, parsed by one json.loads of them all.

    Exactly n '{' and n '}' in n lines, each line opening with one and closing with
    the other: then no brace is inside a string, no object nests, and the array of
    the lines joined holds each line's own object.
    """
    lines = list(filter(None, map(str.strip, _lines(text), repeat(" \t"))))
    n = len(lines)
    body = "\n".join(lines)
    if not n or not (body.count("{") == n == body.count("}") == ("\n" + body).count("\n{")
                     == (body + "\n").count("}\n")):
        return None
    try:
        rows = json.loads("[" + body.replace("\n", ",") + "]")
    except (ValueError, RecursionError):
        return None
    if len(rows) != n:
        return None
    columns = {}
    for name in needed:
        try:
            values = list(map(itemgetter(name), rows))
        except KeyError:
            return None
        if not set(map(type, values)) <= {int, float}:  # bool, str, null: the strict reader says
            return None
        try:
            columns[name] = np.array(values, dtype=np.float64)
        except OverflowError:
            return None
        if not np.isfinite(columns[name]).all():
            return None
    return Dataset(source, columns, n, list(rows[0]))


# -- the strict readers: every problem named by line, row and column ----------------------

def _csv(text: str, needed: list[str], source: str) -> Dataset:
    blank = _blank
    rows = []
    reader = _reader(text)
    ended = 0  # the line the last whole record ended on
    try:
        for row in reader:
            if not blank(row):
                rows.append(row)
            ended = reader.line_num
    except _csv_error() as exc:
        if reader.line_num > ended and "end of data" in str(exc):
            raise GradValueError(f"{source}, line {ended + 1}: a quoted cell opened on this line "
                                 "is never closed") from None
        raise GradValueError(f"{source}, line {max(reader.line_num, 1)}: not valid CSV "
                             f"({exc})") from None
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
    return Dataset(source, columns, len(rows), header)


def _csv_error():
    import csv

    return csv.Error


def _reader(text: str):
    # strict: a quoted cell left open at the end of the file is an error, not the
    # rest of the file swallowed into one cell
    import csv  # the strict reader's only: a plain file never needs it

    return csv.reader(io.StringIO(text, newline=""), strict=True)


def _csv_line(text: str, k: int, blank) -> int:
    """The line on which data row k (0-based) ends (only computed for a message)."""
    reader = _reader(text)
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
    for lineno, line in enumerate(_lines(text), 1):
        if not line.strip():
            continue
        row += 1
        where = f"{source}, line {lineno} (row {row})"
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise GradValueError(f"{where}: not valid JSON ({getattr(exc, 'msg', exc)})",
                                 hint=formats.json_document(line) if row == 1 else None) from None
        except RecursionError:
            raise GradValueError(f"{where}: not valid JSON here (arrays or objects nested "
                                 "too deeply to read)") from None
        if not isinstance(obj, dict):
            raise GradValueError(f"{where}: each line must be a JSON object such as "
                                 '{"x": 1, "y": 2}',
                                 hint=formats.json_document(line) if row == 1 else None)
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
                raise GradValueError(f"{where}, column '{name}': {_json_shown(value)} is not a number")
            try:
                value = float(value)
            except OverflowError:
                value = math.inf
            if not math.isfinite(value):
                raise GradValueError(f"{where}, column '{name}': {_json_shown(obj[name])} "
                                     "is not a finite number")
            cells[name].append(value)
    if row == 0:
        raise GradValueError(f"{source} is empty: it needs one JSON object per line")
    columns = {n: np.array(v, dtype=np.float64) for n, v in cells.items()}
    return Dataset(source, columns, row, list(keys))


def _json_shown(value) -> str:
    """A JSON value as a message shows it: short, and never by recursing deep into it."""
    if isinstance(value, (list, dict)):
        kind = "an array" if isinstance(value, list) else "an object"
        try:
            text = json.dumps(value) if len(value) <= formats.SHOWN_CHARS else ""
        except RecursionError:
            return kind
        return text if 0 < len(text) <= formats.SHOWN_CHARS else kind
    return shown(json.dumps(value))[1:-1]
