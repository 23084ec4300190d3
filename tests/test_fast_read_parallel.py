"""train --data: a big plain CSV is parsed in pieces on several cores (gradcli/data/parallel_csv.py).

The oracles: NumPy's loadtxt on the whole body (the pieces must give exactly its table,
or say it refused, or give no answer), and the strict reader (float() on each cell, with
every file:line message), which a read in pieces must match value for value and error
for error. Files mix tricky cells, blank lines, CRLF and missing line ends at random.
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import threading

import numpy as np
import pytest

from gradcli.data import dataset as data
from gradcli.data import parallel_csv
from gradcli.errors import GradValueError

CELLS = ["1", "-2.5", " 3 ", "\t4\t", "1e5", "+.5", "5.", "0", "-0", "1e-400", "1e400", "nan",
         "-inf", "1_0", "", " ", "1e", ".", "-", "1 2", "abc", "0x10", "12345678901234567890"]
PLAIN = ["1", "-2.5", "1e5", "0.1", "-7", "3.25e-2", "0.12573022109339330", "-1.3e-300"]


def _load(piece) -> np.ndarray | None:
    return data._loadtxt(io.BytesIO(piece))


def _random_csv(rng: random.Random, rows: int) -> str:
    width = rng.choice([1, 2, 3, 4])
    header = ["x", "y", "z", "note"][:width]
    lines = [",".join(header)]
    odd = rng.random() < 0.5  # half the files are clean, half have a few odd lines
    for _ in range(rows):
        cells = [rng.choice(CELLS if odd and rng.random() < 0.02 else PLAIN) for _ in range(width)]
        if odd and rng.random() < 0.01:
            cells.append("1")  # a row too wide
        if odd and rng.random() < 0.01:
            cells = cells[:-1]  # a row too short
        lines.append(",".join(cells))
        if odd and rng.random() < 0.01:
            lines.append(rng.choice(["", "  ", "\t"]))  # a blank line
    end = rng.choice(["\n", "\n", "\r\n", ""])
    return end.join(lines) + rng.choice([end, end, ""])


def test_pieces_give_loadtxts_table_of_the_whole_or_no_answer():
    rng = random.Random(16)
    seen = {"table": 0, "failed": 0, "undecided": 0}
    for _ in range(150):
        raw = _random_csv(rng, rng.randint(1, 120)).replace("\r\n", "\n").encode()
        start = raw.find(b"\n") + 1
        if not start:
            continue
        width = raw[:start].count(b",") + 1
        whole = _load(memoryview(raw)[start:])
        verdict, tables = parallel_csv.read(raw, start, width, rng.choice([2, 3, 4]), _load)
        seen[verdict] += 1
        if verdict == "table":
            table = np.vstack(tables)
            assert whole is not None and whole.shape == table.shape, raw
            assert whole.tobytes() == table.tobytes(), raw  # bit for bit
        elif verdict == "failed":
            assert whole is None, raw  # loadtxt refuses some line of the whole too
    assert seen["table"] > 50 and seen["failed"] > 20, seen


def test_reading_in_pieces_matches_the_strict_reader(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel_csv, "workers", lambda size: 3)  # every file, any machine
    rng = random.Random(9)
    forks = _count_forks(monkeypatch)
    agreed = 0
    for i in range(150):
        text = _random_csv(rng, rng.randint(2, 60))
        path = tmp_path / f"d{i}.csv"
        path.write_bytes(text.encode())
        header = text.split("\n")[0].strip().split(",")
        needed = [h for h in header if h != "note"][: rng.randint(1, 3)] or header[:1]
        try:
            fast = data.load(str(path), needed)
        except GradValueError as exc:
            fast = str(exc)
        try:
            strict = data._csv(text, needed, str(path))
        except GradValueError as exc:
            strict = str(exc)
        if isinstance(strict, str):
            assert fast == strict, text  # the same message, line and column
            continue
        assert not isinstance(fast, str), (fast, text)
        assert fast.rows == strict.rows, text
        for name in needed:
            assert fast.columns[name].tobytes() == strict.columns[name].tobytes(), text
        agreed += 1
    assert agreed > 50 and forks[0] > 150  # both readers were really tried


def test_a_big_file_is_read_in_pieces_as_numpy_reads_it(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))  # as on an idle machine
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # whatever earlier tests left
    if parallel_csv.workers(parallel_csv.MIN_BYTES) < 2:
        pytest.skip("one usable core: big files are read whole")
    rng = np.random.default_rng(0)
    values = rng.normal(size=(150_000, 3)) * 10.0 ** rng.integers(-5, 6, size=(150_000, 3))
    path = tmp_path / "big.csv"
    path.write_text("a,b,c\n" + "".join(f"{a!r},{b!r},{c!r}\n" for a, b, c in values.tolist()))
    assert path.stat().st_size > parallel_csv.MIN_BYTES
    forks = _count_forks(monkeypatch)
    got = data.load(str(path), ["c", "a"])
    assert forks[0] >= 1
    assert got.rows == 150_000
    assert got.columns["a"].tobytes() == values[:, 0].tobytes()  # repr round-trips exactly
    assert got.columns["c"].tobytes() == values[:, 2].tobytes()
    # a bad cell near the end: found by the strict reader, with its line
    text = path.read_text()
    cut = text.rindex("\n", 0, len(text) - 100)
    path.write_text(text[:cut] + "\n1,2,x" + text[cut:])
    with pytest.raises(GradValueError, match=r"big.csv, line 150000 \(row 149999\), column 'c': 'x' is not a number$"):
        data.load(str(path), ["c", "a"])


def test_a_child_that_dies_leaves_the_file_to_the_whole_read():
    parent = os.getpid()

    def dies_in_the_child(piece):
        if os.getpid() != parent:
            os._exit(9)
        return _load(piece)

    raw = b"x,y\n" + b"1,2\n" * 1000
    assert parallel_csv.read(raw, 4, 2, 3, _load)[0] == "table"
    assert parallel_csv.read(raw, 4, 2, 3, dies_in_the_child) == ("undecided", None)
    # a blank line: loadtxt skips it in a piece as in the whole
    blank = b"x,y\n" + b"1,2\n" * 500 + b"\n" + b"1,2\n" * 500
    verdict, tables = parallel_csv.read(blank, 4, 2, 2, _load)
    assert verdict == "table" and np.vstack(tables).tobytes() == _load(blank[4:]).tobytes()

    def raises_in_the_child(piece):
        if os.getpid() != parent:
            raise RuntimeError("boom")
        return _load(piece)

    assert parallel_csv.read(raw, 4, 2, 2, raises_in_the_child) == ("undecided", None)


def test_one_piece_per_free_core(monkeypatch):
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # whatever earlier tests left
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3, 4, 5}, raising=False)
    big = 10 ** 9
    for load, pieces in [(0.0, 4), (1.0, 4), (3.0, 4), (4.2, 3), (5.0, 2), (5.6, 1), (12.0, 1)]:
        monkeypatch.setattr(os, "getloadavg", lambda: (load, 0.0, 0.0))
        assert parallel_csv.workers(big) == pieces, load
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert parallel_csv.workers(parallel_csv.MIN_BYTES) == 2  # 2 MiB a piece at least
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert parallel_csv.workers(big) == 1


def test_no_fork_beside_another_thread_or_for_a_small_file(monkeypatch):
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert parallel_csv.workers(parallel_csv.MIN_BYTES - 1) == 1
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert parallel_csv.workers(10 ** 9) == 1
    finally:
        stop.set()
        t.join()


def test_a_child_writes_nothing_of_the_parents(tmp_path):
    """The children leave by os._exit: the parent's unflushed output is written once."""
    path = tmp_path / "d.csv"
    path.write_text("x,y\n" + "1.5,2.25\n" * 20_000)
    script = (
        "import sys\n"
        "from gradcli.data import dataset, parallel_csv\n"
        "parallel_csv.workers = lambda size: 4\n"
        "sys.stdout.write('before ')\n"  # buffered (a pipe), not flushed before the forks
        f"d = dataset.load({str(path)!r}, ['y'])\n"
        "print(d.rows, d.columns['y'].sum())\n")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "PYTHONUNBUFFERED": ""})
    assert r.returncode == 0, r.stderr
    assert r.stdout == "before 20000 45000.0\n"
    assert r.stderr == ""


def _count_forks(monkeypatch) -> list[int]:
    calls = [0]
    real = os.fork

    def counting():
        calls[0] += 1
        return real()

    monkeypatch.setattr(os, "fork", counting)
    return calls
