"""`gradcli exercise --kind` and `--json`, and the mistakes' numbers in every key.

Answers are solved here by SymPy; the one-path numbers of a fork by SymPy with
one use of the shared node held constant; the numbers of a sign flip, another
node's value or gradient from the key's own (SymPy-checked) answers.
"""

from __future__ import annotations

import re

import pytest
import sympy as sp
from conftest import assert_clean_error, run_cli

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from gradcli.homework.problems import grade_file, load_key

def R(name):
    """A real symbol: Abs and Max differentiate to sign and Heaviside, not complex parts."""
    return sp.Symbol(name, real=True)


FUNCTIONS = {"max": sp.Max, "min": sp.Min, "relu": lambda a: sp.Max(a, 0), "abs": sp.Abs,
             "sigmoid": lambda a: 1 / (1 + sp.exp(-a))}


def solve(program, bindings, frozen=None):
    """Each statement's SymPy expression of the inputs; `frozen` = (statement k, name):
    that statement reads name as a constant (the path through it is cut)."""
    env = {n: R(n) for n in bindings}
    for k, statement in enumerate(program.split(";")):
        name, expr = (part.strip() for part in statement.split("=", 1))
        local = dict(env)
        if frozen is not None and frozen[0] == k:
            local[frozen[1]] = R(frozen[1] + "_c")
        env[name] = sp.parse_expr(expr.replace("^", "**"), local_dict={**FUNCTIONS, **local})
    return env


def answers_by_sympy(problem):
    point = {R(n): sp.Rational(str(v)) for n, v in problem["bindings"].items()}
    env = solve(problem["program"], problem["bindings"])
    out = {}
    for q in problem["ask"]:
        kind, _, name = q.partition(".")
        if q == "value":
            out[q] = float(env["f"].subs(point))
        elif kind == "values":
            out[q] = float(env[name].subs(point))
        elif name in problem["bindings"]:
            out[q] = float(sp.diff(env["f"], R(name)).subs(point))
    return out


def answer(problem, q) -> float:
    """The key's answer to q: a number, or an exact fraction written as a string."""
    kind, _, name = q.partition(".")
    v = problem["answer"]["value"] if q == "value" else problem["answer"][kind][name]
    return float(sp.Rational(v)) if isinstance(v, str) else float(v)


def exercise(*args):
    run = run_cli("exercise", *args)
    assert run.exit_code == 0, run.stderr
    return run.stdout


@pytest.mark.parametrize("kind", ["fork", "kink", "vanishing"])
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_kinds(kind, seed):
    key = tomllib.loads(exercise("--seed", str(seed), "--kind", kind, "--count", "2"))
    assert key["title"] == f"Backpropagation exercise: {kind} (seed {seed})"
    for problem in key["problem"]:
        by_sympy = answers_by_sympy(problem)
        for q, v in by_sympy.items():
            assert answer(problem, q) == pytest.approx(v, rel=1e-9, abs=1e-12), q
        program = problem["program"]
        if kind == "fork":
            statements = [s.split("=", 1)[1] for s in program.split(";")]
            used = {n: sum(len(re.findall(rf"\b{n}\b", s)) for s in statements)
                    for n in list(problem["bindings"]) + ["q"]}
            assert max(used.values()) == 2
        elif kind == "kink":
            assert re.search(r"\b(relu|abs|max|min)\(", program)
        else:
            assert program.count("sigmoid(") == 3 and problem["sig_figs"] == 4
            assert problem["tolerance"] == 0
            assert abs(answer(problem, "grad.x")) < abs(answer(problem, "grad.u")) / 20


def test_fork_numbers_are_one_path_each():
    """In a fork exercise, the mistakes of the shared node's gradient hold each path's gradient
    (SymPy: every other use held constant)."""
    for seed in range(1, 9):
        key = tomllib.loads(exercise("--seed", str(seed), "--kind", "fork"))
        problem = key["problem"][0]
        program, b = problem["program"], problem["bindings"]
        statements = program.split(";")
        shared = "x" if sum(" x " in f" {s.split('=')[1]} " for s in statements) == 2 else "q"
        users = [k for k, s in enumerate(statements) if re.search(rf"\b{shared}\b", s.split("=", 1)[1])]
        point = {R(n): sp.Rational(str(v)) for n, v in b.items()}
        held = solve(program, b)[shared].subs(point)   # the constant the other use reads
        paths = []
        for keep in users:
            other = [k for k in users if k != keep][0]
            env = solve(program, b, frozen=(other, shared))
            f = env["f"].subs(R(shared + "_c"), held)
            wrt = R("x")
            paths.append(float(sp.diff(f, wrt).subs(point)))
        listed = [m["value"] for m in problem["mistakes"]["grad.x"] if m["kind"] == "fork"]
        for p in paths:
            assert any(v == pytest.approx(p, rel=1e-9, abs=1e-12) for v in listed), (seed, p, listed)


def named(message: str, pattern: str) -> str:
    found = re.search(pattern, message)
    assert found, (message, pattern)
    return found.group(1)


@pytest.mark.parametrize("args", [["--difficulty", "1"], ["--difficulty", "2"], ["--difficulty", "3"],
                                  ["--kind", "fork"], ["--kind", "kink"], ["--kind", "vanishing"]])
def test_listed_mistakes_are_what_check_says(tmp_path, args):
    """Every mistake a key lists: its number is right (from the key's answers where the
    sentence names a node), and an answer with that number gets that sentence from check."""
    text = exercise("--seed", "11", "--count", "2", *args)
    (tmp_path / "key.toml").write_text(text)
    data = tomllib.loads(text)
    key = load_key(str(tmp_path / "key.toml"))
    for entry in data["problem"]:
        problem = key.problems[entry["id"]]
        for q, listed in entry["mistakes"].items():
            expected = problem.expected[q]
            for k, m in enumerate(listed):
                if m["kind"] == "sign":
                    assert m["value"] == pytest.approx(-expected)
                elif m["kind"] == "step":
                    node = named(m["message"], r"value of (\w+) \(")
                    assert m["value"] == pytest.approx(problem.expected.get(
                        f"values.{node}", entry["bindings"].get(node, problem.expected.get("value"))))
                elif m["kind"] == "other":
                    node = named(m["message"], r"this is ∂f/∂(\w+),")
                    assert m["value"] == pytest.approx(problem.expected[f"grad.{node}"])
                path = tmp_path / "s.toml"
                path.write_text(f"[{entry['id']}]\n{q} = {m['value']!r}\n")
                mark = next(x for x in grade_file(key, str(path)).marks
                            if x.problem == entry["id"] and x.quantity == q)
                first = next(c for c in listed if problem.close(m["value"], c["value"]))
                assert not mark.ok and mark.diagnosis is not None
                assert (mark.diagnosis.kind, mark.diagnosis.message) == (first["kind"], first["message"])


def test_json_is_the_toml(tmp_path):
    text = exercise("--seed", "5", "--difficulty", "3", "--count", "2")
    run = run_cli("exercise", "--seed", "5", "--difficulty", "3", "--count", "2", "--json")
    assert run.exit_code == 0 and run.stdout.endswith("}\n") and "\n" not in run.stdout[:-1]
    obj, key = run.json, tomllib.loads(text)
    assert obj["seed"] == 5 and obj["difficulty"] == 3 and obj["kind"] is None
    assert obj["title"] == key["title"]
    for p, k in zip(obj["problems"], key["problem"]):
        assert (p["id"], p["program"], p["ask"]) == (k["id"], k["program"], k["ask"])
        assert {n: float(v) for n, v in k["bindings"].items()} == p["bindings"]
        assert [m["value"] for m in p["mistakes"]["value"]] == [m["value"] for m in k["mistakes"]["value"]]
        assert set(p["answers"]) == set(p["ask"])
    student = run_cli("exercise", "--seed", "5", "--difficulty", "3", "--json", "--student").json
    assert "answers" not in student["problems"][0] and "mistakes" not in student["problems"][0]


def test_bad_kind_and_clashes():
    assert_clean_error(run_cli("exercise", "--kind", "spiral"), 2, "spiral")
    run = run_cli("exercise", "--kind", "fork", "--difficulty", "2", "--json")
    assert_clean_error(run, 2, "--kind and --difficulty both choose the problems")
    assert run.json["error"]["kind"] == "usage"
