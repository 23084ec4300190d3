"""Which data format a file holds: CSV with a header row, or JSON Lines.

One rule for every reader (`train --data`, `--batch`): the extension decides;
without a known one (and for `-`), a first non-blank line that starts with
`{` or `[` means JSON Lines, anything else CSV.
"""

from __future__ import annotations

import os

from gradcli.errors import shorten

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
    return "'" + cell.replace("\r", "\\r").replace("\n", "\\n") + "'"  # one line, a quoted cell's break shown


def columns_text(have: list[str], most: int = 10) -> str:
    """The columns a file has, for a message: 'x, y, z', at most `most` of them."""
    if not have:
        return "none"
    shown_ = ", ".join(shorten(c) for c in have[:most])
    return shown_ if len(have) <= most else f"{shown_} and {len(have) - most:,} more"


# A European Excel writes CSV with ';' between cells (the comma is its decimal mark);
# a "Text (Tab delimited)" file has tabs.
_SEPARATORS = ((";", "semicolons", "as Excel saves CSV where a comma is the decimal mark",
                "sed 's/,/./g; s/;/,/g' OLD > NEW"),
               ("\t", "tabs", "as Excel saves Text (Tab delimited)", "tr '\\t' ',' < OLD > NEW"),
               (" ", "spaces", "as NumPy's savetxt writes them unless given delimiter=','",
                "tr -s ' ' ',' < OLD > NEW"))


def separator_hint(cells: list[str]) -> str | None:
    """For a CSV line read as one cell that holds ';', a tab or a space: what went wrong."""
    if len(cells) != 1:
        return None
    for sep, name, excel, convert in _SEPARATORS:
        if sep in cells[0].strip():
            return (f"its cells seem separated by {name} ({excel}): "
                    "gradcli reads CSV with commas between cells and '.' in numbers; "
                    f"convert it, e.g. {convert}")
    return None


def json_document(line: str) -> str | None:
    """For JSON Lines whose first line opens one JSON document written whole (a '[' or '{'
    alone, as json.dump(..., indent=2) writes it, or an array of objects on one line):
    what it is and how to convert it; None for anything else."""
    s = line.strip()
    if s == "[" or (s.startswith("[") and s[1:].lstrip().startswith("{")):
        return ("it holds one JSON array, not JSON Lines (one object per line); convert it, "
                "e.g. jq -c '.[]' OLD > NEW.jsonl")
    if s == "{":
        return ("it holds one JSON object written over many lines, not JSON Lines (one object "
                "per line); convert it, e.g. jq -c . OLD > NEW.jsonl")
    return None


def case_hint(missing: list[str], have: list[str]) -> str | None:
    """For a missing column that the file has in another case ('X' for x): say so."""
    folded = {c.casefold(): c for c in have}
    pairs = [(m, folded[m.casefold()]) for m in missing if m.casefold() in folded]
    if not pairs:
        return None
    said = ", ".join(f"'{shorten(c)}' for '{shorten(m)}'" for m, c in pairs[:10])
    return f"columns are matched by exact name, case included: the file has {said}"
