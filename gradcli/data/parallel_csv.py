"""Reading a large plain CSV body on several cores: NumPy's loadtxt on pieces, in forked children.

Parsing the numbers is the whole cost of reading a big file (about 120 ns a 17-digit
number, in the very parser float() uses), and loadtxt holds the GIL, so threads do not
help. A fork does: the body is cut at line ends into one piece per core, each child
parses its piece into a shared memory map and exits, this process parses the first.

The answer is exactly loadtxt's on the whole body, or no answer:
- 'table': every piece read as rows of `width` numbers, one row per line;
- 'failed': loadtxt refused a line of some piece; lines are read independently
  (no quotes, no comments), so it would have refused that line in the whole too;
- 'undecided': anything else (a blank line, which loadtxt skips and the count of rows
  does not; a piece of another width; a child that died): read the whole as before.

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


def _pieces(raw: bytes, start: int, n: int) -> list[tuple[int, int]]:
    """Up to n spans of raw[start:], each ending at a line end (the last at the end of raw)."""
    spans, a, size = [], start, len(raw) - start
    for k in range(1, n):
        cut = raw.find(b"\n", max(a, start + size * k // n))
        if cut < 0 or cut + 1 >= len(raw):
            break
        spans.append((a, cut + 1))
        a = cut + 1
    spans.append((a, len(raw)))
    return spans


def _rows(raw: bytes, a: int, b: int) -> int:
    """Lines in raw[a:b]: line ends, and a last line without one (counted by NumPy: four
    times as fast as bytes.count, and this runs before the children start)."""
    ends = int(np.count_nonzero(np.frombuffer(raw, np.uint8, b - a, a) == 10)) if b > a else 0
    return ends + (b > a and raw[b - 1] != 10)


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


def read(raw: bytes, start: int, width: int, n: int,
         load: Callable[[memoryview], np.ndarray | None]) -> tuple[str, np.ndarray | None]:
    """raw[start:] as ('table', rows × width floats), ('failed', None) or ('undecided', None).

    load(piece) is loadtxt on the piece's bytes: an array, or None where loadtxt refused.
    """
    spans = _pieces(raw, start, n)
    rows = [_rows(raw, a, b) for a, b in spans]
    total = sum(rows)
    if len(spans) < 2 or not total or not width:
        return "undecided", None
    shared = mmap.mmap(-1, total * width * 8)  # anonymous and shared with the children
    out = np.frombuffer(shared, np.float64).reshape(total, width)
    firsts = np.cumsum([0] + rows).tolist()

    def parse(k: int) -> int:  # 0: read; 1: loadtxt refused a line; 2: undecided
        a, b = spans[k]
        table = load(memoryview(raw)[a:b])
        if table is None:
            return 1
        if table.shape != (rows[k], width):
            return 2
        out[firsts[k]:firsts[k + 1]] = table
        return 0

    children = []
    try:
        for k in range(1, len(spans)):
            children.append(fork(lambda k=k: parse(k), failed=3))
        codes = [parse(0)]
        while children:
            pid = children[0]
            _, status = os.waitpid(pid, 0)
            children.pop(0)
            codes.append(os.waitstatus_to_exitcode(status))
    finally:
        for pid in children:  # interrupted: stop and reap the children left
            stop(pid)
    if 1 in codes:
        return "failed", None
    if any(codes):
        return "undecided", None
    return "table", out
