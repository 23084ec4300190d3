"""Exact kernels: the forward rule of every operation on `fractions.Fraction`.

They carry the names of the float kernels in `kernels.py` (an operation's
`kernel` field finds both). + − × ÷, whole powers, relu, abs, sign, step, max
and min never leave the rational numbers. A root stays rational where it is
exact (sqrt(9/4) = 3/2, 8^(1/3) = 2); the transcendental functions are rational
only at the few points where their value is a known rational (exp(0) = 1,
log(1) = 0, sigmoid(0) = 1/2, ...). Anywhere else a kernel raises:

- `Irrational`  the result is a real number but not a rational one (sin(1/3)),
- `Undefined`   the result is not a real number (1/0, log(-1), sqrt(-2)),
- `TooLarge`    the exact result would need more than `MAX_BITS` bits.
"""

from __future__ import annotations

from fractions import Fraction

# A result beyond this many bits is refused, not computed: Python will not even write
# an integer of more than 4,300 digits (about 14,000 bits) as text.
MAX_BITS = 12_000

ZERO, ONE, HALF = Fraction(0), Fraction(1), Fraction(1, 2)
number = Fraction  # the kind of number rules.compile_rule makes the rules' constants


class Irrational(ArithmeticError):
    """The exact result is not a rational number."""


class Undefined(ArithmeticError):
    """The result is not a real number (division by zero, log of 0, ...)."""


class TooLarge(ArithmeticError):
    """The exact result is too large to compute."""


def text(v: Fraction) -> str:
    """A fraction as the JSON and the tables show it: '7/2', '-9'."""
    return str(v)


def _iroot(n: int, k: int) -> int | None:
    """The exact k-th root of the integer n >= 0, or None (integer Newton steps)."""
    if n < 2:
        return n
    if k >= n.bit_length():          # 1 < root < 2: not a whole number
        return None
    x = 1 << -(-n.bit_length() // k)  # a power of two above the root
    while True:
        y = ((k - 1) * x + n // x ** (k - 1)) // k
        if y >= x:
            break
        x = y
    return x if x ** k == n else None


def _root(a: Fraction, k: int) -> Fraction | None:
    """The exact k-th root of a >= 0, or None when it is irrational."""
    num, den = _iroot(a.numerator, k), _iroot(a.denominator, k)
    if num is None or den is None:
        return None
    return Fraction(num, den)


def _fit(r: Fraction) -> Fraction:
    if max(r.numerator.bit_length(), r.denominator.bit_length()) > MAX_BITS:
        raise TooLarge(f"an exact result would have more than {MAX_BITS} bits")
    return r


def add(a, b):
    return _fit(a + b)


def sub(a, b):
    return _fit(a - b)


def mul(a, b):
    return _fit(a * b)


def neg(a):
    return -a


def div(a, b):
    if b == 0:
        raise Undefined("division by zero")
    return _fit(a / b)


def _whole_power(a: Fraction, n: int) -> Fraction:
    if a == 0 and n < 0:
        raise Undefined("0 to a negative power")
    bits = max(a.numerator.bit_length(), a.denominator.bit_length())
    if bits > 1 and abs(n) * bits > MAX_BITS:
        raise TooLarge(f"a power has more than {MAX_BITS} bits")
    return _fit(a ** n)


def power(a, b):
    if b.denominator == 1:
        return _whole_power(a, int(b))
    if a < 0:
        raise Undefined("a negative base to a power that is not a whole number")
    if a == 0:
        if b < 0:
            raise Undefined("0 to a negative power")
        return ZERO
    root = _root(a, b.denominator)
    if root is None:
        raise Irrational(f"{a}^({b}) is not a rational number")
    return _whole_power(root, b.numerator)


def sqrt(a):
    if a < 0:
        raise Undefined("sqrt of a negative number")
    root = _root(a, 2)
    if root is None:
        raise Irrational(f"sqrt({a}) is not a rational number")
    return root


def _special(name: str, points: dict):
    """A transcendental function, rational only at the listed points."""

    def kernel(a):
        for at, value in points.items():
            if a == at:
                return value
        raise Irrational(f"{name}({a}) is not a rational number")

    kernel.__name__ = name
    return kernel


exp = _special("exp", {ZERO: ONE})
sin = _special("sin", {ZERO: ZERO})
cos = _special("cos", {ZERO: ONE})
tan = _special("tan", {ZERO: ZERO})
atan = _special("atan", {ZERO: ZERO})
sinh = _special("sinh", {ZERO: ZERO})
cosh = _special("cosh", {ZERO: ONE})
tanh = _special("tanh", {ZERO: ZERO})
sech = _special("sech", {ZERO: ONE})
sigmoid = _special("sigmoid", {ZERO: HALF})
softplus = _special("softplus", {})


def _bounded(name: str, points: dict):
    """asin and acos: undefined outside [-1, 1]."""
    inner = _special(name, points)

    def kernel(a):
        if not -1 <= a <= 1:
            raise Undefined(f"{name} needs a number in [-1, 1]")
        return inner(a)

    kernel.__name__ = name
    return kernel


asin = _bounded("asin", {ZERO: ZERO})
acos = _bounded("acos", {ONE: ZERO})


def _logarithm(name: str, base: int | None):
    def kernel(a):
        if a <= 0:
            raise Undefined(f"{name} needs a positive number")
        if a == 1:
            return ZERO
        if base is not None:  # log2(1/8) = -3: a whole power of the base
            num, den = a.numerator, a.denominator
            if num == 1 or den == 1:
                n, k = max(num, den), 0
                while n % base == 0:
                    n //= base
                    k += 1
                if n == 1:
                    return Fraction(k if den == 1 else -k)
        raise Irrational(f"{name}({a}) is not a rational number")

    kernel.__name__ = name
    return kernel


log = _logarithm("log", None)
log2 = _logarithm("log2", 2)
log10 = _logarithm("log10", 10)


def relu(a):
    return a if a > 0 else ZERO


def leaky_relu(a, slope=Fraction(1, 100)):
    return a if a > 0 else slope * a


def absolute(a):
    return abs(a)


def sign(a):
    return ONE if a > 0 else (-ONE if a < 0 else ZERO)


def step(a):
    return ONE if a > 0 else ZERO


def maximum(a, b):
    return a if a >= b else b


def minimum(a, b):
    return a if a <= b else b


def identity(a):
    return a
