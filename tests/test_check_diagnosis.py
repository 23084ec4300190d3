"""`gradcli check` names the likely mistake behind a wrong answer.

Each wrong answer here is made by making the mistake by hand: the numbers are
derived in the comments (or computed by SymPy in the test), never taken from
gradcli's diagnosis code. A class of 30 generated students with planted
mistakes is diagnosed, and every claim is checked against SymPy.
"""

from __future__ import annotations

import random

import pytest
import sympy as sp
from conftest import run_cli

from gradcli.homework.problems import grade_file, load_key

KEY = """
[[problem]]
id = "p1"
program = "q = x + y; f = q * z"
bindings = { x = -2, y = 5, z = -4 }
ask = ["value", "values.q", "grad.q", "grad.x", "grad.y", "grad.z"]

[[problem]]
id = "fork"
program = "f = x*y + x"
bindings = { x = 3, y = 4 }
ask = ["grad.x"]

[[problem]]
id = "deep"
program = "q = x + y; f = q*z + q"
bindings = { x = 1, y = 2, z = 3 }
ask = ["grad.x"]

[[problem]]
id = "square"
program = "f = x*x"
bindings = { x = 3 }
ask = ["grad.x"]

[[problem]]
id = "chain"
program = "q = x * y; r = q * w; f = r * z"
bindings = { x = 2, y = 3, w = 5, z = 7 }
ask = ["grad.x", "values.r", "value"]
"""


@pytest.fixture
def key(tmp_path):
    path = tmp_path / "key.toml"
    path.write_text(KEY)
    return str(path)


def grade(tmp_path, key, answers: str):
    path = tmp_path / "student.toml"
    path.write_text(answers)
    run = run_cli("check", key, str(path), "--json")
    assert run.exit_code in (0, 1), run.stderr
    return {(m["problem"], m["quantity"]): m for m in run.json["students"][0]["marks"]}


def diagnosis(tmp_path, key, problem, quantity, given):
    marks = grade(tmp_path, key, f"[{problem}]\n{quantity} = {given}\n")
    mark = marks[(problem, quantity)]
    assert not mark["ok"]
    return mark["diagnosis"]


def test_flipped_sign(tmp_path, key):
    # ∂f/∂x = z = -4; with the sign flipped: 4.
    d = diagnosis(tmp_path, key, "p1", "grad.x", 4)
    assert d["kind"] == "sign" and d["message"] == "the sign is flipped"
    # A value too: q = x + y = 3, flipped -3.
    d = diagnosis(tmp_path, key, "p1", "values.q", -3)
    assert d["kind"] == "sign"


def test_one_path_of_a_fork(tmp_path, key):
    # f = x*y + x: ∂f/∂x = y + 1 = 5. Along the x*y path only: y = 4; along the other: 1.
    d = diagnosis(tmp_path, key, "fork", "grad.x", 4)
    assert d["kind"] == "fork"
    assert d["message"] == ("∂f/∂x = 4 is the gradient along one path only: x is used twice, "
                            "and the gradients of its uses add up (the other path gives 1)")
    d = diagnosis(tmp_path, key, "fork", "grad.x", 1)
    assert d["kind"] == "fork" and "(the other path gives 4)" in d["message"]


def test_one_path_of_a_fork_further_down(tmp_path, key):
    # q = x + y; f = q*z + q: ∂f/∂x = ∂f/∂q = z + 1 = 4. Keeping only q's use in q*z: 3.
    d = diagnosis(tmp_path, key, "deep", "grad.x", 3)
    assert d["kind"] == "fork"
    assert d["message"] == ("∂f/∂x = 3 is the gradient along one path only: q, on the way from x "
                            "to f, is used twice, and the gradients of its uses add up (the other "
                            "path gives 1)")


def test_square_as_one_path(tmp_path, key):
    # d(x*x)/dx = 2x = 6; taking x*x as if one x were a constant: x = 3.
    d = diagnosis(tmp_path, key, "square", "grad.x", 3)
    assert d["kind"] == "fork" and "x is used twice" in d["message"]


def test_local_instead_of_global(tmp_path, key):
    # p1: ∂q/∂x = 1 is the local derivative; the upstream ∂f/∂q = z = -4.
    d = diagnosis(tmp_path, key, "p1", "grad.x", 1)
    assert d["kind"] == "local"
    assert d["message"] == ("this is the local derivative ∂q/∂x, not ∂f/∂x: multiply by the "
                            "upstream gradient ∂f/∂q = -4")


def test_chain_stopped_early(tmp_path, key):
    # chain: q = xy = 6, r = qw = 30, f = rz = 210; ∂f/∂x = y·w·z = 105.
    # Stopping at r: ∂r/∂x = y·w = 15, and ∂f/∂r = z = 7.
    d = diagnosis(tmp_path, key, "chain", "grad.x", 15)
    assert d["kind"] == "local"
    assert d["message"].startswith("this is ∂r/∂x, not ∂f/∂x")
    assert "∂f/∂r = 7" in d["message"]


def test_forgotten_factor(tmp_path, key):
    # chain: ∂f/∂x = y·w·z; leaving out ∂r/∂q = w = 5 gives y·z = 21.
    d = diagnosis(tmp_path, key, "chain", "grad.x", 21)
    assert d["kind"] == "factor"
    assert d["message"] == ("∂f/∂x = 21 leaves out one factor of the chain rule: the local "
                            "derivative ∂r/∂q = 5")


def test_gradient_with_respect_to_another_node(tmp_path, key):
    # chain: ∂f/∂y = x·w·z = 70, given for ∂f/∂x.
    d = diagnosis(tmp_path, key, "chain", "grad.x", 70)
    assert d["kind"] == "other" and d["message"] == "this is ∂f/∂y, not ∂f/∂x"


def test_value_from_the_wrong_step(tmp_path, key):
    # chain: q = 6 given for r = 30; r = 30 given for the output f = 210.
    d = diagnosis(tmp_path, key, "chain", "values.r", 6)
    assert d["kind"] == "step" and d["message"] == "this is the value of q (6), not of r"
    d = diagnosis(tmp_path, key, "chain", "value", 30)
    assert d["kind"] == "step" and d["message"] == "this is the value of r (30), not of f"


def test_right_and_unrelated_answers_get_no_diagnosis(tmp_path, key):
    marks = grade(tmp_path, key, "[p1]\nvalue = -12\nvalues.q = 3\ngrad.x = 12345.678\n"
                                 "grad.y = -4\ngrad.z = 2.5\n")
    assert marks[("p1", "value")]["ok"] and marks[("p1", "value")]["diagnosis"] is None
    assert marks[("p1", "grad.y")]["diagnosis"] is None
    assert not marks[("p1", "grad.x")]["ok"] and marks[("p1", "grad.x")]["diagnosis"] is None
    # 2.5 is no mistake's number for ∂f/∂z = q = 3 (-3, 1, -4, ... are).
    assert not marks[("p1", "grad.z")]["ok"] and marks[("p1", "grad.z")]["diagnosis"] is None
    assert marks[("p1", "grad.q")]["note"] == "missing" and marks[("p1", "grad.q")]["diagnosis"] is None


def test_the_report_says_it(tmp_path, key):
    path = tmp_path / "bob.toml"
    path.write_text("[fork]\ngrad.x = 4\n[p1]\ngrad.x = 4\n")
    run = run_cli("check", key, str(path), env={"COLUMNS": "300"})
    assert run.exit_code == 1
    assert "the sign is flipped" in run.stdout
    assert "is the gradient along one path only: x is used twice" in run.stdout


def test_a_diagnosis_needs_the_tolerance(tmp_path, key):
    # 4.01 is not 4 within 1e-6: no sign flip is claimed (p1 ∂f/∂x = -4).
    assert diagnosis(tmp_path, key, "p1", "grad.x", 4.01) is None
    assert diagnosis(tmp_path, key, "p1", "grad.x", 4.000001)["kind"] == "sign"


# -- a class of 30 students with planted mistakes, checked against SymPy -------------------

CLASS_KEY = [
    ("p1", "q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4}),
    ("p2", "a = x * y; b = a + x; f = b * z", {"x": 3, "y": -2, "z": 5}),
    ("p3", "q = x * y; r = q * w; f = r * z", {"x": 2, "y": 3, "w": 5, "z": 7}),
    ("p4", "q = x - y; r = q * q; f = r + y", {"x": 4, "y": 1}),
]


def statements(program):
    """[(name, op, a, b)]: every statement here is one binary operation of names."""
    out = []
    for st in program.split(";"):
        name, expr = (s.strip() for s in st.split("="))
        a, op, b = expr.split()
        out.append((name, op, a, b))
    return out


OPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}


def build(sts, inputs, frozen=(), unit=None, cut=None):
    """f and every node as SymPy expressions of the inputs.

    frozen: (statement index, argument position) pairs whose argument is held
    constant (a symbol NAME_c): that use's path is cut. unit: (statement index,
    position) whose local derivative is forced to 1 at the point (the argument
    enters once more linearly, around the symbol a0). cut: an intermediate made
    the free symbol T, for ∂f/∂intermediate.
    """
    env = {n: sp.Symbol(n) for n in inputs}
    for k, (name, op, a, b) in enumerate(sts):
        args = [sp.Symbol(arg + "_c") if (k, pos) in frozen else env[arg]
                for pos, arg in enumerate((a, b))]
        if unit is not None and unit[0] == k:
            held = list(args)
            held[unit[1]] = sp.Symbol("a0")
            e = OPS[op](*held) + (args[unit[1]] - sp.Symbol("a0"))
        else:
            e = OPS[op](*args)
        env[name] = sp.Symbol("T") if name == cut else e
    return env


def oracle(program, point):
    """quantity -> [(kind, value)]: every mistake's number this test knows, by SymPy."""
    sts = statements(program)
    inputs = list(point)
    names = inputs + [s[0] for s in sts]
    base = build(sts, inputs)
    values = {n: base[n].subs(point) for n in names}
    at_point = {**{sp.Symbol(n + "_c"): values[n] for n in names},
                **{sp.Symbol(n): values[n] for n in inputs}}

    def grad(t, **how):
        """∂f/∂t at the point, with the mistake `how` made (see build)."""
        if t in inputs:
            env = build(sts, inputs, **how)
            d = env["f"].diff(sp.Symbol(t))
        else:
            env = build(sts, inputs, cut=t, **how)
            d = env["f"].diff(sp.Symbol("T")).subs(sp.Symbol("T"), values[t])
        a0 = {sp.Symbol("a0"): values[sts[how["unit"][0]][1 + 1 + how["unit"][1]]]} if "unit" in how else {}
        return float(d.subs(a0).subs(at_point))

    def total(c, t):
        """∂c/∂t: the derivative of node c's expression with respect to t, at the point."""
        env = build(sts, inputs, cut=t if t not in inputs else None)
        var = sp.Symbol(t) if t in inputs else sp.Symbol("T")
        return float(env[c].diff(var).subs(sp.Symbol("T"), values[t]).subs(at_point))

    uses = {}
    for k, (name, op, a, b) in enumerate(sts):
        for pos, arg in enumerate((a, b)):
            uses.setdefault(arg, []).append((k, pos))
    result = {}
    for t in names:
        G = grad(t)
        cands = [("sign", -G)]
        cands += [("other", grad(u)) for u in names if u not in (t, "f")]
        for m, us in uses.items():   # one path of a fork: all uses of m but one frozen
            if len(us) > 1:
                cands += [("fork", grad(t, frozen=[u for u in us if u != keep])) for keep in us]
        # The local derivative, and the chain rule stopped at a later node.
        later = names[names.index(t) + 1:] if t not in inputs else [s[0] for s in sts]
        cands += [("local", total(c, t)) for c in later if c != "f" and total(c, t) != 0]
        # A forgotten factor: one argument's local derivative taken as 1.
        # (Not the only factor there is: ∂f/∂t of f's own argument t taken as 1.)
        cands += [("factor", grad(t, unit=(k, pos))) for k in range(len(sts)) for pos in (0, 1)
                  if not (sts[k][0] == "f" and sts[k][2 + pos] == t)]
        result["grad." + t] = [(kind, v) for kind, v in cands if abs(v - G) > 1e-6 * max(1, abs(G))]
        vt = float(values[t])
        result["values." + t] = [(kind, v) for kind, v in
                                 [("sign", -vt)] + [("step", float(values[u])) for u in names if u != t]
                                 if abs(v - vt) > 1e-6 * max(1, abs(vt))]
    result["value"] = result["values.f"]
    return result


def test_a_class_with_planted_mistakes(tmp_path):
    lines = []
    for pid, program, b in CLASS_KEY:
        binds = ", ".join(f"{n} = {v}" for n, v in b.items())
        lines += ["[[problem]]", f'id = "{pid}"', f'program = "{program}"', f"bindings = {{ {binds} }}",
                  'ask = ["value"' + "".join(f', "values.{s[0]}"' for s in statements(program)[:-1])
                  + "".join(f', "grad.{n}"' for n in list(b) + [s[0] for s in statements(program)[:-1]])
                  + "]", ""]
    (tmp_path / "key.toml").write_text("\n".join(lines))
    key = load_key(str(tmp_path / "key.toml"))
    truth = {pid: oracle(program, b) for pid, program, b in CLASS_KEY}
    rng = random.Random(2026)
    planted = diagnosed = 0
    for s in range(30):
        answers, plan = [f'student = "s{s}"'], {}
        for pid, problem in key.problems.items():
            answers.append(f"[{pid}]")
            for q in problem.ask:
                expected = problem.expected[q]
                roll = rng.random()
                kinds = truth[pid][q]
                if roll < 0.4 and kinds:
                    kind, v = rng.choice(kinds)
                    plan[pid, q] = ("planted", kind)
                elif roll < 0.55:
                    v = 1000 + rng.random() * 1000   # unrelated to anything in these graphs
                    plan[pid, q] = ("unrelated", None)
                else:
                    v = expected
                    plan[pid, q] = ("right", None)
                answers.append(f"{q} = {v!r}")
        path = tmp_path / f"s{s}.toml"
        path.write_text("\n".join(answers) + "\n")
        g = grade_file(key, str(path))
        for m in g.marks:
            what, kind = plan[m.problem, m.quantity]
            if what == "right":
                assert m.ok and m.diagnosis is None
                continue
            assert not m.ok
            if what == "unrelated":
                assert m.diagnosis is None, (m, m.diagnosis)
                continue
            planted += 1
            d = m.diagnosis
            assert d is not None, (m.problem, m.quantity, m.given, kind)
            diagnosed += 1
            # No false claim: each kind said is one the oracle finds at this number.
            said = [d.kind] + ([d.also.kind] if d.also else [])
            for k in said:
                assert any(k == ok and abs(m.given - v) <= 1e-6 * max(1, abs(v))
                           for ok, v in truth[m.problem][m.quantity]), (m.problem, m.quantity, k, m.given)
    assert planted > 100 and diagnosed == planted


def test_a_big_program(tmp_path):
    """x used 5,000 times (x*1 + x*2 + ...): ∂f/∂x = 1 + 2 + ... + 5000 = 12,502,500; the
    first use alone gives 1, and the other paths 12,502,499. The mistakes of a big graph are
    found by loops over node ids (nothing recurses, nothing is quadratic in the uses)."""
    n = 5000
    program = "f = " + " + ".join(f"x*{k}" for k in range(1, n + 1))
    (tmp_path / "key.toml").write_text(f'[[problem]]\nid = "big"\nprogram = "{program}"\n'
                                       'bindings = { x = 2 }\nask = ["grad.x"]\n')
    d = diagnosis(tmp_path, str(tmp_path / "key.toml"), "big", "grad.x", 1)
    assert d["kind"] == "fork"
    assert d["message"] == (f"∂f/∂x = 1 is the gradient along one path only: x is used {n} times, "
                            "and the gradients of its uses add up (the other paths give 12502499)")
