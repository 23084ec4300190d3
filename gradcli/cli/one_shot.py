"""What `eval` and `grad` print at one point, and how a command ends when stdout fails.

Shared by the click commands (eval_grad.py, cli/__init__.py) and the quick path
(quick.py), which runs the plainest calls without loading click; so nothing here
imports click. `echo(text, err=False, nl=True)` is click.echo or quick.py's equivalent.
"""

from __future__ import annotations

import errno
import os
import sys

# The errors of writing to a full or broken disk: stdout on /dev/full.
WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


def show_value(result, as_json: bool, echo) -> None:
    """`gradcli eval`'s output: the value, or its JSON object."""
    print_warnings(result, echo)   # a value that underflowed where the output feels it
    if as_json:
        from gradcli.views.json_view import dumps

        echo(dumps(result.to_json()), nl=False)
        return
    from gradcli.views.array_text import show

    width = 75
    if getattr(result.value, "ndim", 0):   # an array breaks between numbers, never past
        from gradcli.cli.start import columns  # a narrower terminal (or COLUMNS)

        if "COLUMNS" in os.environ or sys.stdout.isatty():
            width = max(20, min(width, columns()))
    echo(show(result.value, linewidth=width))


def show_gradient(result, as_json: bool, echo) -> None:
    """`gradcli grad`'s output: its warnings on stderr, then the table or the JSON object."""
    print_warnings(result, echo)
    if as_json:
        from gradcli.views.json_view import dumps

        echo(dumps(result.to_json()), nl=False)
    else:
        from gradcli.views.human import print_grad

        print_grad(result)


def print_warnings(result, echo) -> None:
    """A result's warnings (digits lost to cancellation or underflow; README
    "Choices where the contract is silent"; JSON carries them too) on stderr, one `gradcli: warning: …` line each: what
    every view of a gradient at a point prints. A result without any (exact) prints none."""
    for note in getattr(result, "warnings", None) or ():
        echo(f"gradcli: warning: {note}", err=True)


def silence_stdout() -> None:
    """Point stdout at /dev/null, so that the flush at exit cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no file descriptor (tests): nothing to do
        pass


class ReaderLeft(Exception):
    """A broken pipe met while a command ran, carried past click: click 8.5 swallows
    BrokenPipeError itself and exits 1, where `gradcli ... | head` is no error."""


def reader_left(exc: BaseException) -> bool:
    """A broken pipe: `gradcli ... | head` after head exited. Click and Rich turn it
    into SystemExit(1) inside their `except BrokenPipeError`; this sees through that."""
    while exc is not None:
        if isinstance(exc, (BrokenPipeError, ReaderLeft)):
            return True
        exc = exc.__context__ if isinstance(exc, SystemExit) else None
    return False


def error_text(exc) -> str:
    """A gradcli error as stderr shows it: one paragraph after a (red, on a terminal) label."""
    label = "error" if exc.kind in ("usage", "check") else f"{exc.kind} error"
    prefix = f"gradcli: {label}: "
    if sys.stderr.isatty() and "NO_COLOR" not in os.environ:
        prefix = f"\x1b[31m\x1b[1m{prefix}\x1b[0m"  # click.style(prefix, fg="red", bold=True)
    return prefix + exc.full_message()


def failed(exc: BaseException, echo) -> None:
    """End a command that raised `exc` (anything but a GradcliError or click's own) as
    README "Errors and exit codes" says: Ctrl-C 130, a closed pipe 0, a full disk 2, a
    bug of ours 70 with a plain message (the traceback with GRADCLI_DEBUG=1)."""
    if isinstance(exc, KeyboardInterrupt):
        echo("interrupted", err=True)
        raise SystemExit(130)
    if reader_left(exc):  # the reader of stdout left (`| head`): not an error
        silence_stdout()
        raise SystemExit(0)
    if isinstance(exc, SystemExit):
        raise exc
    if isinstance(exc, OSError) and exc.errno in WRITE_ERRORS:
        write_failed(exc, echo)
    if os.environ.get("GRADCLI_DEBUG"):
        raise exc
    echo(internal_error(exc), err=True)
    raise SystemExit(70)


def write_failed(exc: OSError, echo) -> None:
    """Standard output cannot be written (a full disk): a usage error, exit 2 (README).
    Files gradcli writes itself say so in their own messages; this is what is left."""
    from gradcli.errors import GradUsageError

    silence_stdout()
    echo(error_text(GradUsageError(f"cannot write the output to standard output: "
                                   f"{exc.strerror or exc}")), err=True)
    raise SystemExit(2)


def internal_error(exc: BaseException) -> str:
    """The message for a bug of ours (exit 70): plain, with how to get the traceback."""
    return (f"gradcli: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in gradcli; run again with GRADCLI_DEBUG=1 for the traceback.")
