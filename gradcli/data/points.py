"""Reading points for `--batch`: JSON Lines or CSV, in chunks of rows.

A chunk is up to CHUNK_ROWS points with their line numbers in the file; a
line that cannot be read (bad JSON, not an object, a CSV row of the wrong
width) becomes an error for that point only. Values stay raw here (numbers or
text); `batch.py` turns them into columns. Blank lines are skipped.

JSON is the slow part of a batch, so a chunk of well-behaved lines (each one
flat object `{...}` on its own line) is parsed with a single `json.loads` of
the lines joined into an array; anything else falls back to one line at a time.
A CSV chunk of plain numbers is read by NumPy's loadtxt into a table of floats
(the cells' own text is split only if asked for); any other, cell by cell. From a
big regular file, a forked helper parses every other chunk or so (csv_ahead.py).
"""

from __future__ import annotations

import collections
import csv
import io
import itertools
import json
import sys
from typing import Iterator, Mapping

from gradcli.data import files, formats
from gradcli.errors import GradcliError, GradUsageError, GradValueError

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
    """Points read from CSV: text cells under a header, row after row in one flat list.

    A chunk of plain numbers also has them as a table (rows × width finite floats, read
    by NumPy's loadtxt); then its text is split into cells only if someone asks.
    """

    def __init__(self, header: dict[str, int], width: int, cells: list[str] | str, lines: list[int],
                 errors=None, table=None):
        super().__init__([], lines, errors)
        self.header, self.width, self.table = header, width, table
        self._cells = cells  # or the text of rows of exactly width cells, not split yet

    @property
    def lines(self) -> list[int]:
        if isinstance(self._lines, range):  # (a list of 16,384 numbers costs a read 3%)
            self._lines = list(self._lines)
        return self._lines

    @lines.setter
    def lines(self, lines) -> None:
        self._lines = lines

    @property
    def cells(self) -> list[str]:
        if isinstance(self._cells, str):
            text = self._cells[:-1] if self._cells.endswith("\n") else self._cells
            self._cells = text.replace("\n", ",").split(",")
        return self._cells

    def __len__(self) -> int:
        return len(self._lines)

    def has(self, name: str) -> bool:
        return name in self.header

    def column(self, name: str) -> list:
        return self.cells[self.header[name]::self.width]

    def floats(self, name: str):
        """The column as finite floats when the chunk is a table of numbers, else None."""
        if self.table is None:
            return None
        return self.table[:, self.header[name]].copy()  # contiguous

    def point(self, i: int) -> dict:
        row = self.cells[i * self.width:(i + 1) * self.width]
        return {name: row[k] for name, k in self.header.items() if row[k].strip()}


MiB = 1024 * 1024
# One line of a batch (one point) may hold at most this many bytes: a file without line
# breaks (/dev/zero through a pipe) is refused instead of filling the memory. A chunk
# stops early past CHUNK_BYTES, so long lines do not make a chunk huge either.
MAX_LINE_BYTES = 1 * MiB
CHUNK_BYTES = 16 * MiB


# Read this much at a time.
BLOCK_BYTES = 1 * MiB


class Source:
    """A batch input: whole lines of bytes, each bounded, decoded a chunk at a time.

    The stream is read in blocks and cut at line ends found by NumPy, never a line at a
    time in Python. Decoding a chunk at once (not a line at once) keeps reading fast;
    when it fails, the bad line is found in the chunk for the message.
    """

    def __init__(self, stream, name: str):
        self.stream, self.name = stream, name
        self._buf = None  # read, not handed out yet from _pos on: bytes (str for a text stream)
        self._pos = 0     # always at a line start
        self.read = 0  # lines handed out so far
        self._bom = True
        self._line_bytes = 0.0  # the mean length of the lines last handed out

    def close(self) -> None:
        self.stream.close()

    def _fill(self) -> bool:
        """One more block onto what is left of the buffer; False at the end of the input."""
        block = self.stream.read(BLOCK_BYTES)
        if self._buf is None:
            self._buf = block[:0]
            if isinstance(block, bytes):
                files.refuse_utf16(block, self.name)
        self._buf, self._pos = self._buf[self._pos:] + block, 0
        return bool(block)

    def peek(self) -> str:
        """The first line that is not blank (or ""), decoded loosely; it is read again later."""
        if self._buf is None:
            self._fill()
        nl = "\n" if isinstance(self._buf, str) else b"\n"
        start, skipped = self._pos, 0
        while True:
            end = self._buf.find(nl, start)
            if end < 0:
                cut = self._pos
                if len(self._buf) - start <= MAX_LINE_BYTES and self._fill():
                    start -= cut  # the buffer now starts where it was cut
                    continue
                line = self._buf[start:]
                break
            line = self._buf[start:end + 1]
            if line.strip() or skipped >= 1000 or len(line) > MAX_LINE_BYTES:
                break
            start, skipped = end + 1, skipped + 1
        return line.decode("utf-8", "replace") if isinstance(line, bytes) else line

    def take(self, rows: int) -> tuple[str, int]:
        """Up to `rows` more lines as one text ("" at the end), and the number of the first."""
        text, first, _ = self.take_counted(rows)
        return text, first

    def take_counted(self, rows: int) -> tuple[str, int, int]:
        """take, and how many lines the text holds."""
        if self._buf is None:
            self._fill()
        parts: list = []
        got = size = 0
        while got < rows and size < CHUNK_BYTES:
            buf, pos = self._buf, self._pos
            lines, last = _line_ends(buf, pos, rows - got, self._line_bytes)
            if not lines:  # a line not ended yet: read on
                if len(buf) - pos > MAX_LINE_BYTES:
                    raise self._too_long(got)
                if not self._fill():  # the end; the last line may lack its line end
                    if self._buf:
                        parts.append(self._buf)
                        got += 1
                        self._buf = self._buf[:0]
                    break
                continue
            end = last + 1
            if end - pos > MAX_LINE_BYTES:  # (else no line in it can be that long)
                longer = _first_long_line(buf, pos, last)
                if longer is not None:
                    raise self._too_long(got + longer)
            parts.append(buf[pos:end])
            self._line_bytes = (end - pos) / lines
            self._pos = end
            got += lines
            size += end - pos
        first = self.read + 1
        self.read += got
        if not parts:
            return "", first, 0
        joined = parts[0] if len(parts) == 1 else parts[0][:0].join(parts)
        text = joined if isinstance(joined, str) else self._decode(joined, first)
        if self._bom:
            text, self._bom = text.removeprefix("\ufeff"), False
        return (text.replace("\r\n", "\n") if "\r" in text else text), first, got

    def _too_long(self, k: int) -> GradUsageError:
        """The error for the line k lines past those handed out."""
        return GradUsageError(f"cannot read {self.name}: line {self.read + k + 1} is longer than "
                              f"the limit of {MAX_LINE_BYTES // MiB} MiB for one line")

    def _decode(self, raw: bytes, first: int) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = first + raw.count(b"\n", 0, exc.start)
            raise GradUsageError(f"cannot read {self.name}: line {line} is not UTF-8 text "
                                 "(is it a binary file?)") from None


def _line_ends(buf, pos: int, k: int, line_bytes: float = 0.0) -> tuple[int, int]:
    """How many of the next (up to) k lines from pos end in buf, and where the last of them
    ends (the index of its line end; -1 for none).

    line_bytes, the mean length of the lines before, says how far the k lines likely
    reach: the line ends a little short of that are only counted (NumPy's count is four
    times faster than listing them), and the few left are looked for just past it. When
    the guess is wrong, the rest of the buffer is searched.
    """
    if k <= 64 or isinstance(buf, str):  # a few lines (a header, a quoted cell), or text from Python
        nl = "\n" if isinstance(buf, str) else b"\n"
        got, last = 0, -1
        end = buf.find(nl, pos)
        while end >= 0:
            got, last = got + 1, end
            if got == k:
                break
            end = buf.find(nl, end + 1)
        return got, last
    import numpy as np  # batch.py's already

    stop = len(buf)
    if pos >= stop:
        return 0, -1
    reach = min(stop, pos + int(k * line_bytes * 0.97))
    if line_bytes and reach > pos:
        counted = int(np.count_nonzero(np.frombuffer(buf, np.uint8, reach - pos, pos) == 10))
        if 0 < counted <= k:
            if counted == k:
                return k, buf.rfind(b"\n", pos, reach)
            past = min(stop, reach + int((k - counted) * line_bytes * 2) + 4096)
            more = np.flatnonzero(np.frombuffer(buf, np.uint8, past - reach, reach) == 10)
            if len(more) >= k - counted:
                return k, reach + int(more[k - counted - 1])
            if past == stop:
                last = reach + int(more[-1]) if len(more) else buf.rfind(b"\n", pos, reach)
                return counted + len(more), last
    ends = np.flatnonzero(np.frombuffer(buf, np.uint8, stop - pos, pos) == 10)[:k]
    return len(ends), (pos + int(ends[-1]) if len(ends) else -1)


def _first_long_line(buf, pos: int, end: int) -> int | None:
    """Which of the lines from pos to end (a line end) is the first longer than the limit."""
    if isinstance(buf, str):
        ends = [j for j, c in enumerate(buf[pos:end + 1], pos) if c == "\n"]
    else:
        import numpy as np

        ends = np.flatnonzero(np.frombuffer(buf, np.uint8, end + 1 - pos, pos) == 10) + pos
    starts = [pos - 1] + list(ends[:-1])
    return next((j for j, (a, b) in enumerate(zip(starts, ends)) if b - a > MAX_LINE_BYTES), None)


def open_points(path: str):
    """The input and the format ('jsonl', 'csv' or None: tell by content) of a batch file."""
    if path == "-":
        return Source(getattr(sys.stdin, "buffer", sys.stdin), "standard input"), None
    name = f"the batch file '{path}'"
    files.refuse_device(path, "the batch file")  # /dev/zero would never end
    try:
        stream = open(path, "rb")
    except OSError as exc:
        raise GradUsageError(f"cannot read {name}: {exc.strerror or exc}") from None
    return Source(stream, name), formats.by_extension(path)


def read_chunks(stream, fmt: str | None, size: int | None = None) -> Iterator[Chunk]:
    """The points of an input (a Source, or any stream), chunk by chunk; fmt None: look."""
    size = size or CHUNK_ROWS
    src = stream if isinstance(stream, Source) else Source(stream, "the batch input")
    if fmt is None:
        fmt = formats.by_first_line(src.peek())
    if fmt == "csv":
        yield from _csv_chunks(src, size)
    else:
        yield from _jsonl_chunks(src, size)


def _jsonl_chunks(src: Source, size: int) -> Iterator[Chunk]:
    opening = src.peek().strip()
    if opening in ("[", "{"):   # one document over many lines: every line would fail
        raise GradUsageError(f"cannot read {src.name}: {formats.json_document(opening)}")
    while True:
        text, first = src.take(size)
        if not text:
            return
        yield _jsonl_chunk(text, first)


def _jsonl_chunk(text: str, first: int) -> Chunk:
    body = text[:-1] if text.endswith("\n") else text
    n = body.count("\n") + 1
    # Each line one flat object: exactly n '{' and n '}', every line opening with
    # one and closing with the other. Then no value can span two lines, and the
    # array of the joined lines holds exactly one object per line.
    if (body.count("{") == n and body.count("}") == n and ("\n" + body).count("\n{") == n
            and (body + "\n").count("}\n") == n):
        try:
            rows = json.loads("[" + body.replace("\n", ",") + "]")
        except (ValueError, RecursionError):
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
        except RecursionError:
            errors[len(rows)] = GradValueError(
                f"line {first + k} is not valid JSON here: arrays or objects nested too deeply")
            row = {}
        except ValueError as exc:
            msg = getattr(exc, "msg", str(exc))
            col = getattr(exc, "colno", None)
            where = f" at column {col}" if col else ""
            errors[len(rows)] = GradValueError(f"line {first + k} is not valid JSON: {msg}{where}")
            row = {}
        if not isinstance(row, dict):
            errors[len(rows)] = GradValueError(
                f"line {first + k} is not a JSON object of values such as {{\"x\": 1}}",
                hint=formats.json_document(line))
            row = {}
        rows.append(row)
        numbers.append(first + k)
    return Chunk(rows, numbers, errors)


def _csv_chunks(src: Source, size: int) -> Iterator[CsvChunk]:
    while True:  # the header: the first line that is not blank
        header_text, lineno = src.take(1)
        if not header_text:
            return
        if header_text.strip():
            break
    header_text = _whole_records(src, header_text)
    header = _named(src, _csv_records, header_text, lineno)[0][0]
    columns: dict[str, int] = {}
    for k, name in enumerate(header):
        name = name.strip().lstrip("\ufeff")
        if not name:
            continue
        if name in columns:
            raise GradValueError(f"the CSV header names the column '{name}' twice")
        columns[name] = k
    width = len(header)
    helper = None
    if isinstance(src.stream, io.BufferedReader):
        from gradcli.data import csv_ahead  # imports NumPy: only a batch from a file gets here

        if csv_ahead.worth(src.stream):
            try:
                helper = csv_ahead.Helper(width, _table_bytes)
            except OSError:  # no fork or no shared memory to be had (limits): read alone
                helper = None
    try:
        texts = _csv_texts(src, size) if helper is None else _csv_texts_ahead(src, size, width, helper)
        for text, first, n, table in texts:
            chunk = _named(src, _csv_chunk, columns, width, text, first, n, table)
            if len(chunk):
                yield chunk
    finally:
        if helper is not None:
            helper.close()


# The table of a chunk nobody tried to read as a table yet: _csv_chunk will.
_UNREAD = object()


def _csv_text(src: Source, size: int) -> list | None:
    """The next chunk's [text, first line, lines or None, _UNREAD]; None at the end."""
    text, first, n = src.take_counted(size)
    if not text:
        return None
    whole = _whole_records(src, text)
    return [whole, first, n if whole is text else None, _UNREAD]


def _csv_texts(src: Source, size: int) -> Iterator[list]:
    while (item := _csv_text(src, size)) is not None:
        yield item


def _csv_texts_ahead(src: Source, size: int, width: int, helper) -> Iterator[list]:
    """_csv_texts, with tables read already (None: none, read the chunk cell by cell).

    A chunk of plain numbers goes to the helper (csv_ahead.py) whenever it has room, and is
    parsed here while the helper is still busy with the oldest chunk waiting; the queue
    keeps the order.
    """
    queue: collections.deque = collections.deque()  # items; the helper's have it as their table
    ended = False
    while True:
        # Cut another chunk while the helper has room, when there is none to give out, and
        # while the helper is still on the one to give out next (unless two wait already).
        if not ended and (helper.free or not queue or (len(queue) < 4 and queue[0][3] is helper
                                                       and not helper.ready())):
            item = _csv_text(src, size)
            if item is None:
                ended = True
                continue
            text, _, n, _ = item
            if n is not None and '"' not in text and text.isascii():
                if helper.free and helper.send(text.encode("ascii"), n):
                    item[3] = helper
                elif helper.busy:  # the helper is on earlier chunks: this one is read here
                    item[3] = _table(text, n, width)
            queue.append(item)
            continue
        if not queue:
            return
        item = queue.popleft()
        if item[3] is helper:
            table = helper.result()
            item[3] = _UNREAD if table is False else table  # False: the helper died
        yield item


def _whole_records(src: Source, text: str) -> str:
    """text, and more lines while a quoted cell is still open (odd '"' count), up to
    the limit of one line: csv then says whether a quote was left open."""
    more = 0
    while '"' in text and text.count('"') % 2 and more <= MAX_LINE_BYTES:
        line, _ = src.take(1)
        if not line:
            break
        text += line
        more += len(line)
    return text


def _named(src: Source, read, *args):
    """read(*args), its errors naming the file ('the batch file 'q.csv'') where csv's
    reading says "the CSV input"."""
    try:
        return read(*args)
    except GradValueError as exc:
        if "of the CSV input" in exc.message:
            exc.message = exc.message.replace("of the CSV input", f"of {src.name}", 1)
        raise


def _csv_records(text: str, first: int) -> tuple[list[list[str]], list[int]]:
    """csv's own reading of text: the records and the line each one ends on."""
    reader = csv.reader(io.StringIO(text), strict=True)
    records, numbers = [], []
    try:
        for record in reader:
            records.append(record)
            numbers.append(first + reader.line_num - 1)
    except csv.Error as exc:
        opened = numbers[-1] + 1 if numbers else first
        if "end of data" in str(exc):
            raise GradValueError(f"line {opened} of the CSV input opens a quoted cell that is "
                                 "never closed") from None
        raise GradValueError(f"line {first + reader.line_num - 1} of the CSV input cannot be read: "
                             f"{exc}") from None
    return records, numbers


def _csv_chunk(header: dict[str, int], width: int, text: str, first: int,
               n: int | None = None, table=_UNREAD) -> CsvChunk:
    """The points of text, whose first line is line first of the input (and which holds n
    lines, when the caller has counted them; and whose table was read already unless
    _UNREAD)."""
    if '"' not in text:
        # Plain numbers, a row of width on every line: a table read at C speed.
        if n is None:
            n = text.count("\n") + (not text.endswith("\n"))
        if table is _UNREAD:
            table = _table(text, n, width)
        if table is not None:
            return CsvChunk(header, width, text, range(first, first + n), table=table)
        body = text[:-1] if text.endswith("\n") else text
        # Without quotes, a line with exactly width-1 commas is a record of width cells:
        # split the whole chunk at once.
        if width > 1 and set(map(str.count, body.split("\n"), itertools.repeat(","))) == {width - 1}:
            return CsvChunk(header, width, body, range(first, first + n))
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


# Printable ASCII but the double quote, and tabs: loadtxt strips control characters such
# as \x1c around a number where float() refuses them (the same rule as dataset.py's).
_PLAIN = bytes(range(32, 127)).replace(b'"', b"") + b"\t\n"


def _table(body: str, rows: int, width: int):
    """The chunk's cells as rows × width finite floats, when loadtxt reads them all; else None.

    loadtxt converts a cell with the parser float() uses, and takes no cell float() refuses
    once underscores, non-ASCII characters and control characters are ruled out (here:
    tests/test_fast_read_batch.py compares the two); an empty cell (a point's absent value),
    text, nan or inf go to the cell-by-cell rules.
    """
    if not body.isascii():
        return None
    return _table_bytes(body.encode("ascii"), rows, width)


def _table_bytes(data: bytes, rows: int, width: int):
    """_table of the chunk's bytes (ASCII: anything else is refused)."""
    if b"_" in data or not data.strip():  # (empty: loadtxt would warn)
        return None
    if data.translate(None, _PLAIN):
        return None
    import numpy as np  # batch.py's already; a one-shot command never reads points

    try:
        table = np.loadtxt(io.BytesIO(data), delimiter=",", comments=None, quotechar=None,
                           dtype=np.float64, ndmin=2)
    except ValueError:
        return None
    # One row per line (loadtxt skips blank lines: they are the cell-by-cell reader's), each
    # as wide as the header (loadtxt refuses rows of changing width).
    if table.shape != (rows, width) or not np.isfinite(table).all():
        return None
    return table
