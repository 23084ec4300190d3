"""Which data format a file holds: CSV with a header row, or JSON Lines.

One rule for every reader (`train --data`, `--batch`): the extension decides;
without a known one (and for `-`), a first non-blank line that starts with
`{` or `[` means JSON Lines, anything else CSV.
"""

from __future__ import annotations

import os

EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


def by_extension(path: str) -> str | None:
    """'csv', 'jsonl', or None when the name does not tell (and for '-')."""
    if path == "-":
        return None
    return EXTENSIONS.get(os.path.splitext(path)[1].lower())


def by_first_line(line: str) -> str:
    """The format told by the first non-blank line."""
    return "jsonl" if line.lstrip(" \t\ufeff").startswith(("{", "[")) else "csv"


# A bad cell is quoted in a message, but never whole: a 10 MB cell would be echoed on
# stderr and again in the JSON error.
SHOWN_CHARS = 60


def shown(cell: str) -> str:
    """A cell as a message quotes it: stripped, at most SHOWN_CHARS characters, in quotes."""
    cell = cell.strip()
    if len(cell) > SHOWN_CHARS:
        cell = cell[:SHOWN_CHARS - 1] + "…"
    return f"'{cell}'"
