"""Float kernels: the forward rule of every operation on plain Python floats.

Every kernel follows IEEE 754 and never raises: a domain error gives nan, an
overflow gives ±inf, as NumPy does. The forward pass checks each node's value
and turns a non-finite one into a math error that names the node; derivative
rules may pass through an infinity on the way to a finite answer (the
gradient of tanh at 1000 is 1/cosh(1000)^2 = 0, not an overflow).
"""

from __future__ import annotations

import math
from operator import add, mul, neg, sub  # noqa: F401  (re-exported as kernels)

inf = math.inf
nan = math.nan


def div(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or a != a:
            return nan
        return math.copysign(inf, a) * math.copysign(1.0, b)


def power(a: float, b: float) -> float:
    try:
        return math.pow(a, b)
    except OverflowError:
        odd = a < 0 and b == int(b) and int(b) % 2 == 1
        return -inf if odd else inf
    except ValueError:  # 0 to a negative power, or a negative base and a fractional power
        return inf if a == 0 else nan


def exp(a: float) -> float:
    try:
        return math.exp(a)
    except OverflowError:
        return inf


def _logarithm(fn):
    def log_kernel(a: float) -> float:
        if a > 0:
            return fn(a)
        return -inf if a == 0 else nan

    log_kernel.__name__ = fn.__name__
    return log_kernel


log = _logarithm(math.log)
log2 = _logarithm(math.log2)
log10 = _logarithm(math.log10)


def sqrt(a: float) -> float:
    return math.sqrt(a) if a >= 0 else nan


sin, cos, tan, atan, tanh = math.sin, math.cos, math.tan, math.atan, math.tanh


def asin(a: float) -> float:
    return math.asin(a) if -1 <= a <= 1 else nan


def acos(a: float) -> float:
    return math.acos(a) if -1 <= a <= 1 else nan


def sinh(a: float) -> float:
    try:
        return math.sinh(a)
    except OverflowError:
        return math.copysign(inf, a)


def cosh(a: float) -> float:
    try:
        return math.cosh(a)
    except OverflowError:
        return inf


def sech(a: float) -> float:
    """1/cosh(a); 0 where cosh overflows (|a| > 710), never an overflow itself."""
    try:
        return 1.0 / math.cosh(a)
    except OverflowError:
        return 0.0


def sigmoid(a: float) -> float:
    # exp of a non-positive number only: no overflow at ±1000.
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    z = math.exp(a)
    return z / (1.0 + z)


def softplus(a: float) -> float:
    # log(1 + e^a) = max(a, 0) + log1p(e^-|a|): exact at ±1000, no overflow.
    return max(a, 0.0) + math.log1p(math.exp(-abs(a)))


def relu(a: float) -> float:
    return a if a > 0 else 0.0


def leaky_relu(a: float, slope: float = 0.01) -> float:
    return a if a > 0 else slope * a


def absolute(a: float) -> float:
    return abs(a)


def sign(a: float) -> float:
    if a > 0:
        return 1.0
    return -1.0 if a < 0 else 0.0 * a  # sign(nan) stays nan


def step(a: float) -> float:
    return 1.0 if a > 0 else 0.0


def maximum(a: float, b: float) -> float:
    return a if a >= b else b


def minimum(a: float, b: float) -> float:
    return a if a <= b else b


def identity(a: float) -> float:
    return a
