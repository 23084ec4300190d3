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


def looks_utf16(data: bytes) -> bool:
    """True for ASCII text saved as UTF-16 (what Windows calls "Unicode"), with or without
    a byte-order mark: in its first bytes every other byte is NUL and no other is (without
    a mark it would decode as UTF-8 with a NUL after every character)."""
    head = data[:66]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head[2:]
    head = head[:len(head) - len(head) % 2]
    half = len(head) // 2
    if not half:
        return False
    even, odd = head[0::2].count(0), head[1::2].count(0)
    return (even, odd) in ((half, 0), (0, half))


def refuse_utf16(data: bytes, where: str) -> None:
    """A usage error for a text file saved as UTF-16, saying how to get UTF-8; `where`
    names it ("the data file 'x.csv'")."""
    if looks_utf16(data):
        raise GradUsageError(
            f"cannot read {where}: it is UTF-16 text (Windows' \"Unicode\"), "
            "not UTF-8", hint="save it as UTF-8 (Excel: CSV UTF-8; Notepad: Save as, "
            "Encoding UTF-8), or convert it: iconv -f UTF-16 -t UTF-8 OLD > NEW")


def read_text(path: str, what: str, limit: int = MAX_DATA_BYTES) -> str:
    """`read_bytes` decoded as UTF-8; a byte-order mark at the start is dropped."""
    data = read_bytes(path, what, limit)
    refuse_utf16(data, f"{what} '{'standard input' if path == '-' else path}'")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        name = "standard input" if path == "-" else path
        raise GradUsageError(f"cannot read {what} '{name}': it is not UTF-8 text "
                             f"(byte {exc.start + 1})") from None
