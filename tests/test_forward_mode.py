"""--mode forward: tangent passes from the same local rules, against reverse mode and SymPy.

Numbers here are derived by hand (the seed example, the product counts) or come
from SymPy's diff on the random programs of test_random_expressions.py.
"""

from __future__ import annotations

import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.program.program import Program
from test_random_expressions import PROGRAMS, SYMBOLS, Generator, assert_close, exact

SEED = ["p = x + y; g = p * z", "-x", "1", "-y", "3", "-z", "-3"]


def _both_against_sympy(p):
    fwd = Program(p.text).grad(p.point, mode="forward")
    rev = Program(p.text).grad(p.point)
    grads = {v: exact(sp.diff(p.expr, SYMBOLS[v]), p.point) for v in p.point}
    scale = max([p.largest, 1.0, *(float(abs(g)) for g in grads.values())])
    assert fwd.mode == "forward" and set(fwd.gradient) == set(rev.gradient) == set(p.point)
    for v, want in grads.items():
        assert_close(fwd.gradient[v], want, scale, f"forward d/d{v} of {p.text!r} at {p.point}")
        assert_close(fwd.gradient[v], rev.gradient[v], scale, f"forward vs reverse d/d{v}")
    assert fwd.value == rev.value


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.integers(0, 10**9))
def test_forward_and_reverse_agree_with_sympy_on_random_programs(seed):
    _both_against_sympy(Generator(seed).program())


def test_forward_mode_on_the_fixed_random_programs():
    for p in PROGRAMS[::6]:
        _both_against_sympy(p)


def test_seed_example_trace_json_has_a_tangent_per_node(cli):
    r = cli("trace", *SEED, "--mode", "forward", "--json")
    assert r.exit_code == 0, r.stderr
    j = r.json
    # by hand: tangents wrt x, y, z of x, y, p = x + y, z, g = p*z (p = 4, z = -3)
    want = {"x": {"x": 1, "y": 0, "z": 0}, "y": {"x": 0, "y": 1, "z": 0},
            "p": {"x": 1, "y": 1, "z": 0}, "z": {"x": 0, "y": 0, "z": 1},
            "g": {"x": -3, "y": -3, "z": 4}}
    assert {n["label"]: n["tangent"] for n in j["nodes"]} == want
    assert j["gradient"] == {"x": -3, "y": -3, "z": 4}
    assert j["products"] == 5      # x: p, g; y: p, g; z: g
    assert [n["grad"] for n in j["nodes"]] == [-3, -3, -3, 4, 1]   # the schema's grad stays
    rev = cli("trace", *SEED, "--json").json
    assert rev["products"] == 4 and "tangent" not in rev["nodes"][0]


def test_seed_example_steps_narrate_the_tangent_passes(cli):
    out = cli("trace", *SEED, "--mode", "forward", "--steps").stdout
    assert "p = x + y = 1 + 3 = 4" in out
    assert "dp/dx = ∂p/∂x · dx/dx = 1 · 1 = 1" in out
    assert "dg/dx = ∂g/∂p · dp/dx = (-3) · 1 = -3" in out
    assert "dg/dz = ∂g/∂z · dz/dz = 4 · 1 = 4" in out
    assert out.index("Tangent pass for x") < out.index("Tangent pass for y") < out.index("Tangent pass for z")
    assert "forward mode: 5 local-derivative products (3 tangent passes)" in out
    rev = cli("trace", *SEED, "--steps").stdout
    assert "reverse mode: 4 local-derivative products (one backward pass)" in rev


def _products(text, values, mode, wrt=None):
    return Program(text).grad(values, mode=mode, wrt=wrt).products


def test_product_counts_by_hand():
    xs = {"a": 1, "b": 2, "c": 3, "d": 4}
    # ((a+b)+c)+d: reverse multiplies the 2 edges of each of the 3 adds once
    assert _products("a+b+c+d", xs, "reverse") == 6
    # forward: a and b pass through 3 adds, c through 2, d through 1
    assert _products("a+b+c+d", xs, "forward") == 3 + 3 + 2 + 1
    assert _products("a+b+c+d", xs, "forward", wrt=["d"]) == 1    # one pass per asked input
    # max(sqrt(x), 5) at x = 1: sqrt loses, its upstream is 0 and its edge is skipped
    assert _products("max(sqrt(x), 5)", {"x": 1}, "reverse") == 2
    # forward wrt x: sqrt's edge, then max's edge from sqrt (the constant's tangent is 0)
    assert _products("max(sqrt(x), 5)", {"x": 1}, "forward") == 2
    # x*x: both uses are edges, in either mode
    assert _products("x*x", {"x": 3}, "reverse") == _products("x*x", {"x": 3}, "forward") == 2


def test_grad_forward_has_the_shape_of_reverse(cli):
    for extra in ([], ["--wrt", "z,x"]):
        f = cli("grad", *SEED, "--mode", "forward", "--json", *extra)
        r = cli("grad", *SEED, "--json", *extra)
        assert f.exit_code == r.exit_code == 0 and f.json == r.json
    human = cli("grad", *SEED, "--mode", "forward").stdout
    assert "forward mode: 5 local-derivative products (3 tangent passes)" in human
    assert cli("grad", *SEED, "--mode", "forward", "--wrt", "z").stdout.count("1 local-derivative product ") == 1
    assert "reverse mode: 4 local-derivative products" in cli("grad", *SEED).stdout


def test_a_zero_tangent_is_not_multiplied_by_an_infinite_local(cli):
    # ∂sqrt(y)/∂y is infinite at y = 0, but x's pass never reaches sqrt(y)
    r = cli("grad", "sqrt(y) + x", "-y", "0", "-x", "1", "--wrt", "x", "--mode", "forward", "--json")
    assert r.exit_code == 0 and r.json["gradient"] == {"x": 1}


def test_a_non_finite_tangent_is_a_math_error(cli):
    r = cli("grad", "sqrt(x) * 2", "-x", "0", "--mode", "forward", "--json")
    assert r.exit_code == 3 and r.json["error"]["kind"] == "math"
    assert "sqrt(x)" in r.json["error"]["message"] and "Traceback" not in r.stderr


def test_forward_mode_refuses_what_it_does_not_do(cli):
    for extra in (["--exact"], ["--symbolic"], ["--check"]):
        r = cli("grad", "x*y", "-x", "1", "-y", "2", "--mode", "forward", "--json", *extra)
        assert r.exit_code == 2 and r.json["error"]["kind"] == "usage", extra
    r = cli("trace", *SEED, "--mode", "forward", "--format", "dot")
    assert r.exit_code == 2 and "--mode forward" in r.stderr
