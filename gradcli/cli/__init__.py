"""The command line: click commands that read options, call the library, pick a view.

Kept thin on purpose: everything here is also callable from Python (gradcli.program.program).
Heavy imports (Rich, the parser) happen inside the commands, so `--help` and
`--version` stay fast, and `--json` never loads Rich.
"""

from __future__ import annotations

import functools
import os
import sys

from gradcli.cli import start

# The command's first act, before click loads: a help request is answered from the
# stored pages and exits here (start.py says when); a library import does nothing.
start.begin()

import click  # noqa: E402

from gradcli import __version__
from gradcli.cli.one_shot import ReaderLeft, error_text, failed, silence_stdout
from gradcli.errors import GradcliError, GradNameError, GradSyntaxError, GradUsageError, closest, shorten

# Options are long ones only: every single-letter name is free for variables.
BINDING_CONTEXT = dict(ignore_unknown_options=True, allow_extra_args=True,
                       help_option_names=["--help"])


def _wants_json() -> bool:
    return "--json" in sys.argv[1:]


def report(exc: GradcliError, as_json: bool) -> None:
    """The error on stderr (one paragraph), and as JSON on stdout with --json."""
    if as_json:
        from gradcli.views.json_view import dumps

        try:
            click.echo(dumps(exc.to_json()), nl=False)
        except OSError:  # stdout is full or gone: the message on stderr still tells
            silence_stdout()
    click.echo(error_text(exc), err=True)


# A word taken for a mistyped option is no longer a variable's binding, so an option is
# offered only when nearer than other names must be: --rate (a variable) is not --latex.
OPTION_NEAR = 0.75


def long_options(ctx: click.Context) -> list[str]:
    """The names of a command's long options, without their dashes (help too)."""
    return [opt[2:] for param in ctx.command.get_params(ctx)
            for opt in (*param.opts, *param.secondary_opts) if opt.startswith("--")]


# A literal expression that is also the name of an existing file (`grad staged.grad`,
# the '@' forgotten): remembered so that a syntax or name error can point at @FILE.
_program_file: str | None = None

def _with_file_hint(exc: GradcliError) -> GradcliError:
    """A syntax or name error about an expression that is a file's name: suggest @FILE,
    first; a syntax error's own hint (`staged.grad` read as a method call) then goes."""
    if _program_file is not None and isinstance(exc, (GradSyntaxError, GradNameError)):
        hint = f"a file named {_program_file} exists: did you mean @{_program_file}?"
        keep = exc.hint if isinstance(exc, GradNameError) else None
        exc.hint = f"{hint}\n{keep}" if keep else hint
    return exc


# click >= 8.2 raises this for a group called without a command.
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())

# Each command lives in its own module under gradcli/cli and is imported
# only when it runs (or when --help lists it): start-up pays for one command.
COMMANDS = {
    "eval": "gradcli.cli.eval_grad:eval_command",
    "grad": "gradcli.cli.eval_grad:grad_command",
    "trace": "gradcli.cli.trace:trace_command",
    "train": "gradcli.cli.train:train_command",
    "check": "gradcli.cli.check:check_command",
    "exercise": "gradcli.cli.exercise:exercise_command",
    "hessian": "gradcli.cli.hessian:hessian_command",
}


class GradcliGroup(click.Group):
    """Loads commands lazily; turns every failure into a message and its exit code
    (README "Errors and exit codes")."""

    def list_commands(self, ctx):
        return [name for name in COMMANDS if self._load(name) is not None]

    def get_command(self, ctx, name):
        return self._load(name)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise ReaderLeft() from None

    def resolve_command(self, ctx, args):
        name = args[0] if args else ""
        if not name.startswith("-") and self.get_command(ctx, name) is None:
            close = closest(name, self.list_commands(ctx))
            if close:
                raise GradUsageError(f"no such command '{shorten(name)}'; did you mean '{close}'?",
                                     hint=f"see '{ctx.command_path} --help'")
            raise GradUsageError(f"no such command '{shorten(name)}'",
                                 hint="the command comes first, then the expression, as in "
                                      "gradcli grad \"x*y\" -x 1 -y 2; the commands are "
                                      + ", ".join(self.list_commands(ctx)))
        return super().resolve_command(ctx, args)

    @staticmethod
    def _load(name):
        import importlib

        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        try:
            command = getattr(importlib.import_module(module), attr)
        except ModuleNotFoundError as exc:
            if exc.name == module:  # a command not built yet
                return None
            raise
        if not command.context_settings.get("allow_extra_args"):
            # No bindings (check, exercise): -h cannot be one, so it is help (README "Commands").
            command.context_settings["help_option_names"] = ["--help", "-h"]
        return command

    def main(self, args=None, prog_name=None, **kwargs):
        global _program_file
        _program_file = None
        as_json = _wants_json() if args is None else "--json" in args
        try:
            rv = super().main(args=args, prog_name=prog_name, standalone_mode=False, **kwargs)
            sys.stdout.flush()  # a full disk or a closed pipe shows here, not at exit
        except GradcliError as exc:
            report(_with_file_hint(exc), as_json)
            sys.exit(exc.exit_code)
        except _NO_ARGS_IS_HELP as exc:  # bare `gradcli`: the help, as asked for
            click.echo(exc.ctx.get_help())
            sys.exit(0)
        except click.exceptions.NoSuchOption as exc:
            message = f"no such option {shorten(exc.option_name)}"
            meant = (closest(exc.option_name.lstrip("-"), long_options(exc.ctx), OPTION_NEAR)
                     if exc.ctx is not None else None)
            if meant:
                message += f"; did you mean --{meant}?"
            hint = f"see '{exc.ctx.command_path} --help'" if exc.ctx is not None else None
            report(GradUsageError(message, hint=hint), as_json)
            sys.exit(2)
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
        except KeyboardInterrupt as exc:
            failed(exc, click.echo)
        except MemoryError:
            report(GradUsageError("out of memory: the program or the data is too large for this machine"),
                   as_json)
            sys.exit(2)
        except (Exception, SystemExit) as exc:
            failed(exc, click.echo)
        if isinstance(rv, int):
            sys.exit(rv)
        sys.exit(0)


def read_program(arg: str) -> str:
    """The expression argument: literal text, `-` for stdin, `@FILE` for a file."""
    if arg == "-":
        from gradcli.data import files  # (only here: a literal program does not need it)

        return files.read_text("-", "the program", limit=files.MAX_PROGRAM_BYTES)
    if arg == "@":
        raise GradUsageError("'@' needs a file name, as in @program.txt")
    if arg.startswith("@"):
        from gradcli.data import files

        # Read as bytes and decoded: the text exactly as in the file ("expression" in
        # JSON), CRLF too; a byte-order mark at the start is dropped.
        return files.read_text(arg[1:], "the program file", limit=files.MAX_PROGRAM_BYTES)
    global _program_file
    if len(arg) < 4096 and "\n" not in arg and os.path.isfile(arg):
        _program_file = arg
    return arg


def _mistyped_option(word: str, ctx: click.Context | None) -> str | None:
    """The long option that `word` (-NAME or --NAME[=V]) was probably meant to be."""
    if ctx is None or not word.startswith("-"):
        return None
    name = word.lstrip("-").split("=", 1)[0]
    if len(name) < 2:  # single letters are variables' (README "Binding values")
        return None
    close = closest(name.replace("_", "-"), long_options(ctx), OPTION_NEAR)  # --sig_figs: --sig-figs
    return f"--{close}" if close else None


def _other_commands_option(word: str, ctx: click.Context | None) -> str | None:
    """The commands that have the long option `word` (--NAME[=V]) when this one has not.

    Only for words written with two dashes: `--steps` given to eval is meant for trace,
    `-steps` may well be a variable. Loads the other commands, so called only for
    `--NAME` words with a name of two or more letters that this command lacks."""
    if ctx is None or not word.startswith("--"):
        return None
    name = word[2:].split("=", 1)[0]
    if len(name) < 2 or name in long_options(ctx):
        return None
    group = ctx.parent.command if ctx.parent is not None else None
    if not isinstance(group, click.Group):
        return None
    owners = []
    for command_name in group.list_commands(ctx):
        command = group.get_command(ctx, command_name)
        if command is not None and command is not ctx.command and any(
                opt == f"--{name}" for param in command.params
                for opt in (*param.opts, *param.secondary_opts)):
            owners.append(command_name)
    if not owners:
        return None
    return owners[0] if len(owners) == 1 else ", ".join(owners[:-1]) + " and " + owners[-1]


def _option_of_others(word: str, owners: str, ctx: click.Context) -> GradUsageError:
    shown = shorten(word.split("=", 1)[0])
    name = ctx.info_name or ctx.command.name
    first = owners.replace(",", " ").split()[0]
    return GradUsageError(f"{name} has no option {shown}: it is an option of {owners}",
                          hint=f"see 'gradcli {first} --help'; a variable of that name is "
                               f"bound as {shown[2:]}=VALUE")


def _no_such_option(word: str, option: str, ctx: click.Context) -> GradUsageError:
    shown = shorten(word.split("=", 1)[0])
    return GradUsageError(f"no such option {shown}; did you mean {option}?",
                          hint=f"see '{ctx.command_path} --help'")


def split_args(args: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """EXPR then bindings; the expression text and {name: value text}."""
    from gradcli.program.bindings import binding_words, split_bindings

    ctx = click.get_current_context(silent=True)
    if not args:
        raise GradUsageError("missing the expression", hint="e.g. gradcli grad \"(x+y)*z\" -x 1 -y 3 -z -3")
    first = args[0]
    if first.startswith("-") and first != "-":
        option = _mistyped_option(first, ctx)
        if option:
            raise _no_such_option(first, option, ctx)
        raise GradUsageError(
            f"the expression is missing or starts with '-' ('{shorten(first)}')",
            hint="the expression comes first; one that starts with '-' looks like an option: "
                 "write it as \"(-x^2)\", or pass it through '-' (stdin) or @FILE")
    text = read_program(first)
    # A binding named like one of the command's options (--step for --steps) is a typo,
    # unless the program really has a name of that spelling (README "Binding values"):
    # parse to see, only on this rare path.
    suspects = []
    for word, name, _ in binding_words(args[1:]):
        if option := _mistyped_option(word, ctx):
            suspects.append((word, name, option, _no_such_option))
        elif owners := _other_commands_option(word, ctx):
            suspects.append((word, name, owners, _option_of_others))
    if suspects:
        from gradcli.language.parse import parse

        graph = parse(text)
        for word, name, option, error in suspects:
            if name not in graph.inputs and name not in graph.assigned:
                raise error(word, option, ctx)
    given = split_bindings(args[1:])
    if ctx is not None and (ctx.meta.get("gradcli.inputs") or any(
            v.lstrip()[:1] in ("[", "@") or "(" in v for v in given.values())):
        given = _with_arrays(given, ctx)
    return text, given


def _with_arrays(given: dict, ctx: click.Context) -> dict:
    """--inputs FILE's names, then the command line's; array texts read now, with --seed."""
    from gradcli.program.bindings import Sourced, resolve

    merged: dict = {}
    for path in ctx.meta.get("gradcli.inputs") or ():
        from gradcli.data.array_files import read_inputs

        source = f"--inputs {shorten(path)}"
        for name, v in read_inputs(path).items():
            if name in merged:   # two files, one name: which one was meant is not ours to guess
                raise GradUsageError(f"'{shorten(name)}' is given a value twice: in "
                                     f"{merged[name].source} and in {source}")
            merged[name] = Sourced(v, source)
    for name in given:
        if name in merged:
            raise GradUsageError(f"'{shorten(name)}' is given a value twice: on the command "
                                 f"line and in {merged[name].source}")
    merged.update(given)
    return resolve(merged, draws=draws(ctx))


def draws(ctx: click.Context):
    """The command's one random generator for binding values (--seed; train's params too)."""
    from gradcli.program.array_bindings import Draws

    if "gradcli.draws" not in ctx.meta:
        ctx.meta["gradcli.draws"] = Draws(ctx.meta.get("gradcli.seed"))
    return ctx.meta["gradcli.draws"]


def wrt_names(wrt: tuple[str, ...]) -> list[str] | None:
    if not wrt:
        return None
    names = [n.strip() for item in wrt for n in item.split(",") if n.strip()]
    if not names:
        raise GradUsageError("--wrt needs at least one name")
    return names


def program_command(fn):
    """The shared shape of commands that take EXPR and bindings.

    Every such command takes --inputs FILE (arrays by name) and --seed N (the draws of
    randn/rand in binding values); a command with its own --seed (train) shares it.
    """
    own_seed = any(p.name == "seed" for p in getattr(fn, "__click_params__", []))

    @click.argument("args", nargs=-1, type=click.UNPROCESSED, metavar="EXPR [-NAME VALUE]...")
    @click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
    @click.option("--inputs", "inputs_file", metavar="FILE", multiple=True,
                  help="Bind many names at once from FILE.npz, or FILE.json (an object of names to "
                       "values). Repeatable: a model's file and a data file.")
    @functools.wraps(fn)
    def wrapper(*a, **kw):
        # `gradcli CMD -h`: no expression before it, so help (README "Commands")
        ctx = click.get_current_context()
        if kw["args"][:1] == ("-h",):
            click.echo(ctx.get_help())
            ctx.exit(0)
        ctx.meta["gradcli.inputs"] = kw.pop("inputs_file")
        ctx.meta["gradcli.seed"] = kw["seed"] if own_seed else kw.pop("binding_seed")
        return fn(*a, **kw)

    if not own_seed:
        wrapper = click.option("--seed", "binding_seed", type=int, default=0, show_default=True,
                               help="Seed of randn(…)/rand(…) in binding values "
                                    "(numpy.random.default_rng).")(wrapper)
    return wrapper


@click.group(cls=GradcliGroup, context_settings={"help_option_names": ["--help", "-h"]})
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
