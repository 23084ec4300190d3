"""Every node's value, gradient and local derivatives in a trace, against SymPy and hand work.

The oracle rebuilds each program's graph in SymPy from the mathematical
definition of each operation (written here, not taken from gradcli's table).
A node's gradient ∂out/∂node is SymPy's derivative of the output with respect
to a fresh symbol put in place of that node (so every use of it counts), and
a local derivative ∂node/∂input_k is the derivative of the node's operation
with respect to its k-th argument alone.
"""

from __future__ import annotations

import math
import re

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.errors import GradMathError
from gradcli.program.trace import trace

SIGMOID = lambda u: 1 / (1 + sp.exp(-u))  # noqa: E731

# The operations of SPEC §1, smooth away from their kinks, in SymPy.
SYMPY = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a ** b, "neg": lambda a: -a,
    "id": lambda a: a, "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "sin": sp.sin,
    "cos": sp.cos, "tan": sp.tan, "atan": sp.atan, "tanh": sp.tanh, "sinh": sp.sinh,
    "cosh": sp.cosh, "sigmoid": SIGMOID, "softplus": lambda a: sp.log(1 + sp.exp(a)),
    "max": sp.Max, "min": sp.Min, "abs": sp.Abs, "relu": lambda a: sp.Max(a, 0),
    "log2": lambda a: sp.log(a, 2), "log10": lambda a: sp.log(a, 10),
}


def sympy_nodes(t, replaced: int | None = None, fresh=None) -> list:
    """Each node's expression over the input symbols; node `replaced` becomes `fresh`."""
    g = t.graph
    names = {i: n for n, i in g.inputs.items()}
    exprs = []
    for n in t.nodes:
        if n.id == replaced:
            exprs.append(fresh)
        elif n.op.name == "input":
            exprs.append(sp.Symbol(names[n.id], real=True))
        elif n.op.name == "const":
            exprs.append({"pi": sp.pi, "e": sp.E}.get(n.label, sp.Rational(n.value)))
        else:
            exprs.append(SYMPY[n.op.name](*(exprs[j] for j in n.inputs)))
    return exprs


def number(expr, point) -> float | None:
    """The value at point; None where it is not a real number (log of a negative base)."""
    value = sp.N(expr.subs(point), 40)
    if not value.is_real or value.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        return None
    return float(value)


def close(got: float, want: float | None) -> bool:
    if want is None:   # undefined in the reals: gradcli must not make up a number
        return not math.isfinite(got)
    return got == pytest.approx(want, rel=1e-11, abs=1e-13)


def check_trace(text: str, values: dict[str, float]) -> None:
    t = trace(text, values)
    point = {sp.Symbol(k, real=True): sp.Rational(v) for k, v in values.items()}
    exprs = sympy_nodes(t)
    for n in t.nodes:
        assert close(n.value, number(exprs[n.id], point)), (text, n.id, "value")
        s = sp.Symbol("node_under_test", real=True)
        output = sympy_nodes(t, n.id, s)[t.output]
        want = number(sp.diff(output, s).subs(s, exprs[n.id]), point)
        assert close(n.grad, want), (text, n.id, n.label, "grad", n.grad, want)
        if want is None:   # allowed only where no input reaches (SPEC: no error for it)
            assert not n.depends
        if n.inputs:
            args = sp.symbols(f"a0:{len(n.inputs)}", real=True)
            body = SYMPY[n.op.name](*args)
            at = {a: exprs[j].subs(point) for a, j in zip(args, n.inputs)}
            for k, a in enumerate(args):
                want = number(sp.diff(body, a).subs(at), {})
                assert close(n.local[k], want), (text, n.id, "local", k, n.local[k], want)


NEURON = "1/(1+exp(-(w0*x0+w1*x1+w2)))"
NEURON_AT = {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}

PROGRAMS = [
    ("p = x + y; g = p * z", {"x": 1, "y": 3, "z": -3}),
    ("(x+y)*z", {"x": 1, "y": 3, "z": -3}),
    (NEURON, NEURON_AT),
    ("q = x*x + x; s = q*y + sin(q)", {"x": 0.7, "y": -1.5}),
    ("a = x/y; b = a^y; c = exp(-a) * tanh(b) + log(x)", {"x": 2, "y": 3}),
    ("sigmoid(w*x + b) - softplus(x) + atan(w)", {"w": 0.5, "x": -2, "b": 0.25}),
    ("max(x, y) * min(x, 2*y) + abs(x - y) + relu(y)", {"x": 1.5, "y": 0.5}),
    ("u = sqrt(x^2 + y^2); u / (1 + u) + log2(u) - log10(u)", {"x": 3, "y": 4}),
    ("h = w*x; o = w*h + w; o2 = o", {"w": 1.25, "x": -0.5}),
    ("x^2 + 2^x + pi*e", {"x": -3}),
    ("sinh(x) * cosh(y) / tan(x + y)", {"x": 0.3, "y": 0.2}),
]


@pytest.mark.parametrize("text, values", PROGRAMS)
def test_every_node_matches_sympy(text, values):
    check_trace(text, values)


def test_seed_by_hand():
    """The issue's seed: p = 4 with gradient -3, g = -12 with gradient 1."""
    t = trace("p = x + y; g = p * z", x=1, y=3, z=-3)
    by = {n.label: n for n in t.nodes}
    assert (by["p"].value, by["p"].grad) == (4, -3)
    assert (by["g"].value, by["g"].grad) == (-12, 1)
    assert (by["x"].grad, by["y"].grad, by["z"].grad) == (-3, -3, 4)
    assert by["g"].local == (-3, 4)       # ∂(p·z)/∂p = z, ∂(p·z)/∂z = p
    assert by["p"].local == (1, 1)


def test_cs231n_neuron_matches_the_published_circuit():
    """cs231n.github.io/optimization-2: every gate's value and gradient, to two decimals."""
    t = trace(NEURON, NEURON_AT)
    by = {n.label: n for n in t.nodes}
    published = {  # label: (value, gradient) as printed on the circuit
        "w0": (2.00, -0.20), "x0": (-1.00, 0.39), "w1": (-3.00, -0.39), "x1": (-2.00, -0.59),
        "w2": (-3.00, 0.20), "w0*x0": (-2.00, 0.20), "w1*x1": (6.00, 0.20),
        "w0*x0+w1*x1": (4.00, 0.20), "w0*x0+w1*x1+w2": (1.00, 0.20),
        "-(w0*x0+w1*x1+w2)": (-1.00, -0.20), "exp(-(w0*x0+w1*x1+w2))": (0.37, -0.53),
        "1+exp(-(w0*x0+w1*x1+w2))": (1.37, -0.53), NEURON: (0.73, 1.00),
    }
    for label, (value, grad) in published.items():
        assert round(by[label].value, 2) == value, label
        assert round(by[label].grad, 2) == grad, label
    assert t.result.gradient == pytest.approx(
        {k: by[k].grad for k in NEURON_AT}, rel=0, abs=0)


# -- random programs: statements over earlier names, smooth operations ---------------

UNARY = ["exp", "sin", "cos", "tanh", "sigmoid", "atan", "softplus", "neg"]
BINARY = ["+", "-", "*", "/"]


@st.composite
def programs(draw):
    names = ["x", "y"]
    lines = []
    for k in range(draw(st.integers(1, 7))):
        if draw(st.booleans()):
            fn = draw(st.sampled_from(UNARY))
            arg = draw(st.sampled_from(names))
            rhs = f"-{arg}" if fn == "neg" else f"{fn}({arg})"
        else:
            a, b = draw(st.sampled_from(names)), draw(st.sampled_from(names))
            op = draw(st.sampled_from(BINARY))
            rhs = f"{a} {op} (1.5 + {b}*{b})" if op == "/" else f"{a} {op} {b}"
        names.append(f"n{k}")
        lines.append(f"n{k} = {rhs}")
    # Whole words: the x in "exp(y)" is not the variable x.
    used = set(re.findall(r"\b[xy]\b", " ".join(lines)))
    if used != {"x", "y"}:
        lines.append(f"n{len(lines)} = x * y + {names[-1]}")
    values = {"x": draw(st.sampled_from([-1.5, -0.5, 0.25, 0.75, 2.0])),
              "y": draw(st.sampled_from([-1.25, -0.3, 0.4, 1.1]))}
    return "; ".join(lines), values


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_random_programs_match_sympy(case):
    text, values = case
    try:
        check_trace(text, values)
    except GradMathError as exc:
        # Refused (exp of 1618, a tower of products): right only if some statement's
        # exact value is beyond the largest double, which SymPy says.
        assert "cannot be computed" in str(exc), exc
        assert max(map(abs, _exact_statements(text, values))) > DBL_MAX, (text, str(exc))


DBL_MAX = 1.7976931348623157e308


def _exact_statements(text: str, values: dict[str, float]) -> list:
    """Each statement's value at the point, by SymPy to 30 digits (the generator's
    statements: f(a), -a, a op b, a op (1.5 + b*b), x * y + a)."""
    env = {sp.Symbol(k): sp.Rational(v) for k, v in values.items()}
    calls = {"exp": sp.exp, "sin": sp.sin, "cos": sp.cos, "tanh": sp.tanh, "atan": sp.atan,
             "sigmoid": SIGMOID, "softplus": SYMPY["softplus"]}
    out = []
    for statement in text.split("; "):
        name, rhs = statement.split(" = ")
        call = re.fullmatch(r"(\w+)\((\w+)\)", rhs)
        if call:
            value = calls[call[1]](env[sp.Symbol(call[2])])
        else:
            value = sp.parse_expr(rhs, local_dict={str(k): v for k, v in env.items()})
        env[sp.Symbol(name)] = sp.Float(value.evalf(30), 30)
        out.append(env[sp.Symbol(name)])
    return out


def test_json_carries_full_precision():
    t = trace(NEURON, NEURON_AT)
    obj = t.to_json()
    assert obj["value"] == pytest.approx(1 / (1 + math.exp(-1.0)), rel=1e-15)
    assert [n["id"] for n in obj["nodes"]] == list(range(len(t.nodes)))
    for node in obj["nodes"]:
        assert set(node) == {"id", "op", "label", "inputs", "value", "grad", "local"}
        assert len(node["local"]) == len(node["inputs"])
        assert all(j < node["id"] for j in node["inputs"])   # topological: inputs first
