"""--batch input: lines cut from blocks, and chunks of plain numbers read as one table.

Two oracles, both independent of the fast code:
- the lines of the input as a plain split at b"\\n" numbers them, with the documented
  limits (a line longer than MAX_LINE_BYTES is refused, naming it; invalid UTF-8 names
  its line), for Source.take over random inputs, block sizes and chunk sizes;
- the cell-by-cell reading (float() on each cell, then the one-point rules for the odd
  ones), for the columns and errors of a CSV chunk read through loadtxt's table.
"""

from __future__ import annotations

import io
import random
import re

import pytest

from gradcli.data import points as batch_io
from gradcli.errors import GradUsageError
from gradcli.homework.batch import Batch


def _expected_takes(data: bytes, sizes: list[int], limit: int):
    """What take(size) after take(size)... hands out, by a plain split; or the error line."""
    lines = re.findall(rb"[^\n]*\n|[^\n]+$", data)
    out, at = [], 0
    for size in sizes:
        part = lines[at:at + size]
        for k, line in enumerate(part):
            if len(line) > limit:
                return out, ("long", at + k + 1)
        raw = b"".join(part)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return out, ("utf8", at + 1 + raw.count(b"\n", 0, exc.start))
        if at == 0:
            text = text.removeprefix("\ufeff")
        out.append((text.replace("\r\n", "\n"), at + 1 if part else at + 1))
        at += len(part)
    return out, None


def _random_input(rng: random.Random) -> bytes:
    lines = []
    for _ in range(rng.randint(0, 60)):
        kind = rng.random()
        if kind < 0.1:
            line = b""
        elif kind < 0.15:
            line = b"x" * rng.randint(30, 90)  # near and over a limit of 50
        elif kind < 0.18:
            line = "é,ü".encode()
        elif kind < 0.2:
            line = b"\xff\xfe"  # not UTF-8
        else:
            line = ",".join(str(rng.randint(-99, 99)) for _ in range(rng.randint(1, 4))).encode()
        lines.append(line + rng.choice([b"\n", b"\n", b"\r\n"]))
    data = b"".join(lines)
    if rng.random() < 0.3:
        data = data.rstrip(b"\n")  # no line end at the end
    if rng.random() < 0.2:
        data = b"\xef\xbb\xbf" + data
    return data


@pytest.mark.parametrize("block", [1, 7, 64, 4096])
def test_take_cuts_lines_as_a_plain_split_does(monkeypatch, block):
    limit = 50
    monkeypatch.setattr(batch_io, "MAX_LINE_BYTES", limit)
    monkeypatch.setattr(batch_io, "BLOCK_BYTES", block)
    rng = random.Random(block)
    refused = 0
    for _ in range(300):
        data = _random_input(rng)
        sizes = [rng.choice([1, 2, 3, 5, 16, 100]) for _ in range(30)]
        expected, error = _expected_takes(data, sizes, limit)
        src = batch_io.Source(io.BytesIO(data), "the input")
        got = []
        try:
            for size in sizes:
                got.append(src.take(size))
        except GradUsageError as exc:
            assert error is not None, (data, exc.message)
            kind, line = error
            what = "is longer than the limit" if kind == "long" else "is not UTF-8 text"
            assert f"cannot read the input: line {line} {what}" in exc.message, (data, exc.message)
            refused += 1
        else:
            assert error is None, (data, error)
        assert got == expected[:len(got)], data
    assert refused > 30


def test_peek_then_take_from_a_text_stream(monkeypatch):
    monkeypatch.setattr(batch_io, "BLOCK_BYTES", 5)
    src = batch_io.Source(io.StringIO("\n  \n\ufeffx,y\n1,2\n3,4"), "text")
    assert src.peek() == "\ufeffx,y\n"
    assert src.take(3) == ("\n  \n\ufeffx,y\n".removeprefix("\ufeff"), 1)
    assert src.take(5) == ("1,2\n3,4", 4)
    assert src.take(5) == ("", 6)


def test_peek_is_bounded_on_an_input_without_line_ends(monkeypatch):
    monkeypatch.setattr(batch_io, "MAX_LINE_BYTES", 1000)
    endless = io.BytesIO(b"0" * 10 ** 6)
    src = batch_io.Source(endless, "the input")
    assert src.peek().startswith("0")
    assert endless.tell() <= 1000 + batch_io.BLOCK_BYTES  # it stopped reading
    with pytest.raises(GradUsageError, match="line 1 is longer than the limit"):
        src.take(10)


CELLS = ["1", "-2.5", " 3 ", "\t4\t", "1e5", "+.5", "5.", "0", "-0", "1e-400", "1e400", "nan",
         "-inf", "Infinity", "1_0", "\uff11", "", " ", "1e", ".", "-", "1 2", "abc", "0x10",
         "\x1c1", "1\x0b", "12345678901234567890", "9" * 400]
PLAIN = ["1", "-2.5", "1e5", "0.1", "-7", "3.25e-2", "0.1257302210933933"]


def _random_csv(rng: random.Random) -> str:
    width = rng.choice([1, 2, 3])
    header = ["x", "y", "note"][:width]
    lines = [",".join(header)]
    odd = rng.random() < 0.6
    for _ in range(rng.randint(1, 40)):
        cells = [rng.choice(CELLS if odd and rng.random() < 0.1 else PLAIN) for _ in range(width)]
        if odd and rng.random() < 0.05:
            cells.append("1")
        if odd and rng.random() < 0.05:
            cells = cells[:-1]
        lines.append(",".join(cells))
        if odd and rng.random() < 0.05:
            lines.append(rng.choice(["", "  "]))
    end = rng.choice(["\n", "\r\n"])
    return end.join(lines) + rng.choice([end, ""])


def _read_all(batch: Batch, text: str, size: int):
    """Every chunk's columns and error messages, and whether any chunk came as a table."""
    out, tables = [], 0
    try:
        for chunk in batch_io.read_chunks(io.BytesIO(text.encode()), "csv", size):
            tables += chunk.table is not None
            cols, errors = batch.columns(chunk)
            out.append((chunk.lines, {k: (v.tobytes() if hasattr(v, "tobytes") else v)
                                      for k, v in cols.items()},
                        {i: str(e) for i, e in errors.items()}))
    except Exception as exc:  # a usage or name error for the whole input
        out.append(("error", type(exc).__name__, str(exc)))
    return out, tables


def test_a_chunk_read_as_a_table_gives_the_cell_by_cell_columns(monkeypatch):
    rng = random.Random(16)
    batch = Batch("x*y", {"y": 2.0}, ["x"])
    tables = compared = 0
    for _ in range(600):
        text = _random_csv(rng)
        size = rng.choice([3, 7, 1000])
        fast, n = _read_all(batch, text, size)
        with monkeypatch.context() as m:
            m.setattr(batch_io, "_table", lambda body, rows, width: None)
            slow, _ = _read_all(batch, text, size)
        assert fast == slow, text
        tables += n
        compared += 1
    assert tables > 300  # the table path was really taken


def test_a_table_chunk_still_gives_its_cells():
    chunk = next(batch_io.read_chunks(io.BytesIO(b"x,y\n1,2.5\n-3,4e1\n"), "csv"))
    assert chunk.table is not None
    assert chunk.floats("y").tolist() == [2.5, 40.0]
    assert chunk.column("x") == ["1", "-3"] and chunk.point(1) == {"x": "-3", "y": "4e1"}
