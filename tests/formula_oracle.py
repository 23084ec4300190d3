"""Test helpers for formulas: gradcli programs as SymPy expressions, and random programs.

`to_sympy` reads a program with gradcli's parser and writes each node as the
SymPy expression of its mathematical definition (SPEC §1): it never looks at
gradcli's derivative rules, so SymPy's `diff` of it is an independent oracle.
"""

from __future__ import annotations

import math
import random

import sympy as sp

from gradcli.language.parse import parse

SYMBOLS: dict[str, sp.Symbol] = {}


def symbol(name: str) -> sp.Symbol:
    if name not in SYMBOLS:
        SYMBOLS[name] = sp.Symbol(name, real=True)
    return SYMBOLS[name]


def _sigmoid(u):
    return 1 / (1 + sp.exp(-u))


DEFINITIONS = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "neg": lambda a: -a, "pow": lambda a, b: a ** b, "id": lambda a: a,
    "exp": sp.exp, "log": sp.log, "log2": lambda a: sp.log(a, 2), "log10": lambda a: sp.log(a, 10),
    "sqrt": sp.sqrt, "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "asin": sp.asin, "acos": sp.acos,
    "atan": sp.atan, "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "sech": sp.sech,
    "sigmoid": _sigmoid, "softplus": lambda a: sp.log(1 + sp.exp(a)),
    "relu": lambda a: sp.Max(0, a),
    "leaky_relu": lambda a, s=sp.Rational(1, 100): sp.Piecewise((a, a > 0), (s * a, True)),
    "abs": sp.Abs, "sign": sp.sign, "step": lambda a: sp.Heaviside(a, 0),
    "max": sp.Max, "min": sp.Min,
}


def to_sympy(text: str):
    """The program's output as a SymPy expression (its assignments substituted)."""
    g = parse(text)
    built = []
    for i, op in enumerate(g.ops):
        if op.name == "input":
            built.append(symbol(g.names[i]))
        elif op.name == "const":
            name = g.names.get(i)
            named = {"pi": sp.pi, "e": sp.E}.get(name)   # not z of `z = 0.1`: that is 1/10
            built.append(named if named is not None else sp.Rational(repr(g.consts[i])))
        else:
            built.append(DEFINITIONS[op.name](*(built[j] for j in g.args[i])))
    return built[g.output]


def value_at(expr, point: dict[str, float]) -> float:
    """A SymPy expression's value at a point, as a float (nan where it is not a real number)."""
    subs = {symbol(n): sp.Rational(repr(v)) for n, v in point.items()}
    v = sp.N(expr.subs(subs), 30)
    if not v.is_real or v.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        return math.nan
    return float(v)


def close(got: float, want: float, rel: float = 1e-9, abs_: float = 1e-9) -> bool:
    return math.isfinite(got) and abs(got - want) <= max(abs_, rel * abs(want))


# -- random programs -------------------------------------------------------------------

SMOOTH_UNARY = ["sin({})", "cos({})", "tanh({})", "sigmoid({})", "atan({})", "exp(sin({}))",
                "log({}^2 + 1)", "sqrt({}^2 + 1)", "softplus({})", "({})^2", "({})^3", "-({})"]
PIECEWISE_UNARY = ["relu({})", "abs({})", "leaky_relu({})"]
BINARY = ["({}) + ({})", "({}) - ({})", "({}) * ({})", "({}) / (({})^2 + 1)", "max({}, {})",
          "({}) * 2.5 - ({})"]
POLYNOMIAL_UNARY = ["({})^2", "({})^3", "-({})", "3*({})"]
POLYNOMIAL_BINARY = ["({}) + ({})", "({}) - ({})", "({}) * ({})", "({}) / (({})^2 + 1)"]


def random_program(rng: random.Random, statements: int, variables=("x", "y", "z"),
                   smooth_only: bool = False, polynomial: bool = False) -> str:
    """A program of assignments whose later statements reuse earlier names (a DAG)."""
    unary = POLYNOMIAL_UNARY if polynomial else SMOOTH_UNARY + ([] if smooth_only else PIECEWISE_UNARY)
    binary = POLYNOMIAL_BINARY if polynomial else [b for b in BINARY
                                                    if not (smooth_only and b.startswith("max"))]
    pool = list(variables) + ["2", "0.5"]
    lines = []
    unused = []                    # names no later statement reads: the output adds them up
    for k in range(statements):
        if rng.random() < 0.4:
            operands = [rng.choice(pool)]
            body = rng.choice(unary).format(*operands)
        else:
            operands = [rng.choice(pool), rng.choice(pool)]
            body = rng.choice(binary).format(*operands)
        unused = [n for n in unused if n not in operands]
        name = f"v{k}"
        lines.append(f"{name} = {body}")
        unused.append(name)
        pool += [name, name]       # recent names twice as likely: deeper graphs
    used = parse("\n".join(lines)).inputs
    missing = [v for v in variables if v not in used]   # every variable is an input
    lines.append("out = " + " + ".join(unused + missing))
    return "\n".join(lines)


def random_point(rng: random.Random, variables=("x", "y", "z")) -> dict[str, float]:
    return {v: round(rng.uniform(-1.5, 1.5), 3) for v in variables}
