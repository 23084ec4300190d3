"""Exact mode (`--exact`): values and gradients as fractions, never rounded.

    >>> from gradcli.symbolic.exact import exact_grad
    >>> r = exact_grad("(x+y)/(x*y)", x="1/3", y=2)
    >>> r.value, r.gradient
    (Fraction(7, 2), {'x': Fraction(-9, 1), 'y': Fraction(-1, 4)})

Values given as integers, decimals or fractions (`1/3`, `2421/98`, `-0.25`)
stay `Fraction`s through + − × ÷, whole powers, exact roots and the
piecewise-linear functions. The value comes from the program's graph, the
gradient from its derivative graph (`symbolic.gradient_graph`), both run by
`evaluation.evaluate` on the exact kernels, so only what the asked gradients
need is computed: the ∂/∂exponent of x^2, log(x)·x^2, is never made. A result
that leaves the rationals (sin(1/3), 2^0.5, pi) is a value error (exit 2),
one that is undefined (1/0) a math error (exit 3), as without --exact.

JSON keeps the contract's plain numbers and adds the fractions as strings:

    {"expression", "inputs", "value", "gradient",
     "exact": {"inputs": {"x": "1/3", ...}, "value": "7/2", "gradient": {"x": "-9", ...}}}
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Mapping

from gradcli.ops import rationals as R
from gradcli.errors import GradMathError, GradValueError
from gradcli.numbers import to_float
from gradcli.passes.evaluate import Failed, evaluate, needed_for
from gradcli.language.expr import as_fraction

HINT = ("exact mode keeps fractions through + - * /, whole powers and exact roots; "
        "drop --exact for a decimal answer")


def fail(what: str, failed: Failed) -> Exception:
    """The user's error for a value that exact mode could not compute."""
    exc = failed.error
    if isinstance(exc, R.Irrational):
        return GradValueError(f"exact mode: {what} is not a rational number: {exc}", hint=HINT)
    if isinstance(exc, R.TooLarge):
        return GradMathError(f"exact mode: {what} is too large to compute exactly ({exc})")
    return GradMathError(f"{what} cannot be computed: {exc}")


def exact_value(value, name: str = "") -> Fraction:
    """A binding value as a fraction: 3, -4, 2.5, '1/3', '2421/98', '2^-3', 7/2 (a Fraction)."""
    if isinstance(value, (int, Fraction)) and not isinstance(value, bool):
        return Fraction(value)
    if isinstance(value, float):
        return as_fraction(value)
    from gradcli.program.bindings import _PLAIN_NUMBER, parse_value
    from gradcli.language.parse import parse

    text = str(value).strip()
    parse_value(text, name)                          # the usual checks and messages
    if _PLAIN_NUMBER.match(text):
        _check_size(text, name)
        return Fraction(text)                        # every digit the user wrote
    g = parse(text)
    v = evaluate(g, {}, exact=True)[g.output]
    if isinstance(v, Failed):
        raise fail(f"the value of '{name}', '{value}',", v)
    return v


def _check_size(text: str, name: str) -> None:
    """Refuse a number whose exact fraction would pass the exact kernels' limit.

    Digits and the exponent's zeros both count: 1e-100000 is 1/10^100000, and
    Python would not even write such an integer out (its 4,300-digit limit).
    """
    mantissa, _, exponent = text.lower().lstrip("+-").partition("e")
    digits = sum(c.isdigit() for c in mantissa.lstrip("0."))
    zeros = len(exponent.lstrip("+-")) > 7 or abs(int(exponent or 0)) > _MAX_DIGITS
    if zeros or digits + abs(int(exponent or 0)) > _MAX_DIGITS:
        raise GradValueError(
            f"exact mode: the value of '{name}' has too many digits to keep exactly: exact mode "
            f"keeps numbers of up to {R.MAX_BITS:,} bits (about {_MAX_DIGITS:,} digits, "
            "counting the zeros an exponent stands for)", hint=HINT)


_MAX_DIGITS = int(R.MAX_BITS * math.log10(2))    # 3,612


def about(v: Fraction, digits: int = 6) -> str:
    """A fraction in `digits` significant digits, past the doubles too: '2e+480', '-2.5e+449'."""
    from decimal import Decimal, localcontext

    with localcontext() as ctx:          # exact mode's 12,000 bits fit Decimal's exponents
        ctx.prec = digits
        d = (Decimal(v.numerator) / Decimal(v.denominator)).normalize()
    return f"{d:g}"


_MAX = Fraction(sys.float_info.max)


def _beyond(v: Fraction) -> str:
    """'2e+480, beyond the largest double (about 1.8e308)', with the digits that tell
    the two apart for a value just past it (1.7976931348623158798e+308)."""
    shown = about(v)
    if abs(Fraction(shown)) > _MAX:
        return f"{shown}, beyond the largest double (about 1.8e308)"
    return f"{about(v, 20)}, beyond the largest double ({sys.float_info.max!r})"


# What a double cannot hold, and what to do about it (JSON's plain numbers are doubles).
JSON_HINT = "without --json, --exact prints the exact value as a fraction"


def number(v: Fraction, what: str, needed: str = "JSON's plain numbers cannot hold it",
           hint: str | None = JSON_HINT) -> float:
    """`v` as a float for the plain numbers, or a math error naming `what` when it does not fit.

    An exact answer is never inf: one beyond the largest double (∂²/∂x² of 1/x at
    1e-160 is 2e480) is printed as a fraction, and only what needs a float of it
    (JSON's numbers, --classify) says that it has none.
    """
    f = to_float(v)
    if not math.isfinite(f):
        raise GradMathError(f"exact mode: {what} is {_beyond(v)}: {needed}", hint=hint)
    return f


@dataclass
class ExactResult:
    """One exact run: inputs, value and gradients as fractions."""

    program: object                       # api.Program
    inputs: dict[str, Fraction]
    value: Fraction
    gradient: dict[str, Fraction] | None = None
    values: list | None = None            # every node's value, by node id, as api.Result's

    def to_json(self) -> dict:
        obj = {"expression": self.program.text,
               "inputs": {n: number(v, f"'{n}'") for n, v in self.inputs.items()},
               "value": number(self.value, "the value")}
        exact = {"inputs": {n: R.text(v) for n, v in self.inputs.items()}, "value": R.text(self.value)}
        if self.gradient is not None:
            obj["gradient"] = {n: number(v, f"the derivative ∂/∂{n}") for n, v in self.gradient.items()}
            exact["gradient"] = {n: R.text(v) for n, v in self.gradient.items()}
        obj["exact"] = exact
        return obj


def bind_exact(program, values: Mapping | None, kw: Mapping) -> dict[str, Fraction]:
    """Check values as every command does, then read each one exactly."""
    from gradcli.program.bindings import _PLAIN_NUMBER, bind
    from gradcli.passes.floats import forward

    given = dict(values or {})
    given.update(kw)
    for name, text in given.items():      # exact mode's own limit is the first thing to say
        if isinstance(text, str) and _PLAIN_NUMBER.match(text.strip()):
            _check_size(text.strip(), name)
    floats = bind(program.inputs, list(program.graph.assigned), given)
    forward(program.graph, floats)        # the math errors of the float pass, same messages
    return {name: exact_value(given[name], name) for name in program.inputs}


def exact_values(program, inputs: dict[str, Fraction]) -> list:
    """Every node's exact value where the output depends on it."""
    g = program.graph
    vals = evaluate(g, inputs, exact=True, needed=g.feeds_output())
    out = vals[g.output]
    if isinstance(out, Failed):
        raise fail(f"'{g.label(out.node)}'", out)
    return vals


def exact_evaluate(program, values: Mapping | None = None, /, **kw) -> ExactResult:
    """The value of a program, exactly."""
    program = _program(program)
    inputs = bind_exact(program, values, kw)
    vals = exact_values(program, inputs)
    return ExactResult(program, inputs, vals[program.graph.output], values=vals)


def exact_grad(program, values: Mapping | None = None, /, *,
               wrt: Iterable[str] | None = None, **kw) -> ExactResult:
    """The value and the gradients of a program, exactly (wrt as in api.Program.grad)."""
    from gradcli.passes.floats import no_gc
    from gradcli.symbolic.derivative_graph import gradient_graph

    program = _program(program)
    inputs = bind_exact(program, values, kw)
    vals = exact_values(program, inputs)
    with no_gc():
        gg = gradient_graph(program, wrt)
        found = evaluate(gg.expr, inputs, exact=True, needed=needed_for(gg.expr, gg.nodes.values()))
    gradient = {}
    for name, node in gg.nodes.items():
        v = found[node]
        if isinstance(v, Failed):
            raise fail(f"the gradient with respect to '{name}'", v)
        gradient[name] = v
    return ExactResult(program, inputs, vals[program.graph.output], gradient, vals)


def _program(program):
    from gradcli.program.program import Program

    return Program(program) if isinstance(program, str) else program
