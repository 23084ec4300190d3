"""Reading a large plain CSV body on several cores: NumPy's loadtxt on pieces, in forked children.

Parsing the numbers is the whole cost of reading a big file (about 120 ns a 17-digit
number, in the very parser float() uses), and loadtxt holds the GIL, so threads do not
help. A fork does: the body is cut at line ends into one piece per core, each child
parses its piece into a shared memory map and exits, this process parses the first.

The answer is exactly loadtxt's on the whole body, or no answer:
- 'table': every piece read as rows of `width` numbers (loadtxt skips a blank line in a
  piece as in the whole), the pieces' tables in order;
- 'failed': loadtxt refused a line of some piece; lines are read independently
  (no quotes, no comments), so it would have refused that line in the whole too;
- 'other': some piece is not for loadtxt at all (the caller's load said OTHER);
- 'undecided': anything else (a piece of another width, a child that died): read the
  whole as before.

Nothing is done to the whole body before the pieces start: each piece checks and counts
its own bytes, and a child's table goes to a shared map sized for the most rows its
bytes could hold (only the pages written cost memory).

Only where forking is safe and pays: POSIX, more than one usable core not busy with other
work (the load average says), no other Python thread (a fork copies one thread; another
might hold a lock the child needs), and a body of MIN_BYTES or more.
"""

from __future__ import annotations

import mmap
import os
import signal
import threading
import warnings
from typing import Callable

import numpy as np

MiB = 1024 * 1024
# Below this a fork (a few ms) costs more than half the parse saves.
MIN_BYTES = 4 * MiB
# Beyond four pieces the copying and the waiting eat what more cores would give.
MAX_WORKERS = 4


def workers(size: int) -> int:
    """How many pieces to read a body of `size` bytes in (1: read it whole, here).

    One per core that is free: the load average counts this process, and the others' busy
    cores would only make the pieces wait for each other (measured on 2 busy cores: 17%
    more CPU than one read, and slower).
    """
    if size < MIN_BYTES or not hasattr(os, "fork") or threading.active_count() > 1:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        cores = os.cpu_count() or 1
    try:
        free = round(cores - os.getloadavg()[0] + 1)
    except (AttributeError, OSError):
        free = cores
    return max(1, min(cores, free, MAX_WORKERS, size // max(MIN_BYTES // 2, 1)))


# The first piece, this process's, is this much larger than the others: a child also
# forks, writes its table to the shared map and exits (measured at 10^6 rows on 2 cores:
# with even pieces it finished 10-16 ms after this process, with 3% this process was last).
FIRST_BIAS = 0.015


def _pieces(raw: bytes, start: int, n: int) -> list[tuple[int, int]]:
    """Up to n spans of raw[start:], each ending at a line end (the last at the end of raw)."""
    spans, a, size = [], start, len(raw) - start
    first = min(size, int(size * (1 + FIRST_BIAS) / n))
    for k in range(1, n):
        cut = raw.find(b"\n", max(a, start + first + (size - first) * (k - 1) // (n - 1)))
        if cut < 0 or cut + 1 >= len(raw):
            break
        spans.append((a, cut + 1))
        a = cut + 1
    spans.append((a, len(raw)))
    return spans


def fork(work: Callable[[], int], failed: int = 1) -> int:
    """A child process that runs work() and exits with its code (`failed` if it raised),
    running nothing of the parent's on the way out (no atexit, no buffers flushed); the
    child's pid. Ctrl-C stops a child at once, as it stops this process."""
    with warnings.catch_warnings():  # 3.12+: "use of fork() may lead to deadlocks"
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:
        code = failed
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            code = work()
        finally:
            os._exit(code)
    return pid


def stop(pid: int) -> None:
    """Kill a child and reap it (it leaves no zombie); one already gone is no error."""
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.waitpid(pid, 0)
    except OSError:
        pass


OTHER = "other"  # what load(piece) says of a piece that is not for loadtxt
_CODES = {0: "table", 1: "failed", 4: OTHER}


def read(raw: bytes, start: int, width: int, n: int,
         load: Callable[[bytes], np.ndarray | None | str]
         ) -> tuple[str, list[np.ndarray] | None]:
    """raw[start:] as ('table', the pieces' tables, each rows × width floats, in order),
    ('failed', None), ('other', None) or ('undecided', None).

    load(piece) is loadtxt on the piece's bytes: an array, None where loadtxt refused,
    or OTHER.
    """
    spans = _pieces(raw, start, n)
    if len(spans) < 2 or not width:
        return "undecided", None
    # Child k's table: its row count, then at most one row per 2 * width bytes (a row is
    # width cells of one character at least, each followed by a comma or a line end).
    caps = [(b - a + 1) // (2 * width) for a, b in spans[1:]]
    offsets = np.cumsum([0] + [8 + cap * width * 8 for cap in caps]).tolist()
    shared = mmap.mmap(-1, offsets[-1])  # anonymous and shared with the children

    def parse(k: int):  # (0 read, 1 refused, 2 undecided, 4 other; the table)
        a, b = spans[k]
        table = load(raw[a:b])
        if table is None:
            return 1, None
        if isinstance(table, str):
            return 4, None
        if not table.size:
            table = np.empty((0, width))
        if table.shape[1] != width:
            return 2, None
        return 0, table

    def child(k: int) -> int:
        code, table = parse(k)
        if code == 0:
            rows = len(table)
            if rows > caps[k - 1]:  # cannot be (see caps): no answer rather than a wrong one
                return 2
            np.frombuffer(shared, np.int64, 1, offsets[k - 1])[0] = rows
            np.frombuffer(shared, np.float64, rows * width, offsets[k - 1] + 8)[:] = table.reshape(-1)
        return code

    children = []
    try:
        for k in range(1, len(spans)):
            children.append(fork(lambda k=k: child(k), failed=3))
        code, first = parse(0)
        codes = [code]
        while children:
            pid = children[0]
            _, status = os.waitpid(pid, 0)
            children.pop(0)
            codes.append(os.waitstatus_to_exitcode(status))
    finally:
        for pid in children:  # interrupted: stop and reap the children left
            stop(pid)
    for code in (4, 1):
        if code in codes:
            return _CODES[code], None
    if any(codes):
        return "undecided", None
    tables = [first]
    for k in range(1, len(spans)):
        rows = int(np.frombuffer(shared, np.int64, 1, offsets[k - 1])[0])
        tables.append(np.frombuffer(shared, np.float64, rows * width, offsets[k - 1] + 8)
                      .reshape(rows, width))
    return "table", tables
