"""--batch CSV read on two cores (csv_ahead.py), and line ends found by counting.

Oracles, independent of the fast code:
- for Source.take over many lines of changing lengths (so the guess of how far k lines
  reach is wrong both ways): a plain split at b"\\n" (test_fast_read_batch's);
- for the helper: the cell-by-cell reading of the same file (float() on each cell, the
  one-point rules for the odd ones), with no table and no helper at all.
"""

from __future__ import annotations

import os
import random

import pytest

from gradcli.data import csv_ahead
from gradcli.data import points as batch_io
from gradcli.errors import GradUsageError
from gradcli.homework.batch import Batch
from test_fast_read_batch import CELLS, PLAIN, _expected_takes


def _lines_of_changing_length(rng: random.Random) -> bytes:
    out = []
    for _ in range(rng.randint(1, 12)):  # runs of short lines, then long ones, and so on
        width = rng.choice([1, 3, 20, 200, 900])
        for _ in range(rng.randint(1, 400)):
            line = b"7" * rng.randint(0, width)
            out.append(line + rng.choice([b"\n", b"\n", b"\r\n"]))
    data = b"".join(out)
    return data.rstrip(b"\n") if rng.random() < 0.3 else data


@pytest.mark.parametrize("block", [64, 4096, 65536])
def test_take_of_many_lines_cuts_as_a_plain_split(monkeypatch, block):
    limit = 1000
    monkeypatch.setattr(batch_io, "MAX_LINE_BYTES", limit)
    monkeypatch.setattr(batch_io, "BLOCK_BYTES", block)
    rng = random.Random(block + 1)
    for _ in range(60):
        data = _lines_of_changing_length(rng)
        sizes = [rng.choice([65, 100, 301, 2000]) for _ in range(40)]
        expected, error = _expected_takes(data, sizes, limit)
        assert error is None
        src = batch_io.Source(__import__("io").BytesIO(data), "the input")
        for (text, first), size in zip(expected, sizes):
            got = src.take_counted(size)
            lines = text.count("\n") + (bool(text) and not text.endswith("\n"))
            assert got == (text, first, lines)


def test_a_line_over_the_limit_is_named_past_a_counted_stretch(monkeypatch):
    monkeypatch.setattr(batch_io, "MAX_LINE_BYTES", 1000)
    data = b"1,2\n" * 5000 + b"3" * 1500 + b"\n" + b"1,2\n" * 10
    src = batch_io.Source(__import__("io").BytesIO(data), "the input")
    src.take(2000)  # the mean line length is known: the next take counts
    with pytest.raises(GradUsageError, match="line 5001 is longer than the limit"):
        src.take(4000)


def _random_file(rng: random.Random) -> str:
    width = rng.choice([1, 2, 3])
    lines = [",".join(["x", "y", "note"][:width])]
    for _ in range(rng.randint(1, 300)):
        odd = rng.random() < 0.03
        cells = [rng.choice(CELLS if odd else PLAIN) for _ in range(width)]
        if rng.random() < 0.01:
            cells.append("1")
        if rng.random() < 0.01:
            lines.append("")
        if rng.random() < 0.01:
            cells[0] = '"1"'
        lines.append(",".join(cells))
    end = rng.choice(["\n", "\r\n"])
    return end.join(lines) + rng.choice([end, ""])


def _read_file(path, size: int):
    batch = Batch("x*y", {"y": 2.0}, ["x"])
    out = []
    src, fmt = batch_io.open_points(str(path))
    try:
        for chunk in batch_io.read_chunks(src, "csv", size):
            cols, errors = batch.columns(chunk)
            out.append((list(chunk.lines), {k: getattr(v, "tobytes", lambda: v)() for k, v in cols.items()},
                        {i: str(e) for i, e in errors.items()}))
    except Exception as exc:  # a usage or name error for the whole input
        out.append(("error", type(exc).__name__, str(exc)))
    finally:
        src.close()
    return out


@pytest.fixture
def helper_always(monkeypatch):
    """A helper for every file, and a count of the chunks it was given."""
    sent = []
    monkeypatch.setattr(csv_ahead, "worth", lambda stream: True)
    real = csv_ahead.Helper.send

    def send(self, data, rows):
        ok = real(self, data, rows)
        sent.append(ok)
        return ok

    monkeypatch.setattr(csv_ahead.Helper, "send", send)
    return sent


def _cell_by_cell(monkeypatch, path, size):
    with monkeypatch.context() as m:
        m.setattr(csv_ahead, "worth", lambda stream: False)
        m.setattr(batch_io, "_table", lambda body, rows, width: None)
        return _read_file(path, size)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the helper is forked")
def test_chunks_read_with_the_helper_are_the_cell_by_cell_reading(monkeypatch, tmp_path, helper_always):
    rng = random.Random(9)
    for k in range(60):
        path = tmp_path / f"p{k}.csv"
        path.write_bytes(_random_file(rng).encode())
        size = rng.choice([3, 16, 100])
        assert _read_file(path, size) == _cell_by_cell(monkeypatch, path, size), path.read_text()
    assert sum(helper_always) > 300  # the helper really read chunks


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the helper is forked")
def test_a_helper_that_dies_leaves_the_reading_to_this_process(monkeypatch, tmp_path, helper_always):
    parent, real = os.getpid(), batch_io._table_bytes

    def dies_in_the_helper(data, rows, width):
        if os.getpid() != parent:
            os._exit(9)
        return real(data, rows, width)

    monkeypatch.setattr(batch_io, "_table_bytes", dies_in_the_helper)
    path = tmp_path / "p.csv"
    path.write_text("x\n" + "".join(f"{k / 7!r}\n" for k in range(500)))
    assert _read_file(path, 7) == _cell_by_cell(monkeypatch, path, 7)
    assert helper_always[0]  # it was given the first chunk, and died on it


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the helper is forked")
def test_the_helper_is_reaped_when_the_reading_stops_early(monkeypatch, tmp_path, helper_always):
    pids = []
    real = csv_ahead.Helper.__init__

    def init(self, *args):
        real(self, *args)
        pids.append(self.pid)

    monkeypatch.setattr(csv_ahead.Helper, "__init__", init)
    path = tmp_path / "p.csv"
    path.write_text("x\n" + "1.5\n" * 1000)
    src, _ = batch_io.open_points(str(path))
    chunks = batch_io.read_chunks(src, "csv", 10)
    assert len(next(chunks)) == 10
    chunks.close()  # a consumer that stops (an error, a closed pipe)
    src.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pids[0], os.WNOHANG)  # gone, and reaped: not a zombie


def test_no_helper_for_a_stream_that_is_not_a_big_regular_file(tmp_path):
    small = tmp_path / "small.csv"
    small.write_text("x\n1\n")
    with open(small, "rb") as f:
        assert not csv_ahead.worth(f)  # below parallel_csv.MIN_BYTES
    r, w = os.pipe()
    with os.fdopen(r, "rb") as pipe:
        os.close(w)
        assert not csv_ahead.worth(pipe)
    assert not csv_ahead.worth(__import__("io").BytesIO(b"x\n1\n"))


def test_a_fork_that_fails_leaves_the_reading_to_this_process(monkeypatch, tmp_path, helper_always):
    def no_fork():
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    path = tmp_path / "p.csv"
    path.write_text("x\n" + "".join(f"{k / 3!r}\n" for k in range(100)))
    assert _read_file(path, 7) == _cell_by_cell(monkeypatch, path, 7)
    assert helper_always == []  # no helper to send to
