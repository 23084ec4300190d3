"""Parsing a big CSV batch's chunks on a second core: loadtxt in one forked helper.

points.py cuts a `--batch` input into chunks of lines; the numbers are the cost of
reading (loadtxt, one core: it holds the GIL, so a thread would not help). A helper
process, forked once per input, takes the text of a chunk through a shared memory map
and gives back its table. The reader keeps the helper busy with two chunks (so it never waits
for the next) and parses a chunk itself only while the helper is still on an earlier one:
when the batch reads faster than it computes both cores parse, and while it computes the
helper parses the next chunks.

The answer is the same function's (points._table_bytes) on the same bytes, wherever it
runs. A helper that dies is dropped: its chunk, and every one after, is parsed here.
Only where forking is safe and pays, as for parallel_csv.py: POSIX, a free core, no other
Python thread, and a regular file with MIN_BYTES or more left to read.
"""

from __future__ import annotations

import mmap
import os
import select
import struct
from typing import Callable

import numpy as np

from gradcli.data import parallel_csv

# A chunk's text and its table must fit a slot of the shared map (which costs only the
# pages used); the helper has a chunk in each slot at most.
TEXT_BYTES = 8 * 1024 * 1024
TABLE_BYTES = 8 * 1024 * 1024
SLOT_BYTES = TEXT_BYTES + TABLE_BYTES
SLOTS = 2
_ASK = struct.Struct("<qqq")  # the slot, the text's length in bytes, its rows


def worth(stream) -> bool:
    """Whether a helper pays for this input: a regular file with enough left to read."""
    try:
        fd = stream.fileno()
        info = os.fstat(fd)
        left = info.st_size - os.lseek(fd, 0, os.SEEK_CUR)
    except (AttributeError, OSError, ValueError):  # BytesIO, a text stream, a closed file
        return False
    import stat

    return stat.S_ISREG(info.st_mode) and parallel_csv.workers(left) > 1


class Helper:
    """A forked process that turns one chunk's text at a time into a table."""

    def __init__(self, width: int, parse: Callable[[bytes, int, int], np.ndarray | None]):
        self.width = width
        self._sent: list[tuple[int, int]] = []  # (slot, rows) of the chunks not answered yet, oldest first
        self._next = 0
        self.pid = None
        self._map = mmap.mmap(-1, SLOTS * SLOT_BYTES)  # anonymous, shared with the child
        ask_r, self._ask = os.pipe()
        self._answer, answer_w = os.pipe()
        def serve() -> int:  # the child
            os.close(self._ask)
            os.close(self._answer)
            self._serve(ask_r, answer_w, parse)
            return 0

        try:
            self.pid = parallel_csv.fork(serve)
        except OSError:
            for fd in (ask_r, self._ask, self._answer, answer_w):
                os.close(fd)
            raise
        os.close(ask_r)
        os.close(answer_w)

    def _serve(self, ask: int, answer: int, parse) -> None:
        while True:
            msg = _read_exact(ask, _ASK.size)
            if msg is None:  # the reader closed its end: done
                return
            slot, nbytes, rows = _ASK.unpack(msg)
            at = slot * SLOT_BYTES
            table = parse(self._map[at:at + nbytes], rows, self.width)
            if table is None:
                os.write(answer, b"N")
                continue
            out = np.frombuffer(self._map, np.float64, rows * self.width, at + TEXT_BYTES)
            out[:] = table.ravel()
            os.write(answer, b"T")

    @property
    def free(self) -> bool:
        """Whether the helper would take one more chunk now."""
        return self.pid is not None and len(self._sent) < SLOTS

    @property
    def busy(self) -> bool:
        """Whether chunks sent have not been answered yet."""
        return bool(self._sent)

    def send(self, data: bytes, rows: int) -> bool:
        """Give the helper a chunk's bytes; False when it cannot take them (parse them here)."""
        if not self.free or len(data) > TEXT_BYTES or rows * self.width * 8 > TABLE_BYTES:
            return False
        slot = self._next
        at = slot * SLOT_BYTES
        self._map[at:at + len(data)] = data
        try:
            os.write(self._ask, _ASK.pack(slot, len(data), rows))
        except OSError:  # the helper is gone
            self.close()
            return False
        self._sent.append((slot, rows))
        self._next = (slot + 1) % SLOTS
        return True

    def ready(self) -> bool:
        """Whether the answer for the oldest chunk sent is in (it will not keep the reader
        waiting). The helper answers in the order it was asked."""
        return not self._sent or self.pid is None or \
            bool(select.select([self._answer], [], [], 0)[0])

    def result(self):
        """The table of the oldest chunk sent, None where it has none (loadtxt refused, or
        not finite), or False when the helper died (parse the chunk here)."""
        slot, rows = self._sent.pop(0)
        got = b""
        if self.pid is not None:
            try:
                got = os.read(self._answer, 1)
            except OSError:
                pass
        if got == b"N":
            return None
        if got != b"T":
            self.close()
            return False
        at = slot * SLOT_BYTES + TEXT_BYTES
        return np.frombuffer(self._map, np.float64, rows * self.width, at
                             ).reshape(rows, self.width).copy()

    def close(self) -> None:
        """Stop the helper and reap it (at the end, on an error, on Ctrl-C)."""
        if self.pid is None:
            return
        pid, self.pid = self.pid, None
        for fd in (self._ask, self._answer):
            try:
                os.close(fd)
            except OSError:
                pass
        parallel_csv.stop(pid)


def _read_exact(fd: int, n: int) -> bytes | None:
    got = b""
    while len(got) < n:
        more = os.read(fd, n - len(got))
        if not more:
            return None
        got += more
    return got
