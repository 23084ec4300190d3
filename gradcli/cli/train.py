"""`gradcli train`: gradient descent on a loss expression, over data or at one point."""

from __future__ import annotations

import signal
from contextlib import contextmanager

import click

from gradcli.cli.choice import Choice

from gradcli.training import optimizers as opt
from gradcli.training import schedules
from gradcli.cli import BINDING_CONTEXT, program_command, split_args
from gradcli.errors import GradUsageError


def _params(items: tuple[str, ...]) -> dict[str, str]:
    """--param NAME=INIT, repeatable, in the order given."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, init = item.partition("=")
        name = name.strip()
        if not sep or not name or not init.strip():
            raise GradUsageError(f"--param '{item}': write NAME=INIT, e.g. --param w=0")
        if name in out:
            raise GradUsageError(f"--param '{name}' is given twice")
        out[name] = init.strip()
    return out


def _from_command_line(**values):
    """The values given on the command line; None for a default, which the library fills
    and which is no mistake for an optimizer that does not read it (training.loop)."""
    from click.core import ParameterSource

    ctx = click.get_current_context()
    return [v if ctx.get_parameter_source(k) == ParameterSource.COMMANDLINE else None
            for k, v in values.items()]


@click.command("train", context_settings=BINDING_CONTEXT)
@program_command
@click.option("--param", "params", multiple=True, metavar="NAME=INIT",
              help="A parameter to learn and its initial value (repeatable).")
@click.option("--data", metavar="FILE",
              help="Rows of data: CSV with a header, or JSON Lines; '-' reads stdin. "
                   "Columns feed the inputs of the same name; the loss is the mean over rows.")
@click.option("--lr", type=float,
              help=f"Learning rate (default: PyTorch's, {opt.DEFAULT_LR:g}; "
                   f"{opt.LR_DEFAULTS['rmsprop']:g} for adagrad and rmsprop).")
@click.option("--steps", type=int, help="Number of updates (default 100, or --epochs).")
@click.option("--epochs", type=int, help="Passes over the data (each ⌈rows / batch size⌉ steps).")
@click.option("--batch-size", type=int, help="Rows per step, shuffled each epoch (default: all rows).")
@click.option("--optimizer", type=Choice(opt.NAMES), default="sgd",
              show_default=True, help="Update rule, as torch.optim's.")
@click.option("--momentum", type=float, default=opt.DEFAULT_MOMENTUM, show_default=True,
              help="Momentum factor of --optimizer momentum.")
@click.option("--beta1", type=float, default=opt.DEFAULT_BETAS[0], show_default=True, help="Adam's β1.")
@click.option("--beta2", type=float, default=opt.DEFAULT_BETAS[1], show_default=True, help="Adam's β2.")
@click.option("--eps", type=float,
              help=f"ε of adam, adagrad and rmsprop (default {opt.DEFAULT_EPS:g}; "
                   f"{opt.EPS_DEFAULTS['adagrad']:g} for adagrad).")
@click.option("--alpha", type=float, help=f"RMSprop's smoothing constant α (default {opt.DEFAULT_ALPHA:g}).")
@click.option("--lr-decay", type=float, help="Adagrad's learning-rate decay (default 0).")
@click.option("--schedule", type=Choice(schedules.NAMES),
              help="Change the learning rate as training goes, as torch.optim.lr_scheduler: "
                   "step (StepLR), exponential (ExponentialLR), cosine (CosineAnnealingLR).")
@click.option("--step-size", type=int, metavar="N",
              help="--schedule step: multiply the rate by --gamma every N steps.")
@click.option("--gamma", type=float,
              help=f"The factor of --schedule step (default {schedules.DEFAULT_STEP_GAMMA:g}) "
                   "and exponential (required).")
@click.option("--t-max", type=int, metavar="N",
              help="--schedule cosine: the steps of the half cosine (default: all the steps).")
@click.option("--eta-min", type=float, help="--schedule cosine: the lowest rate (default 0).")
@click.option("--clip", type=float, help="Clip the norm of all gradients together to this.")
@click.option("--tol", type=float, help="Stop when the loss changes by less than this between steps.")
@click.option("--seed", type=int, help="Seed for the shuffling of batches and for randn(…)/rand(…) in --param and binding values (those: 0 by default).")
@click.option("--history", "history_file", metavar="FILE",
              help="Write every step (loss, parameters, gradients, gradient norm, and the "
                   "learning rate with --schedule) to a .csv or .jsonl file.")
def train_command(args, as_json, params, data, lr, steps, epochs, batch_size, optimizer,
                  momentum, beta1, beta2, eps, alpha, lr_decay, schedule, step_size, gamma,
                  t_max, eta_min, clip, tol, seed, history_file):
    """Gradient descent on the loss EXPR: learn the --param values that lower it.

    Inputs that are not parameters are bound as in `grad` (-x 2) or read
    from the columns of --data, whose loss is the mean over the rows.

    \b
    Examples:
      gradcli train "(x*w - target)^2" -x 2 --target 2 --param w=3 --lr 0.1 --steps 1
      gradcli train "(w*x + b - y)^2" --data points.csv --param w=0 --param b=0 --lr 0.05 --epochs 200
      gradcli train "(w - 3)^2" --param w=0 --lr 0.1 --steps 1000 --tol 1e-12 --json
      gradcli train "(w - 3)^2" --param w=0 --optimizer rmsprop --schedule cosine --steps 200
    """
    from gradcli.program.program import Program
    from gradcli.training.loop import TrainingDiverged, check_optimizer_options, resolve_inputs, train
    from gradcli.views.progress import training_progress

    if data == "-" and args and args[0] == "-":
        raise GradUsageError("the expression and --data cannot both come from standard input",
                             hint="pass one of them as a file (the expression as @FILE)")
    momentum, beta1, beta2, eps = _from_command_line(momentum=momentum, beta1=beta1, beta2=beta2, eps=eps)
    check_optimizer_options(optimizer, momentum, (beta1, beta2), eps)  # before reading any data
    text, given = split_args(args)
    program = Program(text)
    initial = _params(params)
    if any(v.lstrip()[:1] in ("[", "@") or "(" in v for v in initial.values()):
        from gradcli.cli import draws
        from gradcli.program.bindings import resolve

        # array initial values (W1=0.5*randn(16, 2)) draw from --seed after the bindings
        initial = resolve(initial, draws=draws(click.get_current_context()))
    if history_file:
        from gradcli.views.history_file import history_format

        history_format(history_file)  # a bad name fails before training, not after
    dataset = None
    if data is not None:
        from gradcli.data.dataset import load

        _, _, needed = resolve_inputs(program, initial, given, [])
        dataset = load(data, needed)
    # Every step goes out as it is done: to --history FILE, and to --json's history.
    from gradcli.views.history_file import HistoryWriter, JsonHistory

    scheduled = schedule is not None  # the rate changes: each step's goes into the history
    writer = HistoryWriter(history_file, list(initial), scheduled) if history_file else None
    json_history = JsonHistory(scheduled) if as_json else None
    reached = {}  # how far training got, for a Ctrl-C

    def on_record(row):
        if writer is not None:
            writer.write(row)
        if json_history is not None:
            json_history.write(row)
        reached.setdefault("first", row[1])
        reached.update(step=row[0], loss=row[1])
        if ctrl_c:  # taken here, between steps: every row counted is a row written
            raise KeyboardInterrupt

    ctrl_c = []
    try:
        with _ctrl_c_between_steps(ctrl_c), training_progress() as bar:
            def on_step(step, total, loss):
                reached["total"] = total
                if bar is not None:
                    bar(step, total, loss)

            result = train(program, initial, given, dataset, lr=lr, steps=steps, epochs=epochs,
                           batch_size=batch_size, optimizer=optimizer, clip=clip, tol=tol,
                           seed=seed, momentum=momentum, betas=(beta1, beta2), eps=eps,
                           alpha=alpha, lr_decay=lr_decay, schedule=schedule, step_size=step_size,
                           gamma=gamma, t_max=t_max, eta_min=eta_min, on_step=on_step, on_record=on_record)
        if writer is not None:
            writer.close()  # a run of 0 steps still gets its file: the CSV header
    except TrainingDiverged as exc:
        if writer is not None and writer.count:
            exc.hint += f"; the steps before are in {history_file}"
        raise
    except KeyboardInterrupt:  # Ctrl-C: keep what was done, say how far it got, exit 130
        _interrupted(reached, writer)
    finally:
        if writer is not None:
            writer.close(create=False)  # after an error, a file only if a step was written
    for warning in result.warnings:
        click.echo(f"gradcli: warning: {warning}", err=True)
    if as_json:
        json_history.echo(result.to_json(history=False))
    else:
        from gradcli.views.train_view import print_summary

        print_summary(result)


@contextmanager
def _ctrl_c_between_steps(flag: list):
    """The first Ctrl-C is noted and taken after the step being done (on_record raises
    it), so that it never lands between a row's write and its count; a second one
    interrupts at once."""
    def note(signum, frame):
        if flag:
            raise KeyboardInterrupt
        flag.append(True)

    try:
        previous = signal.signal(signal.SIGINT, note)
    except ValueError:  # not the main thread: Ctrl-C as Python delivers it
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _interrupted(reached: dict, history) -> None:
    """Ctrl-C: the finished steps are in the --history file; say so and how far training got.

    Nothing goes to stdout, --json or not: the run has no result. Exit 130, as a shell does.
    """
    from gradcli.numbers import fmt

    if "step" not in reached:
        message = "training interrupted before the first step was done"
    else:
        of = f" of {reached['total']}" if "total" in reached else ""
        message = (f"training interrupted after step {reached['step']}{of}: "
                   f"the loss was {fmt(reached['loss'], 6)} (at the start {fmt(reached['first'], 6)})")
    if history is not None:
        n = history.count
        message += f"; {'the 1 finished step is' if n == 1 else f'the {n} finished steps are'} in {history.path}"
    click.echo(f"gradcli: {message}", err=True)
    raise SystemExit(130)
