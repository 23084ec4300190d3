"""`gradcli exercise` keeps its promises for seeds 0-499 at every difficulty.

The promises are those of the README and `gradcli exercise --help`: a small graph
with named intermediates, round input values and one output `f`; difficulty 1
uses +, - and *; 2 adds /, max, min, relu and squares; 3 adds sigmoid, tanh, exp,
log and an input used twice. And every gradient asked for is non-zero (a relu
that is off at the output once made every gradient 0).

The programs are read here from their text and evaluated by this file's own
little interpreter; the gradients are central finite differences of it, never
gradcli's own numbers.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import pytest

from conftest import run_cli
from gradcli.homework.exercises import make_set

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

SEEDS = range(500)
NAME = r"[a-z]"
FORMS = [  # (regular expression, operation)
    (re.compile(rf"({NAME}) ([-+*/]) ({NAME})\Z"), lambda m: m[2]),
    (re.compile(rf"(max|min)\(({NAME}), ({NAME})\)\Z"), lambda m: m[1]),
    (re.compile(rf"({NAME})\^2\Z"), lambda m: "square"),
    (re.compile(rf"(relu|sigmoid|tanh|exp|log)\(({NAME})\)\Z"), lambda m: m[1]),
]
NEW_OPS = {1: {"+", "-", "*"}, 2: {"/", "max", "min", "relu", "square"},
           3: {"sigmoid", "tanh", "exp", "log"}}
ALLOWED = {1: NEW_OPS[1], 2: NEW_OPS[1] | NEW_OPS[2], 3: NEW_OPS[1] | NEW_OPS[2] | NEW_OPS[3]}
FUNCTIONS = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b, "max": max, "min": min, "square": lambda a: a * a,
    "relu": lambda a: max(a, 0.0), "sigmoid": lambda a: 1 / (1 + math.exp(-a)),
    "tanh": math.tanh, "exp": math.exp, "log": math.log,
}


def parse(program: str) -> list[tuple[str, str, list[str]]]:
    """(name, operation, operand names) for each statement, or an assertion error."""
    out = []
    for statement in program.split("; "):
        name, expr = statement.split(" = ")
        for form, op in FORMS:
            m = form.match(expr)
            if m:
                args = [g for g in m.groups() if re.fullmatch(NAME, g)]
                out.append((name, op(m), args))
                break
        else:
            raise AssertionError(f"not a statement of an exercise: {statement!r}")
    return out


def run(statements, bindings: dict[str, float], nudge: tuple[str, float] = ("", 0.0)) -> dict:
    """Every name's value; `nudge` adds h to one input's or intermediate's value."""
    env = dict(bindings)
    if nudge[0] in env:
        env[nudge[0]] += nudge[1]
    for name, op, args in statements:
        env[name] = FUNCTIONS[op](*(env[a] for a in args))
        if name == nudge[0]:
            env[name] += nudge[1]
    return env


def numeric_grad(statements, bindings, name: str) -> float:
    h = 1e-6 * max(1.0, abs(run(statements, bindings)[name]))
    up = run(statements, bindings, (name, h))["f"]
    down = run(statements, bindings, (name, -h))["f"]
    return (up - down) / (2 * h)


@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_every_seed_keeps_its_difficulty_promises(difficulty):
    for seed in SEEDS:
        (ex,) = make_set(seed, difficulty)
        where = f"seed {seed}, difficulty {difficulty}: {ex.program}"
        statements = parse(ex.program)
        names = [s[0] for s in statements]
        inputs = list(ex.bindings)
        ops = {s[1] for s in statements}
        # The shape: inputs, named intermediates, one output f at the end.
        assert names[-1] == "f" and len(names) >= 2 and len(set(names)) == len(names), where
        assert not set(names) & set(inputs), where
        operands = Counter(a for s in statements for a in s[2])
        assert set(operands) <= set(inputs) | set(names[:-1]), where
        assert all(operands[n] >= 1 for n in names[:-1]), where  # every intermediate feeds f
        assert all(operands[x] >= 1 for x in inputs), where
        # Round inputs: difficulty 1 whole numbers from -5 to 5; else halves too.
        assert len(inputs) == 3 if difficulty == 1 else len(inputs) in (3, 4), where
        step = 1 if difficulty == 1 else 0.5
        assert all(v != 0 and abs(v) <= 5 and (v / step).is_integer()
                   for v in ex.bindings.values()), where
        # The operations of the difficulty, and something new in each.
        assert ops <= ALLOWED[difficulty], where
        assert ops & NEW_OPS[difficulty], where
        if difficulty == 2:
            assert ops & {"relu", "square"}, where
        if difficulty == 3:
            assert any(operands[x] >= 2 for x in inputs), where  # an input used twice
        # The questions: the output, every intermediate's value, every gradient.
        assert set(ex.ask) == ({"value"} | {f"values.{n}" for n in names[:-1]}
                               | {f"grad.{n}" for n in names[:-1] + inputs}), where
        # Answers: the values and non-zero gradients, beside finite differences.
        env = run(statements, ex.bindings)
        for name, op, args in statements:  # no kink at the point
            if op == "relu":
                assert env[args[0]] != 0, where
            if op in ("max", "min"):
                assert env[args[0]] != env[args[1]], where
        for q, answer in ex.answers.items():
            kind, _, name = q.partition(".")
            if kind == "grad":
                want = numeric_grad(statements, ex.bindings, name)
                assert abs(want) > 1e-4, (where, q, want)            # not 0, nor nearly
                assert answer == pytest.approx(want, rel=1e-5, abs=1e-7), (where, q, want)
            else:
                want = env["f" if q == "value" else name]
                assert answer == pytest.approx(want, rel=1e-12, abs=1e-12), (where, q)


@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_the_same_seed_gives_the_same_exercises(difficulty):
    for seed in range(0, 500, 7):
        a = make_set(seed, difficulty, count=3)
        assert a == make_set(seed, difficulty, count=3)


def test_the_dead_relu_of_the_issue_is_gone():
    # `gradcli exercise --seed 3 --difficulty 2` once had a relu that was off at the output.
    key = tomllib.loads(run_cli("exercise", "--seed", "3", "--difficulty", "2").stdout)
    (problem,) = key["problem"]
    statements = parse(problem["program"])
    bindings = {n: float(v) for n, v in problem["bindings"].items()}
    asked = [q[5:] for q in problem["ask"] if q.startswith("grad.")]
    assert set(asked) == set(bindings) | {s[0] for s in statements[:-1]}
    for name in asked:
        assert abs(numeric_grad(statements, bindings, name)) > 1e-4, (problem["program"], name)
