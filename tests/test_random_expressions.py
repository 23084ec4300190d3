"""Random programs over several shared variables, against SymPy.

A seeded generator builds programs of one to three statements over x, y, z, w:
variables are drawn again and again (so each is used many times), and an
assigned intermediate is drawn as often as a variable by the statements after
it (shared intermediates). Each program is written out as gradcli text and,
from the same tree, as a SymPy expression built from the definitions of
SPEC §1 (a function with a kink as the branch that holds around the point).

Domains are handled by construction: the generator evaluates every node of
its tree exactly (60-digit SymPy floats, one node at a time, so no
simplification hides an intermediate) and keeps a program only when every
node is clearly inside its operation's domain and away from every kink. A
program with a node clearly outside (log of a negative number, asin of 1.3)
goes to the math-error test instead, where gradcli must say "math error".
Nodes within 1e-6 of a boundary or a kink, or beyond 1e40 in size, make the
generator draw again: there the double-precision answer depends on rounding,
not on gradcli.

The value and every partial derivative come from SymPy's `diff` and strict
`evalf` on the whole expression. Tolerance: a relative 1e-10, plus an absolute
1e-12 times the largest magnitude met (any node's value, any partial). Random
compositions cancel: in `u = z + cosh(2*w); exp(u - z) + u` at w = -2.2 the
partial in z is exactly 1, but it is the sum 1 + 3e16 - 3e16 and doubles give 0;
a double result can only be as good as the rounding of its biggest term. The
relative 1e-10 leaves room for rounding to grow through a dozen operations
(the worst seen here is 5e-14) while any wrong rule, wrong sum over shared
uses or wrong convention is off by far more.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

import gradcli
from conftest import run_cli
from test_ops_oracle import evaluate_exactly
from gradcli.errors import GradcliError, GradMathError, GradNameError, GradShapeError, GradSyntaxError

VARIABLES = ["x", "y", "z", "w"]
SYMBOLS = {name: sp.Symbol(name, real=True) for name in VARIABLES}
PREC = 60            # digits of the node-by-node exact evaluation
MARGIN = 1e-6        # how close to a boundary or a kink counts as "too close to call"
BIG = 1e40           # nodes beyond this make the generator draw again
N_PROGRAMS = 240
N_ERROR_PROGRAMS = 40

OK, BAD, EDGE = "ok", "bad", "edge"


def F(v) -> sp.Float:
    return sp.Float(v, PREC)


# -- the operations: text, SymPy definition (SPEC §1), and where they are defined ----------
#
# A function with a kink is written as the branch that holds around the point:
# the generator keeps its argument at least MARGIN away from the kink, so the
# function equals that branch on a neighbourhood and has the same derivatives
# there (relu(u) is u where u > 0, 0 where u < 0; max(a, b) is the larger one).

def positive(a):
    return OK if a > MARGIN else BAD if a < -MARGIN else EDGE


def inside_unit(a):
    return OK if abs(a) < 1 - MARGIN else BAD if abs(a) > 1 + MARGIN else EDGE


def away_from_zero(a):
    return OK if abs(a) > MARGIN else EDGE


def anywhere(a):
    return OK


def smooth(fn):
    return lambda u, at: fn(u)


UNARY = {
    # name: (definition f(u, at): the function of u near u = at; domain of the argument)
    "exp": (smooth(sp.exp), anywhere),
    "log": (smooth(sp.log), positive),
    "ln": (smooth(sp.log), positive),
    "log2": (smooth(lambda u: sp.log(u) / sp.log(2)), positive),
    "log10": (smooth(lambda u: sp.log(u) / sp.log(10)), positive),
    "sqrt": (smooth(sp.sqrt), positive),  # not at 0, where its derivative is infinite
    "sin": (smooth(sp.sin), anywhere),
    "cos": (smooth(sp.cos), anywhere),
    "tan": (smooth(sp.tan), anywhere),
    "asin": (smooth(sp.asin), inside_unit),
    "acos": (smooth(sp.acos), inside_unit),
    "atan": (smooth(sp.atan), anywhere),
    "sinh": (smooth(sp.sinh), anywhere),
    "cosh": (smooth(sp.cosh), anywhere),
    "tanh": (smooth(sp.tanh), anywhere),
    "sech": (smooth(sp.sech), anywhere),
    "sigmoid": (smooth(lambda u: 1 / (1 + sp.exp(-u))), anywhere),
    "softplus": (smooth(lambda u: sp.log(1 + sp.exp(u))), anywhere),
    "relu": (lambda u, at: u if at > 0 else sp.Integer(0) * u, away_from_zero),
    "leaky_relu": (lambda u, at: u if at > 0 else sp.Rational(1, 100) * u, away_from_zero),
    "abs": (lambda u, at: u if at > 0 else -u, away_from_zero),
    "sign": (lambda u, at: sp.Integer(1 if at > 0 else -1) + 0 * u, away_from_zero),
    "step": (lambda u, at: sp.Integer(1 if at > 0 else 0) + 0 * u, away_from_zero),
}


def _power_domain(a, b, b_node):
    if a > MARGIN:
        return OK
    if a < -MARGIN:
        if float(b) != int(b):
            return BAD           # a negative base to a fractional power: not real
        # A whole exponent: a real power. If the exponent depends on a variable, its
        # partial derivative (log(a)·a^b) is not real, and is NaN in PyTorch and
        # gradcli even where the exponent is flat (sign(x*y)) and the true partial
        # would be 0: draw again.
        return OK if not b_node.varies else EDGE
    return EDGE


def _power(a, b, at_a, at_b):
    return a ** b


BINARY = {
    # name: (text form, definition f(a, b, at_a, at_b), domain of (a, b, node of b))
    "+": ("({} + {})", lambda a, b, p, q: a + b, lambda a, b, bn: OK),
    "-": ("({} - {})", lambda a, b, p, q: a - b, lambda a, b, bn: OK),
    "*": ("({} * {})", lambda a, b, p, q: a * b, lambda a, b, bn: OK),
    "/": ("({} / {})", lambda a, b, p, q: a / b, lambda a, b, bn: away_from_zero(b)),
    "^": ("({} ^ {})", _power, _power_domain),
    "**": ("({} ** {})", _power, _power_domain),
    "pow": ("pow({}, {})", _power, _power_domain),
    "max": ("max({}, {})", lambda a, b, p, q: a if p > q else b,
            lambda a, b, bn: away_from_zero(a - b)),
    "min": ("min({}, {})", lambda a, b, p, q: a if p < q else b,
            lambda a, b, bn: away_from_zero(a - b)),
    # ∂/∂slope is the argument where it is negative, else 0 (SPEC §1).
    "leaky_relu": ("leaky_relu({}, {})", lambda a, s, p, q: a if p > 0 else s * a,
                   lambda a, b, bn: away_from_zero(a)),
}

CONSTANTS = [("2", sp.Integer(2)), ("3", sp.Integer(3)), ("0.5", sp.Rational(1, 2)),
             (".25", sp.Rational(1, 4)), ("1.5e0", sp.Rational(3, 2)), ("1e-1", sp.Rational(1, 10)),
             ("pi", sp.pi), ("e", sp.E), ("4", sp.Integer(4))]


@dataclass
class Node:
    text: str
    sym: object               # the SymPy expression of the variables (names substituted)
    num: object               # its exact value at the point (60 digits); None when bad
    varies: bool = False      # its text depends on a variable (even if its value is flat)

    @property
    def bad(self) -> bool:
        return self.num is None


class Reject(Exception):
    """Too close to a boundary or a kink, or too big: draw another program."""


@dataclass
class Program:
    text: str
    expr: object                      # the output as a SymPy expression of the variables
    point: dict[str, float]           # a value for every variable the text uses
    assigned: list[str]
    largest: float                    # the largest magnitude of any node
    bad: bool                         # some node has no real value


class Generator:
    """Seeded random programs; nodes are evaluated exactly as they are built."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def program(self, want_bad: bool = False) -> Program:
        """Draw until a program is clean (or, with want_bad, clearly out of a domain)."""
        while True:
            try:
                p = self._draw()
            except Reject:
                continue
            if p.bad == want_bad and len(p.point) >= 2:
                return p

    def _draw(self) -> Program:
        rng = self.rng
        self.point = {v: rng.choice([-1, 1]) * round(rng.uniform(0.2, 2.5), rng.randint(1, 6))
                      for v in VARIABLES}
        # A few variables per program, drawn again and again: each is used many times.
        self.pool = rng.sample(VARIABLES, rng.choice([2, 3, 3, 4]))
        self.used: set[str] = set()
        self.names: dict[str, Node] = {}
        self.largest = 1.0
        self.any_bad = False
        statements = []
        n = rng.choice([1, 2, 2, 3, 3])
        for k in range(n):
            node = self.expr(rng.randint(3, 5))
            if k < n - 1 or rng.random() < 0.3:
                name = ["u", "v", "hidden_2"][k] if k < n - 1 else "out"
                statements.append(f"{name} = {node.text}")
                self.names[name] = node
            else:
                statements.append(node.text)
        sep = rng.choice(["; ", ";", "\n", " ;\n"])
        point = {v: self.point[v] for v in VARIABLES if v in self.used}
        return Program(sep.join(statements), node.sym, point, list(self.names),
                       self.largest, self.any_bad)

    def leaf(self) -> Node:
        rng = self.rng
        r = rng.random()
        if self.names and r < 0.4:
            name = rng.choice(list(self.names))
            node = self.names[name]
            return Node(name, node.sym, node.num, node.varies)
        if r < 0.9:
            v = rng.choice(self.pool)
            self.used.add(v)
            return Node(v, SYMBOLS[v], F(sp.Rational(self.point[v])), True)
        return self.const(CONSTANTS)

    def const(self, choices) -> Node:
        text, value = self.rng.choice(choices)
        return Node(text, value, F(value.evalf(PREC)))

    def expr(self, depth: int) -> Node:
        rng = self.rng
        if depth == 0 or rng.random() < 0.2:
            return self.leaf()
        r = rng.random()
        if r < 0.1:
            c = self.expr(depth - 1)
            if rng.random() < 0.7:
                return self.made(f"(-{c.text})", lambda u, at: -u, [c], OK)
            return self.made(f"(+{c.text})", lambda u, at: u, [c], OK)
        if r < 0.45:
            name = rng.choice(list(UNARY))
            fn, domain = UNARY[name]
            c = self.expr(depth - 1)
            return self.made(f"{name}({c.text})", fn, [c], None if c.bad else domain(c.num))
        op = rng.choice(list(BINARY))
        form, fn, domain = BINARY[op]
        a = self.expr(depth - 1)
        if op in ("^", "**", "pow") and rng.random() < 0.6:
            b = self.const(CONSTANTS[:6])  # mostly a simple power: 2, 3, 0.5, ...
        else:
            b = self.expr(depth - 1)
        verdict = None if a.bad or b.bad else domain(a.num, b.num, b)
        return self.made(form.format(a.text, b.text), fn, [a, b], verdict)

    def made(self, text, fn, children, verdict) -> Node:
        """A node of fn over children; verdict is its domain check (None when a child is bad)."""
        if verdict == EDGE:
            raise Reject
        if verdict == BAD or any(c.bad for c in children):
            self.any_bad = True
            return Node(text, None, None)
        at = [c.num for c in children]
        sym = fn(*(c.sym for c in children), *at)
        num = sp.N(fn(*at, *at), PREC)
        if num.has(sp.zoo, sp.nan, sp.I) or not num.is_real:  # not foreseen by the domains
            raise Reject
        if abs(num) > BIG or (num != 0 and abs(num) < 1 / BIG):
            raise Reject
        self.largest = max(self.largest, float(abs(num)))
        return Node(text, sym, num, any(c.varies for c in children))


def exact(expr, point: dict[str, float]):
    value = evaluate_exactly(expr, {SYMBOLS[n]: v for n, v in point.items()}, digits=30)
    assert value is not None, "the generator kept a program SymPy cannot evaluate"
    return value


def assert_close(got: float, want, scale: float, what: str) -> None:
    want = float(want)
    assert math.isfinite(got), (what, got)
    assert abs(got - want) <= 1e-10 * abs(want) + 1e-12 * scale, (what, got, want)


PROGRAMS = [Generator(seed).program() for seed in range(N_PROGRAMS)]


FUNCTION_NAMES = set(UNARY) | {"pow", "max", "min", "pi", "e"}


def _uses(p: Program) -> dict[str, int]:
    """How often each variable or assigned name is read in the text."""
    import re

    words = [w for w in re.findall(r"[^\W\d]\w*", p.text) if w not in FUNCTION_NAMES]
    return {w: words.count(w) - (w in p.assigned) for w in set(words)}


def test_the_programs_share_variables_and_intermediates():
    """The generator really makes what this file is about (checked on its own output)."""
    uses = [_uses(p) for p in PROGRAMS]
    assert len(PROGRAMS) >= 200
    assert all(len(p.point) >= 2 for p in PROGRAMS)
    assert sum(len(p.point) >= 3 for p in PROGRAMS) >= 80
    assert sum(max(u.values()) >= 2 for u in uses) >= 150
    assert sum(max(u.values()) >= 4 for u in uses) >= 40
    assert sum(len(p.assigned) >= 2 for p in PROGRAMS) >= 100
    assert sum(any(u[n] >= 2 for n in p.assigned) for p, u in zip(PROGRAMS, uses)) >= 60


@pytest.mark.parametrize("seed", range(N_PROGRAMS))
def test_random_program_against_sympy(seed):
    p = PROGRAMS[seed]
    result = gradcli.grad(p.text, p.point)
    value = exact(p.expr, p.point)
    grads = {v: exact(sp.diff(p.expr, SYMBOLS[v]), p.point) for v in p.point}
    scale = max([p.largest, 1.0, *(float(abs(g)) for g in grads.values())])
    assert_close(result.value, value, scale, f"value of {p.text!r} at {p.point}")
    assert set(result.gradient) == set(p.point)
    for v, g in grads.items():
        # A variable used only in a statement that does not feed the output: SymPy's 0.
        assert_close(result.gradient[v], g, scale, f"d/d{v} of {p.text!r} at {p.point}")


@pytest.mark.parametrize("seed", range(0, N_PROGRAMS, 8))
def test_random_program_through_the_cli(seed):
    """The same numbers through `gradcli grad --json`, the program on stdin."""
    p = PROGRAMS[seed]
    bindings = []
    for v, x in p.point.items():
        bindings += [f"-{v}", repr(x)]
    run = run_cli("grad", "-", *bindings, "--json", input=p.text)
    assert run.exit_code == 0, run.stderr
    out = run.json
    assert out["expression"] == p.text and out["inputs"] == p.point
    value = exact(p.expr, p.point)
    grads = {v: exact(sp.diff(p.expr, SYMBOLS[v]), p.point) for v in p.point}
    scale = max([p.largest, 1.0, *(float(abs(g)) for g in grads.values())])
    assert_close(out["value"], value, scale, p.text)
    for v, g in grads.items():
        assert_close(out["gradient"][v], g, scale, p.text)


ERROR_PROGRAMS = [Generator(10_000 + seed).program(want_bad=True) for seed in range(N_ERROR_PROGRAMS)]


@pytest.mark.parametrize("seed", range(N_ERROR_PROGRAMS))
def test_random_program_outside_its_domain_is_a_math_error(seed):
    p = ERROR_PROGRAMS[seed]
    with pytest.raises(GradMathError):
        gradcli.evaluate(p.text, p.point)
    run = run_cli("grad", "-", *[w for v, x in p.point.items() for w in (f"-{v}", repr(x))],
                  "--json", input=p.text)
    assert run.exit_code == 3 and run.json["error"]["kind"] == "math"


# -- syntax-level properties, with programs drawn from the grammar itself -------------------

def _grammar_without_comments():
    """gradcli's grammar, minus comments: a generated '#' would swallow the rest of a line."""
    from lark import Lark

    from gradcli.language.parse import grammar_text

    return Lark(grammar_text().replace("%ignore COMMENT", ""), parser="lalr", lexer="basic")


# Names: mostly real functions and everyday variables (so that calls and assignments
# happen), some Unicode, and anything else the grammar's NAME allows.
NAMES = st.one_of(
    st.sampled_from(["x", "y", "w1", "hidden_2", "θ", "α", "_", "pi", "e",
                     "sin", "max", "log", "leaky_relu", "sigmoid", "pow", "sinn"]),
    st.from_regex(r"\A[^\W\d]\w{0,3}\Z"),
)
PROGRAMS_OF_THE_GRAMMAR = from_lark(_grammar_without_comments(), start="start",
                                    explicit={"NAME": NAMES})


# from_lark draws slowly (~0.3 s a program here), hence a modest number of examples.
@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(PROGRAMS_OF_THE_GRAMMAR)
def test_every_program_of_the_grammar_parses_and_runs_or_fails_cleanly(text):
    """A program the grammar generates parses: the only errors are about names
    (unknown function, bad assignment) or a wrong number of arguments, never
    syntax. Run, it gives a finite value or a math error; cut up, it still fails
    only with a GradcliError."""
    for cut in (1, len(text) // 2, len(text) - 1):
        try:
            gradcli.compile(text[:cut] + ")" + text[cut:])
        except GradcliError:
            pass
    try:
        program = gradcli.compile(text)
    except GradNameError:
        return
    except GradSyntaxError as exc:
        # gradcli reports a wrong number of arguments as a syntax error (SPEC is silent);
        # so is an index that is not a whole number (x[.4]), or more than three.
        assert "argument" in exc.message or "index" in exc.message or "indices" in exc.message, \
            (text, exc.message)
        return
    except GradMathError as exc:
        # A literal such as 9e999 is too large for a double.
        assert "too large" in exc.message, (text, exc.message)
        return
    except GradShapeError:
        return   # arrays (SPEC §6): a ragged literal
    values = {name: 0.75 for name in program.inputs}
    try:
        r = program.grad(values)
    except (GradMathError, GradShapeError):
        return   # shapes: indexing a scalar, an array output, ...
    if getattr(r, "arrays", False):   # an array program with a scalar output
        import numpy as np

        assert np.isfinite(r.value) and all(np.isfinite(g).all() for g in r.gradient.values())
        return
    assert math.isfinite(r.value)
    assert all(math.isfinite(g) for g in r.gradient.values())
