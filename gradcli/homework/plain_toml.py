"""The plain subset of TOML that answer files are, read in one pass over the lines.

A class of 1,000 answer files spends most of its grading time in tomllib
(benchmarks/bench_grading.py). Answer files are simple: `[table]` headers and
`key = value` lines whose values are decimal numbers, single-line strings
without escapes, or booleans. This reads exactly that and returns what
tomllib.loads would; for anything else (arrays, inline tables, escapes, dates,
[[arrays of tables]], a duplicate key, a control character, a malformed line)
it returns None and the caller uses tomllib, which reads it or says what is wrong.
"""

from __future__ import annotations

import re

_PART = r'(?:[A-Za-z0-9_-]+|"[^"\\\x00-\x1f\x7f]*")'
_KEY = rf"{_PART}(?:\.{_PART})*"
_DIGITS = r"[0-9](?:_?[0-9])*"
_INT = rf"[+-]?(?:0|[1-9](?:_?[0-9])*)"
_FLOAT = rf"{_INT}(?:\.{_DIGITS}(?:[eE][+-]?{_DIGITS})?|[eE][+-]?{_DIGITS})"
_VALUE = (rf'(?P<float>{_FLOAT})|(?P<int>{_INT})|"(?P<basic>[^"\\\x00-\x1f\x7f]*)"'
          rf"|'(?P<literal>[^'\x00-\x1f\x7f]*)'|(?P<bool>true|false)")
_LINE = re.compile(rf"[ \t]*(?:\[[ \t]*(?P<table>{_PART})[ \t]*\]|(?P<key>{_KEY})[ \t]*=[ \t]*(?:{_VALUE}))?"
                   r"[ \t]*(?:#[^\x00-\x08\x0a-\x1f\x7f]*)?\Z")
_PARTS = re.compile(_PART)
_BAD = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")   # control characters (tab, LF and CR apart)
_LONG_INT = 4000   # digits: Python converts fewer than 4,300


def _key(part: str) -> str:
    return part[1:-1] if part.startswith('"') else part


def loads(text: str) -> dict | None:
    """tomllib.loads(text) for a plain file, or None (then let tomllib read it)."""
    if _BAD.search(text.replace("\r\n", "\n")):
        return None   # a lone CR, or any other control character
    root: dict = {}
    table = root
    match = _LINE.match
    for line in text.split("\n"):
        if line.endswith("\r"):
            line = line[:-1]
        m = match(line)
        if m is None:
            return None
        name = m.group("table")
        if name is not None:
            name = _key(name)
            if name in root:
                return None   # a table defined twice, or a name already used
            table = root[name] = {}
            continue
        key = m.group("key")
        if key is None:
            continue   # blank or a comment
        parts = [_key(p) for p in _PARTS.findall(key)]
        where = table
        for part in parts[:-1]:
            inner = where.get(part)
            if inner is None:
                inner = where[part] = {}
            elif not isinstance(inner, dict):
                return None   # `grad = 1` then `grad.x = 2`
            where = inner
        if parts[-1] in where:
            return None   # a duplicate key
        if m.group("float") is not None:
            value = float(m.group("float"))
        elif m.group("int") is not None:
            digits = m.group("int")
            if len(digits) > _LONG_INT:
                return None
            value = int(digits)
        elif m.group("basic") is not None:
            value = m.group("basic")
        elif m.group("literal") is not None:
            value = m.group("literal")
        else:
            value = m.group("bool") == "true"
        where[parts[-1]] = value
    return root
