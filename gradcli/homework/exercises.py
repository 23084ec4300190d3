"""Random backpropagation exercises, written as problem sets (see problems.py).

An exercise is a small graph of the kind worked by hand in a first lesson on
backpropagation, `q = x + y; f = q * z` at x = -2, y = 5, z = -4: inputs with
round values, named intermediates, one output `f`. It asks for the output, the
value of every intermediate and the gradient of the output with respect to
every input and every intermediate. Difficulty 1 combines three inputs with
+, - and *; 2 adds /, max, min, relu and squares (and always has a relu or a
square); 3 adds sigmoid, tanh, exp and log (always one of them), and an input
used twice (its gradient is a sum over its uses).

Every gradient asked for is non-zero: a max or a min passes the gradient to one
side only, so its other side is an input used elsewhere too, and a draw where a
relu is off or a side of max that is used nowhere else loses is drawn again.

An exercise of a kind practises one idea (`--kind`): `fork`, a node or an input
used twice, whose gradients add up; `kink`, a relu, abs, max or min that routes
the gradient to one side (a zero gradient is then an answer); `vanishing`, a
chain of three sigmoids whose gradient shrinks on the way down (graded to four
significant figures, since the answers are small).

Each exercise's key lists, per quantity, the numbers that common mistakes give
(diagnosis.py) with the sentence `gradcli check` says when an answer matches one,
so that another grader can reproduce the diagnoses.

Everything random comes from one `random.Random(seed)`: the same seed gives the
same exercise. A draw whose point sits on or near a kink (relu near 0, max of
two close values), a division by zero, a big number or a gradient that is 0 or
nearly so is thrown away and drawn again, from the same generator, so that every
answer is a plain derivative and the numbers stay small.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from fractions import Fraction

from gradcli.program.program import Program
from gradcli.program.bindings import binding_example
from gradcli.errors import GradcliError
from gradcli.ops.predicates import holds

KINDS = ("fork", "kink", "vanishing")

INPUT_NAMES = ["x", "y", "z", "w"]
NODE_NAMES = ["q", "r", "s", "t", "u", "v", "p", "g", "h"]
BINARY = {1: ["+", "-", "*"], 2: ["+", "-", "*", "/", "max", "min"], 3: ["+", "-", "*", "/", "max"]}
UNARY = {1: [], 2: ["relu", "square"], 3: ["sigmoid", "tanh", "exp", "log"]}
UNARY_STEPS = {1: 0, 2: 1, 3: 1}
COMPARE = ("max", "min")  # the gradient goes to one side only
LIMIT = 1000.0  # no value or gradient beyond this: hand arithmetic stays reasonable
MIN_GRADIENT = 1e-3  # no asked gradient smaller: a vanishing gradient teaches nothing
KINK_MARGIN = 0.1  # a relu's input, or max's two sides, this far apart: a slip does not flip them


@dataclass
class Exercise:
    id: str
    program: str               # statements joined by "; " (one line: also a shell argument)
    bindings: dict[str, float]
    ask: list[str]
    answers: dict[str, float]  # quantity -> expected answer
    tolerance: float | None = None   # None: the key's (1e-6)
    sig_figs: int | None = None
    mistakes: dict = None      # quantity -> [diagnosis.Candidate], what a grader says

    def to_json(self, student: bool = False) -> dict:
        obj = {"id": self.id, "program": self.program, "bindings": self.bindings, "ask": self.ask,
               "tolerance": TOLERANCE if self.tolerance is None else self.tolerance,
               "sig_figs": self.sig_figs, "trace": trace_command_line(self)}
        if not student:
            obj["answers"] = self.answers
            obj["mistakes"] = {q: [c.to_json() for c in cs] for q, cs in self.mistakes.items()}
        return obj


TOLERANCE = 1e-6


def _values(rng: random.Random, difficulty: int, names: list[str]) -> dict[str, float]:
    if difficulty == 1:
        choices = [v for v in range(-5, 6) if v]
    else:
        choices = [v / 2 for v in range(-8, 9) if v]
        choices += [float(v) for v in range(-5, 6) if v]  # whole numbers twice as likely
    return {name: float(rng.choice(choices)) for name in names}


def _statement(op: str, a: str, b: str | None) -> str:
    if op in ("max", "min"):
        return f"{op}({a}, {b})"
    if op == "square":
        return f"{a}^2"
    if b is None:
        return f"{op}({a})"
    return f"{a} {op} {b}"


def _draw_program(rng: random.Random, difficulty: int) -> tuple[list[str], list[str]]:
    """Statements `name = expression` and the input names, before any check."""
    names = INPUT_NAMES[:3 if difficulty == 1 else rng.choice([3, 4])]
    pending = list(names)
    rng.shuffle(pending)
    unary_left = UNARY_STEPS[difficulty]
    reuse_left = 1 if difficulty == 3 else 0
    compare_left = 1 if difficulty > 1 else 0
    statements: list[tuple[str, str]] = []
    fresh = iter(NODE_NAMES)
    smooth = [op for op in BINARY[difficulty] if op not in COMPARE]
    while len(pending) > 1 or unary_left or reuse_left:
        if unary_left and (len(pending) == 1 or rng.random() < 0.35):
            unary_left -= 1
            a = pending.pop(rng.randrange(len(pending)))
            expr = _statement(rng.choice(UNARY[difficulty]), a, None)
        elif len(pending) == 1 or (reuse_left and statements and rng.random() < 0.3):
            # An input used twice (shared weights): its gradient is a sum over its uses,
            # through an operation that passes gradient to both sides.
            reuse_left = 0
            a = pending.pop()
            b = rng.choice([n for n in names if n != a])
            a, b = (a, b) if rng.random() < 0.5 else (b, a)
            expr = _statement(rng.choice(smooth), a, b)
        else:
            op = rng.choice(BINARY[difficulty] if compare_left else smooth)
            a = pending.pop(rng.randrange(len(pending)))
            if op in COMPARE:
                # The side that loses gets no gradient from max or min: it is an input
                # that is used elsewhere too, so its gradient still is not 0.
                compare_left = 0
                b = rng.choice([n for n in names if n != a])
            else:
                b = pending.pop(rng.randrange(len(pending)))
            a, b = (a, b) if rng.random() < 0.5 else (b, a)
            expr = _statement(op, a, b)
        name = next(fresh)
        statements.append((name, expr))
        pending.append(name)
    # The last statement is the output, f.
    last, expr = statements[-1]
    statements[-1] = ("f", expr)
    return [f"{n} = {e}" for n, e in statements], names


def _acceptable(program: Program, bindings: dict[str, float], smallest: float = MIN_GRADIENT) -> bool:
    g = program.graph
    try:
        result = program.grad(bindings, wrt=list(g.inputs) + list(g.assigned))
    except GradcliError:
        return False
    v = result.values
    for i, op in enumerate(g.ops):
        if op.kink is not None and holds(op.kink, *(v[j] for j in g.args[i])):
            return False
        if op.name == "relu" and abs(v[g.args[i][0]]) < KINK_MARGIN:
            return False
        if op.name in COMPARE and abs(v[g.args[i][0]] - v[g.args[i][1]]) < KINK_MARGIN:
            return False
    numbers = [v[i] for i in range(len(g))] + list(result.gradient.values())
    if any(abs(x) > LIMIT for x in numbers):
        return False
    if any(abs(x) < smallest for x in result.gradient.values()):
        return False  # a dead relu, the losing side of a max, a sum that cancels
    # A division by something close to zero gives unpleasant fractions.
    return all(abs(v[g.args[i][1]]) >= 0.5 for i, op in enumerate(g.ops) if op.name == "div")


def make_exercise(rng: random.Random, difficulty: int, pid: str) -> Exercise:
    """One exercise; rng is the only source of randomness."""
    if difficulty not in (1, 2, 3):
        raise ValueError(f"difficulty must be 1, 2 or 3, not {difficulty!r}")
    for _ in range(1000):
        statements, names = _draw_program(rng, difficulty)
        text = "; ".join(statements)
        program = Program(text)
        bindings = _values(rng, difficulty, [n for n in names if n in program.graph.inputs])
        if _acceptable(program, bindings):
            break
    else:  # pragma: no cover - every difficulty accepts a draw within a few tries
        raise RuntimeError("could not draw an exercise")
    return _exercise(pid, text, program, bindings)


def _exercise(pid: str, text: str, program: Program, bindings: dict[str, float],
              tolerance: float | None = None, sig_figs: int | None = None) -> Exercise:
    """The asked quantities, their answers and the mistakes' numbers of a drawn program."""
    from gradcli.homework.diagnosis import Mistakes
    from gradcli.homework.problems import is_close
    from gradcli.program.trace import trace

    assigned = [n for n in program.graph.assigned if n != "f"]
    ask = (["value"] + [f"values.{n}" for n in assigned]
           + [f"grad.{n}" for n in reversed(assigned)] + [f"grad.{n}" for n in program.inputs])
    result = program.grad(bindings, wrt=list(program.inputs) + assigned)
    answers = {}
    for q in ask:
        kind, _, name = q.partition(".")
        answers[q] = (result.value if q == "value" else
                      result.values[program.node_of(name)] if kind == "values" else result.gradient[name])
    tol = TOLERANCE if tolerance is None else tolerance
    close = lambda given, expected: is_close(given, expected, tol, None, sig_figs)  # noqa: E731
    mistakes = Mistakes(trace(program, bindings))
    found = {q: mistakes.candidates(q, answers[q], close) for q in ask}
    return Exercise(pid, text, bindings, ask, answers, tolerance, sig_figs, found)


# -- exercises of one kind ----------------------------------------------------------------

def _fork(rng: random.Random) -> list[str]:
    """An input used twice, or an intermediate used twice: the gradients of its uses add up."""
    a, b, c = rng.sample(["+", "-", "*"], 3) if rng.random() < 0.5 else [rng.choice("+-*") for _ in "abc"]
    if rng.random() < 0.5:   # x feeds two statements
        return [f"q = x {a} y", f"r = x {b} z", f"f = q {c} r"]
    return [f"q = x {a} y", f"r = q {b} z", f"f = r {c} q"]   # q feeds two


def _kink(rng: random.Random) -> list[str]:
    """A relu, abs, max or min: the gradient goes one way (or, for a relu that is off, nowhere)."""
    a, c = rng.choice("+-*"), rng.choice("+-*")
    kink = rng.choice(["relu(q)", "abs(q)", "max(q, z)", "min(q, z)"])
    return [f"q = x {a} y", f"r = {kink}", f"f = r {c} z"]


def _vanishing(rng: random.Random) -> list[str]:
    """Three sigmoids in a chain: each multiplies the gradient by σ' <= 1/4."""
    return ["s = w1 * x", "h = sigmoid(s)", "t = w2 * h", "g = sigmoid(t)", "u = w3 * g",
            "f = sigmoid(u)"]


def _kind_ok(kind: str, program: Program, bindings: dict[str, float]) -> bool:
    g = program.graph
    if kind == "vanishing":
        if not _acceptable(program, bindings, smallest=1e-6):
            return False
        grads = program.grad(bindings, wrt=["x", "u"]).gradient
        return abs(grads["x"]) < abs(grads["u"]) / 20   # it vanishes on the way down
    if not _acceptable(program, bindings, smallest=0.0 if kind == "kink" else MIN_GRADIENT):
        return False
    if kind == "kink":
        r = program.grad(bindings, wrt=["x"])
        q = r.values[program.node_of("q")]
        return abs(q) >= 2 * KINK_MARGIN   # well away from the kink
    # fork: each use of the shared node carries a gradient of its own
    from gradcli.program.trace import trace

    t = trace(program, bindings)
    shared = next(i for i, uses in enumerate(t.uses) if len(uses) >= 2 and t.nodes[i].live)
    return all(abs(t.edge_grad(c, k)) >= MIN_GRADIENT for c, k in t.uses[shared])


_KIND_DRAWS = {"fork": _fork, "kink": _kink, "vanishing": _vanishing}


def make_kind_exercise(rng: random.Random, kind: str, pid: str) -> Exercise:
    """One exercise that practises `kind` (KINDS); rng is the only source of randomness."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    for _ in range(1000):
        text = "; ".join(_KIND_DRAWS[kind](rng))
        program = Program(text)
        if kind == "vanishing":
            bindings = {"x": float(rng.choice([-3, -2, 2, 3]))}
            bindings.update({w: float(rng.choice([-3, -2, -1.5, 1.5, 2, 3])) for w in ("w1", "w2", "w3")})
            bindings = {n: bindings[n] for n in program.inputs}
        else:
            bindings = _values(rng, 2, program.inputs)
        if _kind_ok(kind, program, bindings):
            break
    else:  # pragma: no cover - every kind accepts a draw within a few tries
        raise RuntimeError("could not draw an exercise")
    if kind == "vanishing":
        # Small answers: graded to four significant figures, not by the absolute tolerance.
        return _exercise(pid, text, program, bindings, tolerance=0.0, sig_figs=4)
    return _exercise(pid, text, program, bindings)


def make_set(seed: int, difficulty: int = 1, count: int = 1, prefix: str = "e",
             kind: str | None = None) -> list[Exercise]:
    rng = random.Random(seed)
    if kind is not None:
        return [make_kind_exercise(rng, kind, f"{prefix}{k}") for k in range(1, count + 1)]
    return [make_exercise(rng, difficulty, f"{prefix}{k}") for k in range(1, count + 1)]


# -- TOML out -----------------------------------------------------------------------------

def _number(v: float) -> str:
    """A TOML number, or an exact fraction as a constant expression where that is shorter."""
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    frac = Fraction(v).limit_denominator(10000)
    if float(frac) == v and len(str(frac)) < len(repr(v)):
        return json.dumps(str(frac))
    return repr(v)


def _shell_value(v: float) -> str:
    return str(int(v)) if v == int(v) else repr(v)


def trace_command_line(ex: Exercise) -> str:
    binds = " ".join(binding_example([n], _shell_value(v)) for n, v in ex.bindings.items())
    return f'gradcli trace "{ex.program}" {binds}'


def _command(exercises, seed: int, difficulty: int, student: bool, kind: str | None) -> str:
    return (f"gradcli exercise --seed {seed} "
            f"{'--kind ' + kind if kind else '--difficulty ' + str(difficulty)}"
            f"{' --count ' + str(len(exercises)) if len(exercises) > 1 else ''}"
            f"{' --student' if student else ''}")


def _title(seed: int, difficulty: int, kind: str | None) -> str:
    if kind:
        return f"Backpropagation exercise: {kind} (seed {seed})"
    return f"Backpropagation exercise (seed {seed}, difficulty {difficulty})"


def _plain(v: float) -> str:
    """A TOML number with every digit (a mistake's number, for another grader)."""
    return str(int(v)) if v == int(v) and abs(v) < 1e15 else repr(v)


def to_json(exercises: list[Exercise], seed: int, difficulty: int, student: bool = False,
            kind: str | None = None) -> dict:
    """`gradcli exercise --json`: the same problems as the TOML, with their mistakes' numbers."""
    return {"command": _command(exercises, seed, difficulty, student, kind), "seed": seed,
            "difficulty": None if kind else difficulty, "kind": kind,
            "title": _title(seed, difficulty, kind), "tolerance": TOLERANCE,
            "problems": [ex.to_json(student) for ex in exercises]}


def to_toml(exercises: list[Exercise], seed: int, difficulty: int, student: bool = False,
            kind: str | None = None) -> str:
    what = "problems" if student else "answer key"
    out = [f"# {_command(exercises, seed, difficulty, student, kind)}: backpropagation by hand ({what})",
           "# For each problem, compute by hand every quantity in `ask`:",
           "#   value = the output f, values.NAME = the value of NAME, grad.NAME = df/dNAME.",
           "# Answers may be numbers or constant expressions such as \"3/28\" or \"exp(-1)\".",
           "# Grade an answer file with:  gradcli check KEY.toml ANSWERS.toml",
           f'title = {json.dumps(_title(seed, difficulty, kind))}',
           "tolerance = 1e-6", ""]
    for ex in exercises:
        binds = ", ".join(f"{n} = {_number(v)}" for n, v in ex.bindings.items())
        out += ["[[problem]]", f"id = {json.dumps(ex.id)}", f"program = {json.dumps(ex.program)}",
                f"bindings = {{ {binds} }}",
                "ask = [" + ", ".join(json.dumps(q) for q in ex.ask) + "]"]
        if ex.tolerance is not None:
            out.append(f"tolerance = {ex.tolerance}")
        if ex.sig_figs is not None:
            out.append(f"sig_figs = {ex.sig_figs}           # the answers are small: four figures")
        out.append(f"# the graph as a picture:  {trace_command_line(ex)}")
        if not student:
            out += ["", "[problem.answer]"] + [f"{q} = {_number(v)}" for q, v in ex.answers.items()]
            out += ["", "# The numbers common mistakes give, and what `gradcli check` says when an",
                    "# answer matches one (the first that matches, in this order).",
                    "[problem.mistakes]"]
            for q, cands in ex.mistakes.items():
                if cands:
                    out.append(f"{json.dumps(q)} = [")
                    out += [f"  {{ kind = {json.dumps(c.kind)}, value = {_plain(c.value)}, "
                            f"message = {json.dumps(c.message, ensure_ascii=False)} }},"
                            for c in cands]
                    out.append("]")
        out.append("")
    if student:
        out += ["# ---- your answers: save them in a file of their own like this, then grade it ----"]
        for ex in exercises:
            out += [f"# [{ex.id}]"] + [f"# {q} = " for q in ex.ask]
        out.append("")
    return "\n".join(out)
