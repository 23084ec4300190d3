"""Learning-rate schedules, with the formulas of torch.optim.lr_scheduler.

A schedule gives the learning rate of each step: `lr` is the rate of the
step about to be taken and `advance()` moves to the next step, as PyTorch's
`scheduler.step()` after each `optimizer.step()`. Step k (counting from 1)
uses the rate PyTorch has at `last_epoch = k - 1`:

- `step`        StepLR(step_size, gamma):  lr · γ^⌊(k−1) / step_size⌋
- `exponential` ExponentialLR(gamma):      lr · γ^(k−1)
- `cosine`      CosineAnnealingLR(T_max, eta_min):
                η_min + (lr − η_min) · (1 + cos(π (k−1) / T_max)) / 2

PyTorch computes each rate from the one before (its "chainable" form:
multiply by γ when a period ends; for the cosine, scale the distance to η_min
by (1 + cos(π t/T)) / (1 + cos(π (t−1)/T))), and so does this module, operation
for operation, so that the rates agree with PyTorch's to the last bit; they
equal the closed forms above up to rounding. Past T_max the cosine rises
again, as PyTorch's does.
"""

from __future__ import annotations

import math

NAMES = ("step", "cosine", "exponential")
DEFAULT_STEP_GAMMA = 0.1   # StepLR's default; ExponentialLR has none (--gamma is required)
DEFAULT_ETA_MIN = 0.0


class Constant:
    """No schedule: every step uses the same rate."""

    name = None

    def __init__(self, lr: float):
        self.lr = lr

    def advance(self) -> None:
        pass


class StepLR:
    name = "step"

    def __init__(self, lr: float, step_size: int, gamma: float = DEFAULT_STEP_GAMMA):
        self.lr, self.step_size, self.gamma = lr, step_size, gamma
        self.epoch = 0

    def advance(self) -> None:
        self.epoch += 1
        if self.epoch % self.step_size == 0:
            self.lr = self.lr * self.gamma


class ExponentialLR:
    name = "exponential"

    def __init__(self, lr: float, gamma: float):
        self.lr, self.gamma = lr, gamma
        self.epoch = 0

    def advance(self) -> None:
        self.epoch += 1
        self.lr = self.lr * self.gamma


class CosineAnnealingLR:
    name = "cosine"

    def __init__(self, lr: float, t_max: int, eta_min: float = DEFAULT_ETA_MIN):
        self.base, self.lr, self.t_max, self.eta_min = lr, lr, t_max, eta_min
        self.epoch = 0

    def advance(self) -> None:
        self.epoch += 1
        t, T, eta_min = self.epoch, self.t_max, self.eta_min
        if (t - 1 - T) % (2 * T) == 0:  # just past the bottom, where the ratio below is 0/0
            self.lr = self.lr + (self.base - eta_min) * (1 - math.cos(math.pi / T)) / 2
        else:
            self.lr = ((1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                       * (self.lr - eta_min) + eta_min)


def make(name: str | None, lr: float, *, step_size: int | None = None, gamma: float | None = None,
         t_max: int | None = None, eta_min: float | None = None, steps: int | None = None):
    """A schedule by its command-line name (None: a constant rate).

    The options are checked by training's option checks before this is called;
    t_max defaults to the number of steps.
    """
    if name is None:
        return Constant(lr)
    if name == "step":
        return StepLR(lr, step_size, DEFAULT_STEP_GAMMA if gamma is None else gamma)
    if name == "exponential":
        return ExponentialLR(lr, gamma)
    if name == "cosine":
        return CosineAnnealingLR(lr, t_max if t_max is not None else max(1, steps or 1),
                                 DEFAULT_ETA_MIN if eta_min is None else eta_min)
    raise ValueError(f"unknown schedule {name!r}; choose one of {', '.join(NAMES)}")
