"""What the gradcli command does first, before click loads (imports nothing heavy).

`gradcli --help`, `gradcli -h`, bare `gradcli` and `gradcli COMMAND --help` / `-h`
print a page of help_pages.py: click's own rendering of that page, stored by
`python -m gradcli.cli.help_gen`, so that help costs no `import click` (most of
its start-up). The stored page is printed only when click would print exactly it:

- argv is exactly one of those requests, in the gradcli command itself (the
  console script or `python -m gradcli`), never when gradcli.cli is imported
  as a library or run by click's test runner;
- the sources the pages came from are unchanged (their CRC-32s are stored with
  the pages), so an edited option falls back to click until the pages are made again;
- click would wrap at the stored width: it wraps at min(columns, 80) - 2, so any
  terminal of 80 columns or more, or output that is not a terminal (click then
  assumes 80), unless COLUMNS says otherwise, as for click;
- standard output is UTF-8 on POSIX.

Anything else, and any write error but a closed pipe, goes on to click, but for
the plainest `grad` and `eval` calls, which quick.py answers without click.
tests/test_help_fast_path.py checks the pages against click's output.

The command also runs NumPy's BLAS on one thread unless the user chose a number:
the training plan's dot products are of 16,384-row chunks, where OpenBLAS's threads
cost more than they save (on two cores, 100 steps on 10^5 rows took 10× longer).
"""

from __future__ import annotations

import os
import sys

# Help pages are click's, wrapped at this many columns (click's 80-column maximum minus 2).
WIDTH = 78

# Variables that choose BLAS threads; when none is set the command sets the first.
_BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "GOTO_NUM_THREADS")


def is_the_command() -> bool:
    """This process runs the gradcli command, and its program name is `gradcli`."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None:  # python -m gradcli (gradcli/__main__.py passes prog_name="gradcli")
        return spec.name == "gradcli.__main__"
    # The console script: click names the program after its file.
    return getattr(main, "__package__", None) in (None, "") and \
        os.path.basename(sys.argv[0] if sys.argv else "") == "gradcli"


_begun = False


def begin() -> None:
    """Set the command's defaults; answer a help request or a plain one-point call
    (quick.py) here and exit, if it can be. Once: quick.py may import gradcli.cli."""
    global _begun
    if _begun or not is_the_command():
        return
    _begun = True
    if not any(name in os.environ for name in _BLAS_THREADS):
        os.environ["OPENBLAS_NUM_THREADS"] = "1"
    page = help_page(sys.argv[1:])
    if page is not None:
        _print_and_exit(page)
    from gradcli.cli import quick

    quick.run(sys.argv[1:])


def columns() -> int:
    """The terminal's width as click finds it (shutil.get_terminal_size, without shutil)."""
    try:
        width = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        width = 0
    if width <= 0:
        try:
            width = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            width = 0
    return width or 80


def help_page(args: list[str]) -> str | None:
    """The stored page that click would print for `gradcli ARGS`, or None."""
    if len(args) > 2 or os.name != "posix":
        return None
    from gradcli.cli import help_pages

    key = help_pages.ARGS.get(tuple(args))
    if key is None or help_pages.WIDTH != WIDTH or max(min(columns(), 80) - 2, 50) != WIDTH:
        return None
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    if encoding != "utf8" or not sources_unchanged(help_pages.SOURCES):
        return None
    return help_pages.PAGES[key]


def sources_unchanged(sources: dict[str, int]) -> bool:
    """Every file the pages came from still has the stored CRC-32."""
    import zlib

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the gradcli folder
    for name, crc in sources.items():
        try:
            with open(os.path.join(root, name), "rb") as f:
                if zlib.crc32(f.read()) != crc:
                    return False
        except OSError:
            return False
    return True


def _print_and_exit(page: str) -> None:
    """Write the page as click.echo would (the text and a newline), then exit 0.

    Written to the file descriptor, past sys.stdout's buffer, so that nothing is
    left to flush: a closed pipe (`gradcli --help | head -1`) exits 0 as the rest of
    gradcli does, and any other error is left to click, which reports it as usual.
    """
    data = (page + "\n").encode("utf-8")
    try:
        sys.stdout.flush()
        fd = sys.stdout.fileno()
        while data:
            data = data[os.write(fd, data):]
    except BrokenPipeError:
        raise SystemExit(0) from None
    except (OSError, ValueError, AttributeError):
        return  # click writes it, or says why it cannot
    raise SystemExit(0)
