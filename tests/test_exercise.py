"""`gradcli exercise`: seeded exercises, solved here by SymPy and graded full marks."""

from __future__ import annotations

import random
import shlex

import pytest
import sympy as sp
from conftest import run_cli

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from gradcli.homework.exercises import make_set
from gradcli.homework.problems import load_key

FUNCTIONS = {
    "max": sp.Max, "min": sp.Min, "relu": lambda a: sp.Max(a, 0),
    "sigmoid": lambda a: 1 / (1 + sp.exp(-a)), "exp": sp.exp, "log": sp.log, "tanh": sp.tanh,
}


def solve(program: str, bindings: dict, cut: str | None = None) -> dict:
    """Every statement's SymPy expression; `cut` names an intermediate made a free symbol."""
    env = {name: sp.Symbol(name) for name in bindings}
    for statement in program.split(";"):
        name, expr = (part.strip() for part in statement.split("=", 1))
        env[name] = sp.Symbol(name) if name == cut else sp.parse_expr(
            expr.replace("^", "**"), local_dict={**FUNCTIONS, **env})
    return env


def sympy_answers(problem: dict) -> dict:
    """The answer to every asked quantity, from SymPy: exact where it is rational."""
    point = {sp.Symbol(n): sp.Rational(str(v)) for n, v in problem["bindings"].items()}
    env = solve(problem["program"], problem["bindings"])
    values = {n: sp.simplify(e.subs(point)) for n, e in env.items()}
    out = {}
    for q in problem["ask"]:
        kind, _, name = q.partition(".")
        if q == "value":
            v = values["f"]
        elif kind == "values":
            v = values[name]
        elif name in problem["bindings"]:
            v = sp.diff(env["f"], sp.Symbol(name)).subs(point)
        else:  # ∂f/∂intermediate: f with that node as a free symbol, at its value
            cut = solve(problem["program"], problem["bindings"], cut=name)
            v = sp.diff(cut["f"], sp.Symbol(name)).subs(point).subs(sp.Symbol(name), values[name])
        v = sp.simplify(v)
        out[q] = f"{v.p}/{v.q}" if v.is_Rational else repr(float(sp.N(v, 30)))
    return out


def answer_file(key: dict, student: str) -> str:
    lines = [f'student = "{student}"']
    for problem in key["problem"]:
        lines.append(f'[{problem["id"]}]')
        lines += [f'{q} = "{a}"' for q, a in sympy_answers(problem).items()]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("difficulty", [1, 2, 3])
@pytest.mark.parametrize("seed", [7, 2024])
def test_exercise_answered_by_sympy_gets_full_marks(tmp_path, seed, difficulty):
    run = run_cli("exercise", "--seed", str(seed), "--difficulty", str(difficulty), "--count", "3")
    assert run.exit_code == 0
    key_path = tmp_path / "key.toml"
    key_path.write_text(run.stdout)
    key = tomllib.loads(run.stdout)
    assert len(key["problem"]) == 3
    for problem in key["problem"]:
        assert any(q.startswith("values.") for q in problem["ask"])      # named intermediates
        assert all(float(v) * 2 == int(float(v) * 2) for v in problem["bindings"].values())  # round
    answers = tmp_path / "answers.toml"
    answers.write_text(answer_file(key, "SymPy"))
    graded = run_cli("check", str(key_path), str(answers), "--json")
    assert graded.exit_code == 0, graded.stdout
    (student,) = graded.json["students"]
    assert student["score"] == student["total"] == sum(len(p["ask"]) for p in key["problem"])
    # The answers the key writes out are SymPy's too.
    for problem in key["problem"]:
        want = {q: float(sp.Rational(a)) for q, a in sympy_answers(problem).items()}
        written = {"value": problem["answer"]["value"]}
        for kind in ("values", "grad"):
            written.update({f"{kind}.{n}": v for n, v in problem["answer"][kind].items()})
        assert written.keys() == want.keys()
        for q, v in written.items():
            got = float(sp.Rational(v)) if isinstance(v, str) else v
            assert got == pytest.approx(want[q], rel=1e-12, abs=1e-300), (q, v, want[q])


def test_seeded_and_reproducible():
    state = random.getstate()
    a = run_cli("exercise", "--seed", "11", "--difficulty", "3").stdout
    assert random.getstate() == state  # no global random state is touched
    assert a == run_cli("exercise", "--seed", "11", "--difficulty", "3").stdout
    assert a != run_cli("exercise", "--seed", "12", "--difficulty", "3").stdout
    assert a.startswith("# gradcli exercise --seed 11 --difficulty 3")
    texts = {make_set(seed, 2)[0].program for seed in range(30)}
    assert len(texts) > 15  # the seeds give different graphs, not a handful of templates
    unseeded = run_cli("exercise").stdout
    assert unseeded.startswith("# gradcli exercise --seed ")  # the seed drawn is printed


def test_student_version_and_picture_command(tmp_path):
    key = run_cli("exercise", "--seed", "5", "--difficulty", "2").stdout
    student = run_cli("exercise", "--seed", "5", "--difficulty", "2", "--student").stdout
    assert "[problem.answer]" in key and "[problem.answer]" not in student
    assert "# [e1]" in student and "# grad.x = " in student
    data = tomllib.loads(student)
    assert "answer" not in data["problem"][0]
    path = tmp_path / "hw.toml"
    path.write_text(student)
    load_key(str(path))  # the student version is a valid problem set too
    # The comment's trace command: its program and bindings work as gradcli arguments.
    line = next(x for x in student.splitlines() if x.startswith("# the graph as a picture:"))
    argv = shlex.split(line.split(":", 1)[1])
    assert argv[:2] == ["gradcli", "trace"]
    run = run_cli("grad", *argv[2:], "--json")
    assert run.exit_code == 0 and run.json["expression"] == data["problem"][0]["program"]


def test_bad_options():
    assert run_cli("exercise", "--difficulty", "4").exit_code == 2
    assert run_cli("exercise", "--seed", "x").exit_code == 2
    assert "Examples" in run_cli("exercise", "--help").stdout
