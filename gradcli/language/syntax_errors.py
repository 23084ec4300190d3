"""Friendly syntax errors: the program, a caret under the column, what was expected.

Only imported when a parse fails. Lark's exceptions carry the position and the
set of terminals the parser would have accepted; this module turns them into
words a student understands and adds a hint for the common slips (`2x`,
`sin x`, `(a)(b)`, an unclosed parenthesis, a line that ends in an operator).
"""

from __future__ import annotations

import unicodedata

from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from gradcli.ops import table as O
from gradcli.errors import GradSyntaxError, visible

_OPERATORS = {"PLUS", "MINUS", "STAR", "SLASH", "POW", "AT"}
_OPERANDS = {"NUMBER", "NAME", "LPAR", "LSQB"}
_ENDS = {"_NEWLINE", "SEMICOLON", "$END"}

_TOKEN_WORDS = {
    "PLUS": "'+'", "MINUS": "'-'", "STAR": "'*'", "SLASH": "'/'", "POW": "'^'", "AT": "'@'",
    "LPAR": "'('", "RPAR": "')'", "LSQB": "'['", "RSQB": "']'", "COMMA": "','", "EQUAL": "'='", "SEMICOLON": "';'",
    "_NEWLINE": "a line break", "$END": "the end of the program",
}


def _expected_words(expected: set[str]) -> str:
    parts = []
    # '[' (an array literal, an index) is not listed: where an operand fits, "a number,
    # a name or '('" says enough, and the messages of scalar programs stay as they were.
    parts += [word for kind, word in (("NUMBER", "a number"), ("NAME", "a name"), ("LPAR", "'('"))
              if kind in expected]
    if expected & _OPERATORS:
        parts.append("an operator")
    for kind in ("RPAR", "RSQB", "COMMA", "EQUAL"):
        if kind in expected:
            parts.append(_TOKEN_WORDS[kind])
    if expected & _ENDS:
        parts.append("the end of the statement")
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def _caret(text: str, pos: int) -> tuple[int, int, str]:
    """(line, column, the line with a caret under the column), all 1-based."""
    pos = max(0, min(pos, len(text)))
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    if line_end == -1:
        line_end = len(text)
    line_no = text.count("\n", 0, pos) + 1
    column = pos - line_start + 1
    line = text[line_start:line_end].removesuffix("\r")  # a CRLF file's line, without its CR
    # Keep a very long line readable: show a window around the column.
    offset = 0
    if len(line) > 76:
        offset = max(0, min(column - 40, len(line) - 76))
        line = ("…" if offset else "") + line[offset:offset + 76] + ("…" if offset + 76 < len(line) else "")
        column_shown = column - offset + (1 if offset else 0)
    else:
        column_shown = column
    # Control characters are shown escaped (\x1b, U+202E): the program cannot drive the
    # terminal. The padding takes each character's width as shown, and keeps the line's
    # tabs, so that the caret lines up however tabs are drawn.
    shown = [visible(ch) for ch in line]
    pad = "".join(_blank(ch) for ch in shown[:column_shown - 1])
    return line_no, column, f"  {''.join(shown)}\n  {pad}^"


def _blank(shown: str) -> str:
    """Blanks as wide as `shown` (one character, or an escape) is on a terminal."""
    if shown == "\t":
        return "\t"
    if len(shown) > 1:
        return " " * len(shown)
    if unicodedata.combining(shown):
        return ""
    return "  " if unicodedata.east_asian_width(shown) in "WF" else " "


def caret_picture(text: str, pos: int) -> str:
    """The line of the program at pos, with a caret under pos."""
    return _caret(text, pos)[2]


def _previous_token(text: str, pos: int, lark):
    """The token just before position pos (the error path only: it lexes again)."""
    prev = None
    try:
        for tok in lark.lex(text[:pos], dont_ignore=False):
            prev = tok
    except UnexpectedInput:
        pass
    return prev


def _token_text(tok) -> str:
    if tok.type == "$END":
        return "the end of the program"
    if tok.type == "_NEWLINE":
        return "line break"
    return f"'{tok}'"


def _accepted(exc: UnexpectedToken) -> set[str]:
    """The terminals that would really have been accepted.

    LALR's own `expected` also lists tokens that only a default reduction
    allows (`2x` would claim ')' fits); the interactive parser tries each one.
    """
    try:
        accepted = set(exc.interactive_parser.accepts())
        if accepted:
            return accepted
    except Exception:  # the builder may object to a trial reduction; fall back
        pass
    return set(exc.expected)


def _accepted_after(prefix: str, lark) -> set[str]:
    """The terminals the parser would take after prefix (the lexer alone cannot tell)."""
    try:
        parser = lark.parse_interactive(prefix)
        parser.exhaust_lexer()
        return set(parser.accepts())
    except Exception:  # the prefix itself is broken, or the builder objects: say nothing
        return set()


# Characters that look like an operator, as text copied from a PDF, slides or a word
# processor writes them.
_LOOKALIKES = {"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-",
               "\u00d7": "*", "\u00b7": "*", "\u22c5": "*", "\u2217": "*", "\u2219": "*",
               "\u00f7": "/", "\u2215": "/", "\uff0b": "+", "\uff0d": "-", "\uff0a": "*",
               "\uff0f": "/", "\uff08": "(", "\uff09": ")", "\uff0c": ",", "\u02c6": "^"}
_QUOTES = "'\"\u2018\u2019\u201c\u201d"


def _lookalike_hint(text: str, char: str) -> str:
    fixed = text.translate(str.maketrans(_LOOKALIKES)).strip()
    name = unicodedata.name(char, f"U+{ord(char):04X}").lower()
    ascii_ = _LOOKALIKES[char]
    said = f"'{char}' ({name}) is how a PDF or slides write '{ascii_}'; type '{ascii_}'"
    return f"{said}: {fixed}" if len(fixed) <= 60 else said


def describe(exc: UnexpectedInput, text: str, lark) -> GradSyntaxError:
    hint = None
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream
        char = text[pos] if pos < len(text) else ""
        what = f"unexpected character {char!r}" if char.isprintable() else \
            f"unexpected character '{visible(char)}'"
        expected = _expected_words(_accepted_after(text[:pos], lark))
        if char in _LOOKALIKES:
            hint = _lookalike_hint(text, char)
        elif char in _QUOTES:
            hint = "strings are not part of the language: it has numbers, names and functions only"
        elif char == "{":
            hint = "use ( ) for grouping and [ ] for arrays"
        elif char == "!" or char == "<" or char == ">":
            hint = "comparisons are not part of the language; max(a, b), min(a, b) and step(x) may help"
        elif char == "=":
            hint = "one '=' assigns a name, as in p = x + y"
        elif char == ".":
            hint = _dot_hint(text, pos)
        elif char == ":":
            hint = ("slices are not part of the language: index with constant integers, as in "
                    "A[1] (row 1) or A[1, 0]; a column is transpose(A)[0]")
    elif isinstance(exc, UnexpectedToken):
        tok = exc.token
        expected_set = _accepted(exc)
        if tok.type == "$END":
            pos = len(text.rstrip())
            what = "the program ended too early"
        else:
            pos = tok.start_pos
            what = f"unexpected {_token_text(tok)}"
        expected = _expected_words(expected_set)
        hint = _hint(text, pos, tok, expected_set, lark)
    else:  # pragma: no cover - Lark's LALR raises only the two above
        pos, what, expected = 0, str(exc), ""
    line, column, picture = _caret(text, pos)
    message = f"line {line}, column {column}: {what}\n{picture}"
    if expected:
        message += f"\nexpected {expected} there"
    return GradSyntaxError(message, hint=hint)


def _dot_hint(text: str, pos: int) -> str:
    """NumPy's W.T, W.sum(), np.exp(x): what the language writes instead."""
    before = text[:pos].rstrip()
    name = before[len(before.rstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")):]
    after = text[pos + 1:]
    attribute = after[:len(after) - len(after.lstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"))]
    if name in ("np", "numpy", "torch"):
        return f"write the function by itself: {attribute or 'exp'}(…), not {name}.{attribute or 'exp'}(…)"
    if attribute == "T":
        return f"did you mean transpose({name})? a transpose is written transpose(a)"
    if attribute:
        from gradcli.ops.table import FUNCTIONS

        if attribute in FUNCTIONS:  # W.sum() -> sum(W); a name that is no function gets the rule
            return f"methods are not part of the language: write {attribute}({name}), not {name}.{attribute}()"
    return "methods are not part of the language: write f(a), not a.f()"


def _hint(text, pos, tok, expected, lark) -> str | None:
    if tok.type == "$END":
        depth = brackets = 0
        for tok2 in lark.lex(text, dont_ignore=False):
            depth += tok2.type == "LPAR"
            depth -= tok2.type == "RPAR"
            brackets += tok2.type == "LSQB"
            brackets -= tok2.type == "RSQB"
        if depth > 0:
            return f"{depth} '(' {'is' if depth == 1 else 'are'} not closed"
        if brackets > 0:
            return f"{brackets} '[' {'is' if brackets == 1 else 'are'} not closed"
        return "the last statement is not finished"
    if tok.type == "_NEWLINE" and expected & _OPERANDS:
        return ("a line break ends a statement; to continue an expression on the next line, "
                "put it in parentheses")
    prev = _previous_token(text, pos, lark)
    if tok.type == "RSQB" and prev is not None and prev.type == "LSQB":
        return "[] is empty: write the elements of an array, as in [1, 2], or an index, as in a[0]"
    if expected and expected <= {"NUMBER", "MINUS"} and prev is not None and prev.type in ("LSQB", "COMMA"):
        return "an index is a constant integer, as in a[0], A[1, -1]: a variable cannot index an array"
    if tok.type == "RSQB" and "RSQB" not in expected and prev is not None and prev.type not in _OPERATORS:
        return "this ']' has no '[' to close"
    if prev is None:
        if tok.type == "RPAR":
            return "this ')' has no '(' to close"
        return None
    if tok.type == "RPAR" and "RPAR" not in expected:
        if prev.type == "COMMA":
            return "a ',' must be followed by another argument"
        if prev.type in _OPERATORS or prev.type == "LPAR":
            return None
        return "this ')' has no '(' to close"
    if tok.type in _OPERANDS and prev.type in ("NUMBER", "NAME", "RPAR"):
        left = "(…)" if prev.type == "RPAR" else str(prev)
        right = "(…)" if tok.type == "LPAR" else str(tok)
        if prev.type == "NAME" and str(prev) in O.FUNCTIONS and tok.type != "LPAR":
            return f"did you mean {prev}({tok})? a function's argument goes in parentheses"
        return f"did you mean {left}*{right}? multiplication needs a '*'"
    if tok.type == "EQUAL" and prev.type == "NAME" and str(prev) in ("axis", "dim"):
        return "the axis is the second argument, a constant integer: sum(a, 0), mean(a, -1)"
    if tok.type == "EQUAL":
        return "only a name can be assigned, at the start of a statement: p = x + y"
    return None
