"""The plainest one-point calls, answered without loading click (a quarter of start-up).

`gradcli grad EXPR -x 1 -y 2 …` and `gradcli eval EXPR …`, with or without --json,
print exactly what the click commands print, through the same functions
(one_shot.py). The quick path is taken only when

- this process is the gradcli command (start.py), on POSIX, with UTF-8 stdout and
  stderr (click would re-encode a misconfigured stream; this does not try);
- EXPR is literal text: not '-', not @FILE, not a word that starts with '-';
- every later word is --json or a one-letter binding `-x VALUE` whose VALUE is a plain
  decimal number: a one-letter name is never taken for a mistyped option (README
  "Binding values"), and a number neither reads a file nor draws a random array.

Anything that fails before output starts (a syntax error, a missing value, a math
error, anything) is left to click, which computes again and says it with every hint:
nothing has been printed yet. Once output starts, failures end as in cli/__init__.py:
a closed pipe exits 0, a full disk is a usage error, anything else an internal error.
tests/test_quick_path.py runs each call both ways and compares every byte.
"""

from __future__ import annotations

import os
import re
import sys

_LETTER = re.compile(r"-[A-Za-z]\Z")
_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")


def plain_call(args: list[str]) -> tuple[str, str, list[str], bool] | None:
    """(command, EXPR, binding words, --json) for a call the quick path takes, or None."""
    if len(args) < 2 or args[0] not in ("grad", "eval"):
        return None
    text, rest = args[1], args[2:]
    if not text or text[0] in "-@":
        return None
    words, as_json, i = [], False, 0
    while i < len(rest):
        if rest[i] == "--json":
            as_json, i = True, i + 1
        elif _LETTER.match(rest[i]) and i + 1 < len(rest) and _NUMBER.match(rest[i + 1]):
            words += rest[i:i + 2]
            i += 2
        else:
            return None
    return args[0], text, words, as_json


def _utf8(stream) -> bool:
    return (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "") == "utf8"


def _echo(text: str, err: bool = False, nl: bool = True) -> None:
    """click.echo for the texts one_shot.py writes (no ANSI codes to strip, UTF-8)."""
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n" if nl else text)
    stream.flush()


def run(args: list[str]) -> None:
    """Answer `gradcli ARGS` and exit, if it is a plain call; otherwise return."""
    call = plain_call(args)
    if call is None or os.name != "posix" or not (_utf8(sys.stdout) and _utf8(sys.stderr)):
        return
    command, text, words, as_json = call
    from gradcli.cli import one_shot

    try:
        from gradcli.program.bindings import split_bindings
        from gradcli.program.program import Program

        program = Program(text)
        given = split_bindings(words)
        result = program.grad(given) if command == "grad" else program.evaluate(given)
    except KeyboardInterrupt as exc:
        one_shot.failed(exc, _echo)
    except Exception:  # noqa: BLE001 - click computes again and says what went wrong
        return
    try:
        (one_shot.show_gradient if command == "grad" else one_shot.show_value)(result, as_json, _echo)
        sys.stdout.flush()
    except (Exception, SystemExit, KeyboardInterrupt) as exc:
        one_shot.failed(exc, _echo)  # as GradcliGroup.main ends (cli/__init__.py)
    raise SystemExit(0)
