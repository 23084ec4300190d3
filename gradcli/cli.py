"""The command line: click commands that read options, call the library, pick a view.

Kept thin on purpose: everything here is also callable from Python (gradcli.api).
Heavy imports (Rich, the parser) happen inside the commands, so `--help` and
`--version` stay fast, and `--json` never loads Rich.
"""

from __future__ import annotations

import functools
import os
import sys

import click

from . import __version__
from .errors import GradcliError, GradUsageError

# Options are long ones only: every single-letter name is free for variables.
BINDING_CONTEXT = dict(ignore_unknown_options=True, allow_extra_args=True,
                       help_option_names=["--help"])


def _wants_json() -> bool:
    return "--json" in sys.argv[1:]


def report(exc: GradcliError, as_json: bool) -> None:
    """The error on stderr (one paragraph), and as JSON on stdout with --json."""
    if as_json:
        from .views.json_view import dumps

        click.echo(dumps(exc.to_json()), nl=False)
    label = "error" if exc.kind in ("usage", "check") else f"{exc.kind} error"
    prefix = f"gradcli: {label}: "
    if sys.stderr.isatty() and "NO_COLOR" not in os.environ:
        prefix = click.style(prefix, fg="red", bold=True)
    click.echo(prefix + exc.full_message(), err=True)


# click >= 8.2 raises this for a group called without a command.
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())

# Each command lives in its own module under gradcli/commands and is imported
# only when it runs (or when --help lists it): start-up pays for one command.
COMMANDS = {
    "eval": "gradcli.commands.core:eval_command",
    "grad": "gradcli.commands.core:grad_command",
    "trace": "gradcli.commands.trace:trace_command",
    "train": "gradcli.commands.train:train_command",
    "check": "gradcli.commands.check:check_command",
    "exercise": "gradcli.commands.exercise:exercise_command",
    "hessian": "gradcli.commands.hessian:hessian_command",
}


class GradcliGroup(click.Group):
    """Loads commands lazily; turns every failure into a message and SPEC §4's exit code."""

    def list_commands(self, ctx):
        return [name for name in COMMANDS if self._load(name) is not None]

    def get_command(self, ctx, name):
        return self._load(name)

    @staticmethod
    def _load(name):
        import importlib

        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except ModuleNotFoundError as exc:
            if exc.name == module:  # a command not built yet
                return None
            raise

    def main(self, args=None, prog_name=None, **kwargs):
        as_json = _wants_json() if args is None else "--json" in args
        try:
            rv = super().main(args=args, prog_name=prog_name, standalone_mode=False, **kwargs)
        except GradcliError as exc:
            report(exc, as_json)
            sys.exit(exc.exit_code)
        except _NO_ARGS_IS_HELP as exc:  # bare `gradcli`: the help, as asked for
            click.echo(exc.ctx.get_help())
            sys.exit(0)
        except click.exceptions.UsageError as exc:
            hint = None
            if exc.ctx is not None:
                hint = f"see '{exc.ctx.command_path} --help'"
            report(GradUsageError(exc.format_message(), hint=hint), as_json)
            sys.exit(2)
        except click.exceptions.ClickException as exc:
            report(GradUsageError(exc.format_message()), as_json)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("aborted", err=True)
            sys.exit(130)
        except BrokenPipeError:  # `gradcli ... | head`: the reader left; not an error of ours
            sys.stderr.close()
            sys.exit(0)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except MemoryError:
            report(GradUsageError("out of memory: the program or the data is too large for this machine"),
                   as_json)
            sys.exit(2)
        except Exception as exc:  # a bug of ours: say so plainly, keep the traceback for debugging
            if os.environ.get("GRADCLI_DEBUG"):
                raise
            click.echo(f"gradcli: internal error: {type(exc).__name__}: {exc}\n"
                       "This is a bug in gradcli; run again with GRADCLI_DEBUG=1 for the traceback.",
                       err=True)
            sys.exit(70)
        if isinstance(rv, int):
            sys.exit(rv)
        sys.exit(0)


def read_program(arg: str) -> str:
    """The expression argument: literal text, `-` for stdin, `@FILE` for a file."""
    if arg == "-":
        return sys.stdin.read()
    if arg == "@":
        raise GradUsageError("'@' needs a file name, as in @program.txt")
    if arg.startswith("@"):
        path = arg[1:]
        try:
            # newline="": the text exactly as in the file ("expression" in JSON), CRLF too
            with open(path, encoding="utf-8", newline="") as f:
                return f.read()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise GradUsageError(f"cannot read the program file '{path}': {reason}") from None
    return arg


def split_args(args: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """EXPR then bindings; the expression text and {name: value text}."""
    from .bindings import split_bindings

    if not args:
        raise GradUsageError("missing the expression", hint="e.g. gradcli grad \"(x+y)*z\" -x 1 -y 3 -z -3")
    first = args[0]
    if first.startswith("-") and first != "-":
        raise GradUsageError(
            f"the expression is missing or starts with '-' ('{first}')",
            hint="the expression comes first; one that starts with '-' looks like an option: "
                 "write it as \"(-x^2)\", or pass it through '-' (stdin) or @FILE")
    return read_program(first), split_bindings(args[1:])


def wrt_names(wrt: tuple[str, ...]) -> list[str] | None:
    if not wrt:
        return None
    names = [n.strip() for item in wrt for n in item.split(",") if n.strip()]
    if not names:
        raise GradUsageError("--wrt needs at least one name")
    return names


def program_command(fn):
    """The shared shape of commands that take EXPR and bindings."""

    @click.argument("args", nargs=-1, type=click.UNPROCESSED, metavar="EXPR [-NAME VALUE]...")
    @click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
    @functools.wraps(fn)
    def wrapper(*a, **kw):
        return fn(*a, **kw)

    return wrapper


@click.group(cls=GradcliGroup, context_settings={"help_option_names": ["--help"]})
@click.version_option(__version__, "--version", prog_name="gradcli", message="%(prog)s %(version)s")
def main():
    """Exact values and gradients of expressions, through a computational graph.

    \b
    Examples:
      gradcli eval "(x+y)*z" -x 1 -y 3 -z -3
      gradcli grad "(x+y)*z" -x 1 -y 3 -z -3
      gradcli grad "y = x*w; L = (y - target)^2" -x 2 -w 3 --target 2 --json

    Bind variables as -x 1, --x 1, --x=1 or x=1; a value may be a constant
    expression (-x pi/4). The expression may be '-' (stdin) or @FILE.
    Exit codes: 0 ok, 1 a check failed, 2 bad input, 3 the mathematics failed.
    """


if __name__ == "__main__":  # pragma: no cover
    main(prog_name="gradcli")
