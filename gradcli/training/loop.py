"""Gradient descent on a loss written as an expression (`gradcli train`).

    >>> from gradcli.training.loop import train
    >>> r = train("(x*w - target)^2", {"w": 3}, {"x": 2, "target": 2}, lr=0.1, steps=1)
    >>> r.params, r.history.loss
    ({'w': 1.4}, [16.0])

Each step: the loss and its gradient at the current parameters (forward
and backward passes: engines.py), the gradient's norm, clipping, then the
optimizer's update (optimizers.py). With data the loss is the mean of the
expression over a batch of rows. A loss or gradient that is not finite
stops training with a math error that says at which step.

`history` records the steps: the loss *before* that step's update, the
parameters at which it was computed, the gradient and its norm (before
clipping), and the learning rate the step used (schedules.py); every step up to FULL_HISTORY steps, a thinned-out sample past
that (on_record sees every step). `loss` is the loss at the returned
parameters, over all rows. A loss that ends more than GROWTH_WARNING times
its start is a warning in `warnings` (the run is not stopped).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Mapping

from gradcli.training import optimizers
from gradcli.training import schedules
from gradcli.errors import GradcliError, GradMathError, GradNameError, GradUsageError
from gradcli.numbers import fmt

DEFAULT_STEPS = 100


FULL_HISTORY = 10_000   # steps that History keeps whole; past that, every 2nd, 4th, 8th, … step
GROWTH_WARNING = 1e6    # a final loss a millionfold the first one is reported as diverging


class LossRanges:
    """The lowest and highest loss of each run of `span` consecutive steps, for the loss curve.

    When more than `limit` runs are kept, neighbours merge and the span doubles:
    memory stays bounded however long training runs, and the extremes stay exact.
    """

    def __init__(self, limit: int = 2048):
        self.limit, self.span, self.count = limit, 1, 0
        self.low: list[float] = []
        self.high: list[float] = []

    def add(self, v: float) -> None:
        if self.count % self.span == 0:  # the first step of a new run
            self.low.append(v)
            self.high.append(v)
        else:
            self.low[-1], self.high[-1] = min(self.low[-1], v), max(self.high[-1], v)
        self.count += 1
        if len(self.low) > self.limit:  # limit is even: the last run, just begun, stays alone
            self.low = [min(self.low[i:i + 2]) for i in range(0, len(self.low), 2)]
            self.high = [max(self.high[i:i + 2]) for i in range(0, len(self.high), 2)]
            self.span *= 2

    def runs(self):
        """(lowest, highest, steps) of each run, in order."""
        for k, (lo, hi) in enumerate(zip(self.low, self.high)):
            yield lo, hi, min(self.span, self.count - k * self.span)


@dataclass
class History:
    """The steps: loss (before the update), parameters, gradient, gradient norm, learning rate.

    Every step is kept up to `limit` steps. Past that, only the steps 1, 1 + k,
    1 + 2k, … and the latest are kept (`steps` says which), k doubling each time
    the count would pass `limit`, so a long run does not fill the memory;
    len(history) is still the number of steps done and `ranges` keeps the
    loss's exact extremes for the curve. A row (add, rows) ends with the
    learning rate only when `scheduled`: without a schedule it is --lr at every step.
    """

    names: list[str]
    limit: int = FULL_HISTORY
    steps: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    params: list[tuple] = field(default_factory=list)
    grads: list[tuple] = field(default_factory=list)
    norm: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    scheduled: bool = False
    stride: int = 1
    count: int = 0
    ranges: LossRanges = field(default_factory=LossRanges)

    def __len__(self) -> int:
        return self.count

    def add(self, loss: float, params: tuple, grads: tuple, norm: float, lr: float = math.nan) -> list:
        """Record the next step; returns its row (as rows() gives it)."""
        self.count += 1
        self.ranges.add(loss)
        if self.steps and (self.steps[-1] - 1) % self.stride:  # kept only as the latest step
            for column in self._columns():
                column.pop()
        for column, v in zip(self._columns(), (self.count, loss, params, grads, norm, lr)):
            column.append(v)
        if len(self.steps) > self.limit:
            self.stride *= 2
            last = len(self.steps) - 1
            keep = [i for i, s in enumerate(self.steps) if (s - 1) % self.stride == 0 or i == last]
            for column in self._columns():
                column[:] = [column[i] for i in keep]
        return [self.count, loss, *params, *grads, norm, *((lr,) if self.scheduled else ())]

    def _columns(self):
        return self.steps, self.loss, self.params, self.grads, self.norm, self.lr

    def rows(self):
        """One list per kept step: step, loss, each parameter, each gradient, the norm
        (and the learning rate, when scheduled)."""
        for s, v, p, g, n, lr in zip(self.steps, self.loss, self.params, self.grads, self.norm, self.lr):
            yield [s, v, *p, *g, n, *((lr,) if self.scheduled else ())]


@dataclass
class TrainResult:
    expression: str
    initial: dict[str, float]
    params: dict[str, float]
    loss: float                       # at the returned parameters, over all rows
    steps: int                        # updates made
    history: History
    stopped: str = "steps"            # "steps", or "tol": the loss changed by less than tol
    rows: int | None = None           # rows of data (None: no data)
    source: str | None = None         # where the data came from
    config: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_json(self, history: bool = True) -> dict:
        """train --json (README "Training"): expression, params, loss, steps,
        history of {step, loss} (the steps kept), with "lr" too when scheduled.

        "warnings" is there only when there are some; history=False leaves
        "history" out, for a caller that writes the steps as they come.
        """
        obj = {"expression": self.expression, "params": dict(self.params), "loss": self.loss,
               "steps": self.steps}
        if self.warnings:
            obj["warnings"] = list(self.warnings)
        if history:
            h = self.history
            obj["history"] = ([{"step": s, "loss": v, "lr": r} for s, v, r in zip(h.steps, h.loss, h.lr)]
                              if h.scheduled else
                              [{"step": s, "loss": v} for s, v in zip(h.steps, h.loss)])
        return obj


class TrainingDiverged(GradMathError):
    """A non-finite loss or gradient during training (exit 3); history holds the steps done."""

    def __init__(self, message: str, hint: str, history: History):
        super().__init__(message, hint)
        self.history = history


def resolve_inputs(program, params: Mapping[str, object], values: Mapping[str, object] | None,
                   data_columns: list[str] | None):
    """Split the program's inputs into parameters, bound values and data columns.

    Returns (initial parameter values, {bound name: value}, [column names]).
    """
    from gradcli.program.bindings import bind, binding_example

    inputs, assigned = program.inputs, list(program.graph.assigned)
    values = dict(values or {})
    if not params:
        raise GradUsageError("nothing to train: mark at least one parameter with --param NAME=INIT",
                             hint=f"e.g. --param {inputs[0] if inputs else 'w'}=0")
    both = [n for n in params if n in values]
    if both:
        raise GradUsageError(f"'{both[0]}' is both a --param and given a value; it can be only one")
    # bind() checks names (unknown, constants, assigned) and parses values; inputs
    # that will come from the data get a placeholder here.
    rest = {n: 0.0 for n in inputs if n not in params and n not in values}
    checked = bind(inputs, assigned, {**rest, **params, **values})
    initial = {n: checked[n] for n in params}
    scalars = {n: checked[n] for n in values}
    if rest and data_columns is None:
        names = ", ".join(f"'{n}'" for n in rest)
        raise GradNameError(f"no value for {names}",
                            hint=f"give a value ({binding_example(rest)}), make it a parameter "
                                 f"(--param {next(iter(rest))}=0), or read it from --data FILE")
    return initial, scalars, list(rest)


def train(program, params: Mapping[str, object], values: Mapping[str, object] | None = None,
          data=None, *, lr: float | None = None, steps: int | None = None,
          epochs: int | None = None, batch_size: int | None = None, optimizer: str = "sgd",
          clip: float | None = None, tol: float | None = None, seed: int | None = None,
          momentum: float | None = None,
          betas: tuple[float | None, float | None] | None = None, eps: float | None = None,
          alpha: float | None = None, lr_decay: float | None = None,
          schedule: str | None = None, step_size: int | None = None, gamma: float | None = None,
          t_max: int | None = None, eta_min: float | None = None,
          on_step: Callable[[int, int, float], None] | None = None,
          on_record: Callable[[list], None] | None = None) -> TrainResult:
    """Train `params` ({name: initial value}) to lower the program's output.

    program: a Program or its text. values: bound inputs {name: number or text}.
    data: a data.Dataset, or {column: sequence of numbers}; the loss is then the
    mean over a batch of rows. Give steps, or epochs with data (default: 100 steps).
    lr, momentum, betas (or one of the two) and eps None: PyTorch's default for the
    optimizer (optimizers.py); given to an optimizer that does not read them, a usage
    error, as alpha (RMSprop's) and lr_decay (Adagrad's) are. schedule: "step" (step_size, gamma), "exponential"
    (gamma) or "cosine" (t_max, default the number of steps; eta_min), as schedules.py.
    on_step(step, total steps, loss) is called after every update, and
    on_record(row) with the step's row of History.rows(), so that every step
    can be written out as it is done (History keeps at most FULL_HISTORY of them).
    """
    from gradcli.program.program import Program

    program = program if isinstance(program, Program) else Program(program)
    if data is not None:
        from gradcli.data.dataset import Dataset

        if not isinstance(data, Dataset):
            data = Dataset.from_columns(data)
    check_optimizer_options(optimizer, momentum, betas, eps)
    lr = optimizers.default_lr(optimizer) if lr is None else float(lr)
    eps = optimizers.default_eps(optimizer) if eps is None else eps
    momentum = optimizers.DEFAULT_MOMENTUM if momentum is None else momentum
    betas = tuple(d if b is None else b for b, d in zip(betas or (None, None), optimizers.DEFAULT_BETAS))
    _check_options(lr, steps, epochs, batch_size, optimizer, clip, tol, momentum, betas, eps, data)
    _check_new_options(optimizer, alpha, lr_decay, schedule, step_size, gamma, t_max, eta_min)
    columns = None if data is None else list(data.columns)
    initial, scalars, needed = resolve_inputs(program, params, values, columns)
    if data is not None:
        _check_no_param_column(initial, data)
    names = list(initial)
    from gradcli.training.engines import has_arrays

    if has_arrays(program.graph, {**initial, **scalars}):   # README "Arrays: vectors and matrices": array parameters
        from gradcli.training.engines import ArrayPointEngine, RowsEngine

        if data is None:
            engine = ArrayPointEngine(program.graph, names, scalars, initial)
            total = steps if steps is not None else DEFAULT_STEPS
        else:
            from gradcli.data.dataset import missing_columns

            missing = [n for n in needed if n not in data.columns]
            if missing:
                raise missing_columns(data.source, missing, list(data.columns))
            engine = RowsEngine(program.graph, names, scalars, initial, data, batch_size)
            total = steps if steps is not None else (
                epochs * engine.steps_per_epoch if epochs is not None else DEFAULT_STEPS)
    elif data is None:
        from gradcli.training.engines import PointEngine

        engine = PointEngine(program.graph, names, scalars)
        total = steps if steps is not None else DEFAULT_STEPS
    else:
        from gradcli.data.dataset import missing_columns
        from gradcli.training.engines import ColumnEngine

        missing = [n for n in needed if n not in data.columns]
        if missing:
            raise missing_columns(data.source, missing, list(data.columns))
        engine = ColumnEngine(program.graph, names, scalars, data, batch_size)
        total = steps if steps is not None else (
            epochs * engine.steps_per_epoch if epochs is not None else DEFAULT_STEPS)
    opt = optimizers.make(optimizer, lr, momentum, betas, eps,
                          optimizers.DEFAULT_ALPHA if alpha is None else alpha,
                          optimizers.DEFAULT_LR_DECAY if lr_decay is None else lr_decay)
    rate = schedules.make(schedule, lr, step_size=step_size, gamma=gamma, t_max=t_max,
                          eta_min=eta_min, steps=total)
    history = History(names, scheduled=schedule is not None)
    theta = [initial[n] for n in names]
    config = dict(lr=lr, optimizer=optimizer, clip=clip, tol=tol, batch_size=batch_size,
                  epochs=epochs, steps=total, seed=seed, data=data is not None,
                  schedule=_schedule_config(rate))
    stopped, last, previous = "steps", None, None
    batches = engine.batches(seed)
    for step in range(1, total + 1):
        engine.use(next(batches))
        try:
            loss, grads = engine.evaluate(theta)
        except GradMathError as exc:
            raise _diverged(step, exc, config, history) from None
        if tol is not None and previous is not None and abs(loss - previous) < tol:
            stopped, last = "tol", (loss if engine.full_batch else None)  # the loss at theta
            break
        norm = optimizers.grad_norm(grads)
        before = tuple(theta)
        clipped = grads if clip is None else optimizers.clip_grad_norm(grads, clip, norm)
        opt.lr = rate.lr
        try:
            theta = opt.step(theta, clipped)
        except ZeroDivisionError:  # only with --eps 0: PyTorch would make the parameter nan
            raise TrainingDiverged(
                f"training diverged at step {step}: the {optimizer} update divides by 0 (a "
                "parameter's gradient has been 0, or too small to square, and --eps is 0)",
                "give --eps more than 0, e.g. --eps 1e-8", history) from None
        # Recorded once the update is made: a Ctrl-C leaves only whole steps behind.
        row = history.add(loss, before, tuple(grads), norm, rate.lr)
        rate.advance()  # scheduler.step(), after optimizer.step()
        if on_record is not None:
            on_record(row)
        if on_step is not None:
            on_step(step, total, loss)
        previous = loss
    if last is None:
        try:
            last, _ = engine.evaluate(theta, full=True)
        except GradMathError as exc:
            raise _diverged(len(history) + 1, exc, config, history, after=True) from None
    return TrainResult(program.text, initial, dict(zip(names, theta)), last, len(history),
                       history, stopped, engine.rows,
                       None if data is None else data.source, config, _warnings(history, last, lr))


def _check_no_param_column(params: Mapping[str, object], data) -> None:
    """A --param named as a column would silently shadow the data: surely a mistake (a value
    given on the command line may override a column; README "Training")."""
    both = [n for n in params if n in data.names]
    if both:
        raise GradUsageError(f"'{both[0]}' is both a column of {data.source} and a --param: rename "
                             "one, or drop the --param to read it from the data")


def _warnings(history: History, last: float, lr: float) -> list[str]:
    """A loss that ends up more than a millionfold its start: training diverged without
    (yet) overflowing, and exit 0 alone would not say so."""
    if not len(history) or history.loss[0] == 0 or last <= GROWTH_WARNING * abs(history.loss[0]):
        return []
    return [f"the loss grew more than a millionfold, from {fmt(history.loss[0], 6)} at the start "
            f"to {fmt(last, 6)}: training diverged; try a smaller --lr (it was {fmt(lr)})"]


def finite(name, v, low=0.0, strict=False):
    """A usage error unless v is finite and at least (strict: more than) low."""
    if not math.isfinite(v) or v < low or (strict and v == low):
        bound = f"more than {fmt(low)}" if strict else f"at least {fmt(low)}"
        raise GradUsageError(f"{name} must be a finite number {bound} (got {fmt(v)})")


def _check_options(lr, steps, epochs, batch_size, optimizer, clip, tol, momentum, betas, eps, data):
    finite("--lr", lr)
    if clip is not None:
        finite("--clip", clip, strict=True)
    if tol is not None:
        finite("--tol", tol)
    finite("--momentum", momentum)
    finite("--eps", eps)
    for name, beta in zip(("--beta1", "--beta2"), betas):
        if not 0 <= beta < 1:
            raise GradUsageError(f"{name} must be in [0, 1) (got {fmt(beta)})")
    if optimizer not in optimizers.NAMES:
        raise GradUsageError(f"unknown optimizer '{optimizer}'; choose one of {', '.join(optimizers.NAMES)}")
    if steps is not None and epochs is not None:
        raise GradUsageError("give --steps or --epochs, not both")
    if steps is not None and steps < 0:
        raise GradUsageError(f"--steps must be 0 or more (got {steps})")
    if epochs is not None and epochs < 1:
        raise GradUsageError(f"--epochs must be 1 or more (got {epochs})")
    if epochs is not None and data is None:
        raise GradUsageError("--epochs counts passes over --data; without data use --steps")
    if batch_size is not None and batch_size < 1:
        raise GradUsageError(f"--batch-size must be 1 or more (got {batch_size})")
    if batch_size is not None and data is None:
        raise GradUsageError("--batch-size needs --data")


def _schedule_config(rate) -> dict | None:
    """What the headline says about the schedule."""
    if rate.name is None:
        return None
    out = {"name": rate.name}
    for key in ("step_size", "gamma", "t_max", "eta_min"):
        if hasattr(rate, key):
            out[key] = getattr(rate, key)
    return out


_SCHEDULE_OPTIONS = {"step_size": ("--step-size", ("step",)), "gamma": ("--gamma", ("step", "exponential")),
                     "t_max": ("--t-max", ("cosine",)), "eta_min": ("--eta-min", ("cosine",))}


# Options that only some optimizers read: given to another one, they would be ignored
# without a word.
_OPTIMIZER_OPTIONS = {
    "--momentum": (("momentum",), "the momentum factor of --optimizer momentum"),
    "--beta1": (("adam",), "Adam's β1"),
    "--beta2": (("adam",), "Adam's β2"),
    "--eps": (("adam", "adagrad", "rmsprop"), "the ε of adam, adagrad and rmsprop"),
}


def check_optimizer_options(optimizer, momentum, betas, eps):
    beta1, beta2 = betas or (None, None)
    given = {"--momentum": momentum, "--beta1": beta1, "--beta2": beta2, "--eps": eps}
    for option, value in given.items():
        where, what = _OPTIMIZER_OPTIONS[option]
        if value is not None and optimizer in optimizers.NAMES and optimizer not in where:
            raise GradUsageError(f"{option} is {what}: it needs --optimizer {' or '.join(where)} "
                                 f"(the optimizer is {optimizer})")


def _check_new_options(optimizer, alpha, lr_decay, schedule, step_size, gamma, t_max, eta_min):
    """The options of adagrad, rmsprop and the schedules: given only where they apply."""
    if alpha is not None:
        if optimizer != "rmsprop":
            raise GradUsageError(f"--alpha is RMSprop's smoothing constant: it needs --optimizer rmsprop "
                                 f"(the optimizer is {optimizer})")
        if not 0 <= alpha < 1:
            raise GradUsageError(f"--alpha must be in [0, 1) (got {fmt(alpha)})")
    if lr_decay is not None:
        if optimizer != "adagrad":
            raise GradUsageError(f"--lr-decay is Adagrad's: it needs --optimizer adagrad "
                                 f"(the optimizer is {optimizer})")
        finite("--lr-decay", lr_decay)
    if schedule is not None and schedule not in schedules.NAMES:
        raise GradUsageError(f"unknown schedule '{schedule}'; choose one of {', '.join(schedules.NAMES)}")
    given = {"step_size": step_size, "gamma": gamma, "t_max": t_max, "eta_min": eta_min}
    for key, value in given.items():
        option, where = _SCHEDULE_OPTIONS[key]
        if value is not None and schedule not in where:
            needs = " or ".join(where)
            raise GradUsageError(f"{option} applies to --schedule {needs}"
                                 + ("" if schedule is None else f", not {schedule}"))
    if schedule == "step":
        if step_size is None:
            raise GradUsageError("--schedule step needs --step-size N: the rate is multiplied by "
                                 "--gamma every N steps", hint="e.g. --step-size 30")
        if step_size < 1:
            raise GradUsageError(f"--step-size must be 1 or more (got {step_size})")
    if schedule == "exponential" and gamma is None:
        raise GradUsageError("--schedule exponential needs --gamma: the rate is multiplied by it "
                             "every step", hint="e.g. --gamma 0.99")
    if gamma is not None:
        finite("--gamma", gamma, strict=True)
    if t_max is not None and t_max < 1:
        raise GradUsageError(f"--t-max must be 1 or more (got {t_max})")
    if eta_min is not None:
        finite("--eta-min", eta_min)


def _diverged(step: int, exc: GradcliError, config: dict, history: History,
              after: bool = False) -> TrainingDiverged:
    """The math error of a step, said as where training stopped, with what to try."""
    if step == 1:
        return TrainingDiverged(
            f"the loss cannot be computed at the initial parameters: {exc.message}",
            "check the initial values (--param)" + (" and the data" if config["data"] else ""),
            history)
    where = f"after step {step - 1}" if after else f"at step {step}"
    hint = (f"training diverged: try a smaller --lr (it was {fmt(config['lr'])})"
            + (", or clip the gradient with --clip, e.g. --clip 1" if config["clip"] is None
               else f", or a smaller --clip (it was {fmt(config['clip'])})"))
    return TrainingDiverged(f"training diverged {where}: {exc.message}", hint, history)
