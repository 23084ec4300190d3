"""The error kinds of README "Errors and exit codes", each with its exit code.

Library code raises these; the command layer turns them into a message on
stderr (and a JSON object on stdout with --json) and the exit code. Nothing
else may escape to the user as a traceback.
"""

from __future__ import annotations

# A line of a message longer than this is cut in the middle: bad input is
# quoted, never repeated whole (a 10 MB binding value, 20,000 names).
MAX_LINE = 1000
LABEL_ROOM = 32   # the longest label, 'gradcli: internal error: ', and a margin


def visible(ch: str) -> str:
    """One character as the terminal should show it: controls escaped (ESC, NUL,
    C1, bidi overrides, zero-width and other format characters, lone surrogates),
    so that quoted input cannot retitle, recolour or reorder the terminal."""
    if ch.isprintable() or ch == "\t":
        return ch
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"U+{code:04X}"


def printable(text: str) -> str:
    """`text` with every control character escaped (line breaks and tabs kept)."""
    return "\n".join(line if line.isprintable() else "".join(map(visible, line))
                      for line in text.split("\n"))


def shorten(text: str, limit: int = 60) -> str:
    """`text`, cut in the middle with an ellipsis when longer than `limit`."""
    if len(text) <= limit:
        return text
    head = (limit - 1) * 2 // 3
    return text[:head] + "…" + text[len(text) - (limit - 1 - head):]


def listing(items: list[str], most: int = 10) -> str:
    """'a, b and c', or the first `most` and 'and 19,990 more'."""
    if len(items) <= most:
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    return ", ".join(items[:most]) + f" and {len(items) - most:,} more"


# How near a misspelling must be (difflib's ratio) to be offered as "did you mean …?".
NEAR = 0.6


def closest(word: str, choices, cutoff: float = NEAR) -> str | None:
    """The choice a mistyped `word` most likely meant, or None: the one rule behind every
    "did you mean …?" (names, functions, options, commands, formats, key entries).

    In order: `word` itself; the one choice equal but for case or for how a character is
    written (ReLU → relu, w1 → w₁: Unicode's compatibility form); the one choice that
    `word`, 3 characters or more, begins (ste → steps); difflib's nearest spelling, case
    aside, with a ratio of at least `cutoff` (gard → grad)."""
    import unicodedata

    choices = list(dict.fromkeys(choices))
    if word in choices:
        return word

    def fold(s: str) -> str:
        return unicodedata.normalize("NFKC", s).casefold()

    folded = [c for c in choices if fold(c) == fold(word)]
    if len(folded) == 1:
        return folded[0]
    if len(word) >= 3:
        prefixed = [c for c in choices if c.startswith(word)]
        if len(prefixed) == 1:
            return prefixed[0]
    import difflib  # only on the error path

    by_folded = {}
    for c in choices:
        by_folded.setdefault(c.casefold(), c)
    near = difflib.get_close_matches(word.casefold(), list(by_folded), n=1, cutoff=cutoff)
    return by_folded[near[0]] if near else None


class GradcliError(Exception):
    """Base of every error gradcli reports to a user."""

    kind = "usage"
    exit_code = 2

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def full_message(self) -> str:
        """The message and, when there is one, the hint, as one paragraph.

        What the user sees (stderr and JSON): control characters escaped and
        over-long lines shortened, whatever the message quotes.
        """
        text = f"{self.message}\n{self.hint}" if self.hint else self.message
        # room for the label stderr puts before the first line ("gradcli: syntax error: ")
        return "\n".join(shorten(line, MAX_LINE - LABEL_ROOM) for line in printable(text).split("\n"))

    def to_json(self) -> dict:
        return {"error": {"kind": self.kind, "message": self.full_message()}}


class GradSyntaxError(GradcliError):
    """The program does not parse (an empty program too)."""

    kind = "syntax"


class GradNameError(GradcliError):
    """Unknown function, missing or unknown variable, bad assignment."""

    kind = "name"


class GradValueError(GradcliError):
    """A bad binding value, or bad data in a file."""

    kind = "value"


class GradShapeError(GradcliError):
    """Array shapes that do not fit (README "Arrays: vectors and matrices"): found before any arithmetic."""

    kind = "shape"


class GradMathError(GradcliError):
    """The mathematics failed: a domain error, overflow, a non-finite value."""

    kind = "math"
    exit_code = 3


class GradUsageError(GradcliError):
    """A bad option or an unreadable file."""

    kind = "usage"


class CheckFailed(GradcliError):
    """A check the user asked for failed (exit 1)."""

    kind = "check"
    exit_code = 1
