"""Reading a whole file the user named, safely.

Every file gradcli reads whole (a program, training data, a problem-set key, an
answer, an array) goes through `read_bytes`: a character device such as
/dev/zero or /dev/urandom is refused instead of being read until memory runs
out, and what is read is capped at a documented size (README, Limits). Files
that are streamed line by line (`--batch`) bound the length of one line instead.
"""

from __future__ import annotations

import os
import stat
import sys

from gradcli.errors import GradUsageError

MiB = 1024 * 1024
# Programs: a 10^6-token program is about 5 MiB.
MAX_PROGRAM_BYTES = 64 * MiB
# Data files read whole (train --data, check keys and answers, arrays).
MAX_DATA_BYTES = 1024 * MiB


def refuse_device(path: str, what: str) -> None:
    """A usage error for a device or a directory; streamed readers call it too."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # open() reports it, with the usual reason
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        raise GradUsageError(f"cannot read {what} '{path}': it is a device, not a file")
    if stat.S_ISDIR(mode):
        raise GradUsageError(f"cannot read {what} '{path}': it is a directory")


def _read_capped(f, limit: int, what: str, name: str) -> bytes:
    data = f.read(limit + 1)
    if len(data) > limit:
        raise GradUsageError(
            f"cannot read {what} '{name}': it is larger than the limit of {limit // MiB} MiB")
    return data


def read_bytes(path: str, what: str, limit: int = MAX_DATA_BYTES) -> bytes:
    """The bytes of `path` ('-': standard input), or a usage error that says why not.

    `what` names the file in the message ("the data file", "the key").
    """
    if path == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text stdin (tests): bytes of it
            return _read_capped(sys.stdin, limit, what, "standard input").encode("utf-8")
        return _read_capped(stream, limit, what, "standard input")
    refuse_device(path, what)
    try:
        with open(path, "rb") as f:
            return _read_capped(f, limit, what, path)
    except OSError as exc:
        raise GradUsageError(f"cannot read {what} '{path}': {exc.strerror or exc}") from None


def read_text(path: str, what: str, limit: int = MAX_DATA_BYTES) -> str:
    """`read_bytes` decoded as UTF-8; a byte-order mark at the start is dropped."""
    data = read_bytes(path, what, limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        name = "standard input" if path == "-" else path
        raise GradUsageError(f"cannot read {what} '{name}': it is not UTF-8 text "
                             f"(byte {exc.start + 1})") from None
