"""Optimizers and gradient clipping, with PyTorch's update rules and defaults.

Parameters are a handful of plain floats, so each update is written out in
Python, operation for operation as `torch.optim` does it on one tensor (the
single-tensor path PyTorch takes on a CPU), so that a run can be checked
against PyTorch step by step:

- `sgd`      torch.optim.SGD(lr):                 p -= lr * g
- `momentum` torch.optim.SGD(lr, momentum=μ):     b = g at the first step, then b = μ·b + g; p -= lr * b
- `adam`     torch.optim.Adam(lr, betas, eps):    bias-corrected first and second moments
- `adagrad`  torch.optim.Adagrad(lr, lr_decay, eps): s += g²; p -= lr/(1 + (t−1)·lr_decay) · g/(√s + ε)
- `rmsprop`  torch.optim.RMSprop(lr, alpha, eps):  s = α·s + (1−α)·g²; p -= lr · g/(√s + ε)

PyTorch's defaults: lr 0.001 (0.01 for adagrad and rmsprop); Adam's betas
(0.9, 0.999) and eps 1e-8; Adagrad's lr_decay 0, eps 1e-10 and an initial
accumulator of 0; RMSprop's alpha 0.99 and eps 1e-8, not centered, without
momentum. PyTorch's SGD has momentum 0 by default, which is plain sgd;
`momentum` uses 0.9, the usual choice, unless told otherwise. No weight decay
anywhere (PyTorch's default).
"""

from __future__ import annotations

import math

DEFAULT_LR = 1e-3
DEFAULT_MOMENTUM = 0.9
DEFAULT_BETAS = (0.9, 0.999)
DEFAULT_EPS = 1e-8
DEFAULT_ALPHA = 0.99              # RMSprop's smoothing constant
DEFAULT_LR_DECAY = 0.0            # Adagrad's
NAMES = ("sgd", "momentum", "adam", "adagrad", "rmsprop")
# Where PyTorch's default differs from DEFAULT_LR / DEFAULT_EPS.
LR_DEFAULTS = {"adagrad": 1e-2, "rmsprop": 1e-2}
EPS_DEFAULTS = {"adagrad": 1e-10}


def default_lr(name: str) -> float:
    return LR_DEFAULTS.get(name, DEFAULT_LR)


def default_eps(name: str) -> float:
    return EPS_DEFAULTS.get(name, DEFAULT_EPS)


class SGD:
    """torch.optim.SGD without momentum."""

    def __init__(self, lr: float = DEFAULT_LR):
        self.lr = lr

    def step(self, params: list[float], grads: list[float]) -> list[float]:
        lr = self.lr
        return [p + (-lr) * g for p, g in zip(params, grads)]  # param.add_(grad, alpha=-lr)


class Momentum:
    """torch.optim.SGD with momentum (no dampening, no Nesterov)."""

    def __init__(self, lr: float = DEFAULT_LR, momentum: float = DEFAULT_MOMENTUM):
        self.lr, self.momentum = lr, momentum
        self.buffers: list[float] | None = None

    def step(self, params: list[float], grads: list[float]) -> list[float]:
        if self.buffers is None:
            self.buffers = list(grads)  # the first step: buf = grad.clone()
        else:
            mu = self.momentum
            self.buffers = [b * mu + g for b, g in zip(self.buffers, grads)]  # buf.mul_(μ).add_(grad)
        lr = self.lr
        return [p + (-lr) * b for p, b in zip(params, self.buffers)]


class Adam:
    """torch.optim.Adam (no weight decay, no amsgrad)."""

    def __init__(self, lr: float = DEFAULT_LR, betas: tuple[float, float] = DEFAULT_BETAS,
                 eps: float = DEFAULT_EPS):
        self.lr, self.betas, self.eps = lr, betas, eps
        self.t = 0
        self.m: list[float] | None = None
        self.v: list[float] | None = None

    def step(self, params: list[float], grads: list[float]) -> list[float]:
        beta1, beta2 = self.betas
        if self.m is None:
            self.m = [0.0] * len(params)
            self.v = [0.0] * len(params)
        self.t += 1
        # exp_avg.lerp_(grad, 1 - β1); exp_avg_sq.mul_(β2).addcmul_(grad, grad, value=1 - β2)
        self.m = [_lerp(m, g, 1 - beta1) for m, g in zip(self.m, grads)]
        self.v = [v * beta2 + (1 - beta2) * g * g for v, g in zip(self.v, grads)]
        bias_correction1 = 1 - beta1 ** self.t
        bias_correction2 = 1 - beta2 ** self.t
        step_size = self.lr / bias_correction1
        bias_correction2_sqrt = bias_correction2 ** 0.5
        out = []
        for p, m, v in zip(params, self.m, self.v):
            denom = _sqrt(v) / bias_correction2_sqrt + self.eps
            out.append(p + (-step_size) * m / denom)  # param.addcdiv_(exp_avg, denom, value=-step_size)
        return out


class Adagrad:
    """torch.optim.Adagrad (no weight decay), its single-tensor path on a CPU."""

    def __init__(self, lr: float = LR_DEFAULTS["adagrad"], lr_decay: float = DEFAULT_LR_DECAY,
                 eps: float = EPS_DEFAULTS["adagrad"], initial_accumulator_value: float = 0.0):
        self.lr, self.lr_decay, self.eps = lr, lr_decay, eps
        self.initial = initial_accumulator_value
        self.t = 0
        self.sums: list[float] | None = None

    def step(self, params: list[float], grads: list[float]) -> list[float]:
        if self.sums is None:
            self.sums = [self.initial] * len(params)
        self.t += 1
        clr = self.lr / (1 + (self.t - 1) * self.lr_decay)
        self.sums = [s + g * g for s, g in zip(self.sums, grads)]   # state_sum.addcmul_(grad, grad, value=1)
        out = []
        for p, g, s in zip(params, grads, self.sums):
            std = _sqrt(s) + self.eps                           # state_sum.sqrt().add_(eps)
            out.append(p + (-clr) * g / std)                        # param.addcdiv_(grad, std, value=-clr)
        return out


class RMSprop:
    """torch.optim.RMSprop (not centered, no momentum, no weight decay), single-tensor path."""

    def __init__(self, lr: float = LR_DEFAULTS["rmsprop"], alpha: float = DEFAULT_ALPHA,
                 eps: float = DEFAULT_EPS):
        self.lr, self.alpha, self.eps = lr, alpha, eps
        self.square_avg: list[float] | None = None

    def step(self, params: list[float], grads: list[float]) -> list[float]:
        alpha = self.alpha
        if self.square_avg is None:
            self.square_avg = [0.0] * len(params)
        # square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        self.square_avg = [s * alpha + (1 - alpha) * g * g for s, g in zip(self.square_avg, grads)]
        out = []
        lr = self.lr
        for p, g, s in zip(params, grads, self.square_avg):
            avg = _sqrt(s) + self.eps                           # square_avg.sqrt().add_(eps)
            out.append(p + (-lr) * g / avg)                         # param.addcdiv_(grad, avg, value=-lr)
        return out


def _sqrt(v):
    """math.sqrt of a float; elementwise of an array parameter's moments."""
    if isinstance(v, float):
        return math.sqrt(v)
    import numpy as np

    return np.sqrt(v)


def _lerp(start: float, end: float, weight: float) -> float:
    """torch.lerp on a CPU: start + weight·(end − start), from the nearer end."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)


def make(name: str, lr: float | None = None, momentum: float = DEFAULT_MOMENTUM,
         betas: tuple[float, float] = DEFAULT_BETAS, eps: float | None = None,
         alpha: float = DEFAULT_ALPHA, lr_decay: float = DEFAULT_LR_DECAY):
    """An optimizer by its command-line name; lr and eps None: PyTorch's default for it.

    The learning rate is the attribute `lr`, which a schedule sets before each step.
    """
    lr = default_lr(name) if lr is None else lr
    eps = default_eps(name) if eps is None else eps
    if name == "adagrad":
        return Adagrad(lr, lr_decay, eps)
    if name == "rmsprop":
        return RMSprop(lr, alpha, eps)
    if name == "sgd":
        return SGD(lr)
    if name == "momentum":
        return Momentum(lr, momentum)
    if name == "adam":
        return Adam(lr, betas, eps)
    raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(NAMES)}")


def grad_norm(grads: list) -> float:
    """The Euclidean norm of all the gradients together (every element of an array's)."""
    if all(isinstance(g, float) for g in grads):
        return math.hypot(*grads)
    import numpy as np

    return math.hypot(*(float(np.sqrt(np.sum(np.square(g)))) for g in grads))


def clip_grad_norm(grads: list[float], max_norm: float, total_norm: float) -> list[float]:
    """torch.nn.utils.clip_grad_norm_: scale the gradients so their norm is at most max_norm.

    As PyTorch: the factor is max_norm / (norm + 1e-6), capped at 1, and it
    is applied even when it is 1.
    """
    coef = min(max_norm / (total_norm + 1e-6), 1.0)
    return [g * coef for g in grads]
