"""`hessian --classify` and `--newton` against SymPy: sympy.hessian, eigenvals, nsolve and solve.

Every expected number, definiteness and verdict comes from SymPy here (its exact
eigenvalues, their signs and the second-derivative test written out in the test),
never from gradcli's own output.
"""

from __future__ import annotations

import pytest
import sympy as sp

from conftest import assert_clean_error

X, Y, Z = sp.symbols("x y z")
ROSENBROCK = "(1 - x)^2 + 100*(y - x^2)^2"
HIMMELBLAU = "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"
CUBIC = "x^3 + y^3 - 3*x*y"


def sym(text: str):
    return sp.sympify(text.replace("^", "**"), locals={"x": X, "y": Y, "z": Z})


def oracle(text: str, point: dict, names=("x", "y")):
    """SymPy's gradient, eigenvalues, definiteness and verdict at a point."""
    f = sym(text)
    variables = [sp.Symbol(n) for n in names]
    # a float is taken exactly (its binary value), so that eigenvals works on rationals
    subs = {sp.Symbol(n): sp.Rational(v) for n, v in point.items()}
    H = sp.hessian(f, variables).subs(subs)
    grad = [sp.diff(f, v).subs(subs) for v in variables]
    eigen = sorted(float(sp.re(sp.N(ev, 30))) for ev, k in H.eigenvals().items() for _ in range(k))
    big = max(abs(e) for e in eigen)
    pos = sum(e > 1e-10 * big for e in eigen)
    neg = sum(e < -1e-10 * big for e in eigen)
    if pos and neg:
        kind = "saddle point"
    elif pos == len(eigen):
        kind = "local minimum"
    elif neg == len(eigen):
        kind = "local maximum"
    else:
        kind = "inconclusive"
    return [float(g) for g in grad], eigen, kind


def args_of(point: dict) -> list[str]:
    out = []
    for name, v in point.items():
        out += [f"--{name}", repr(v)]
    return out


def himmelblau_minima():
    """Himmelblau's four minima, from SymPy's nsolve on the gradient (30 digits), as floats."""
    f = sym(HIMMELBLAU)
    equations = [sp.diff(f, X), sp.diff(f, Y)]
    points = []
    for guess in [(3, 2), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]:
        root = sp.nsolve(equations, [X, Y], guess, prec=30)
        points.append({"x": float(root[0]), "y": float(root[1])})
    return points


CASES = [
    (ROSENBROCK, {"x": 1, "y": 1}, "positive definite: a local minimum"),
    (CUBIC, {"x": 0, "y": 0}, "indefinite: a saddle point"),
    (CUBIC, {"x": 1, "y": 1}, "positive definite: a local minimum"),
    ("x^4 + y^4", {"x": 0, "y": 0}, "degenerate (the zero matrix): the test is inconclusive"),
    ("x^2 + y^3", {"x": 0, "y": 0},
     "degenerate (positive semidefinite with a zero eigenvalue): the test is inconclusive"),
    ("0 - x^2 - x*y - y^2", {"x": 0, "y": 0}, "negative definite: a local maximum"),
    ("x^2 - y^4", {"x": 0, "y": 0},
     "degenerate (positive semidefinite with a zero eigenvalue): the test is inconclusive"),
    ("x^2 - y^2 + 0*z", {"x": 0, "y": 0, "z": 0}, "indefinite: a saddle point"),  # a zero eigenvalue too
    ("x^3", {"x": 0}, "degenerate (the second derivative is 0): the test is inconclusive"),
    ("cos(x)", {"x": 0}, "negative definite: a local maximum"),
]


@pytest.mark.parametrize("text, point, sentence", CASES)
def test_classify_against_sympy(cli, text, point, sentence):
    names = tuple(point)
    grad, eigen, kind = oracle(text, point, names)
    r = cli("hessian", text, *args_of(point), "--classify", "--json")
    assert r.exit_code == 0, r.stderr
    c = r.json["classification"]
    assert list(c["gradient"]) == list(names)
    assert list(c["gradient"].values()) == pytest.approx(grad, abs=1e-12)
    assert c["eigenvalues"] == pytest.approx(eigen, rel=1e-12, abs=1e-12)
    assert c["critical_point"] is True
    assert c["kind"] == kind
    assert c["summary"] == sentence
    human = cli("hessian", text, *args_of(point), "--classify")
    assert human.exit_code == 0
    assert sentence in " ".join(human.stdout.split())


@pytest.mark.parametrize("k", range(4))
def test_himmelblau_four_minima(cli, k):
    point = himmelblau_minima()[k]
    grad, eigen, kind = oracle(HIMMELBLAU, point)
    assert kind == "local minimum"  # SymPy says so: both eigenvalues positive
    r = cli("hessian", HIMMELBLAU, *args_of(point), "--classify", "--newton", "--json")
    assert r.exit_code == 0, r.stderr
    c = r.json["classification"]
    assert c["eigenvalues"] == pytest.approx(eigen, rel=1e-9)
    assert c["definiteness"] == "positive definite" and c["kind"] == "local minimum"
    assert max(abs(g) for g in c["gradient"].values()) < 1e-8
    # At a minimum, Newton's step stays (within rounding) where it is.
    for name in ("x", "y"):
        assert r.json["newton"]["point"][name] == pytest.approx(point[name], rel=1e-12)


def test_himmelblau_rounded_to_six_places_needs_a_looser_tol(cli):
    # At the printed six-decimal point the gradient is ~1e-5, not 0: gradcli says so, and
    # --tol decides what counts as zero.
    point = {"x": -2.805118, "y": 3.131312}
    grad, _, _ = oracle(HIMMELBLAU, point)
    r = cli("hessian", HIMMELBLAU, *args_of(point), "--classify", "--json")
    c = r.json["classification"]
    assert c["critical_point"] is False and c["kind"] is None
    assert c["summary"].startswith("not a critical point: the gradient is (")
    assert list(c["gradient"].values()) == pytest.approx(grad, rel=1e-9)
    loose = cli("hessian", HIMMELBLAU, *args_of(point), "--classify", "--tol", "1e-3", "--json")
    assert loose.json["classification"]["kind"] == "local minimum"
    assert loose.json["classification"]["gradient_tolerance"] == 1e-3


def test_not_a_critical_point(cli):
    # ∇(x³ + y³ − 3xy) = (3x² − 3y, 3y² − 3x) = (10.5, −5.25) at (2, 0.5).
    grad, eigen, _ = oracle(CUBIC, {"x": 2, "y": 0.5})
    assert grad == [10.5, -5.25]
    r = cli("hessian", CUBIC, "-x", "2", "-y", "0.5", "--classify", "--json")
    c = r.json["classification"]
    assert c["summary"] == "not a critical point: the gradient is (10.5, -5.25)"
    assert c["kind"] is None and c["definiteness"] == "positive definite"
    assert c["eigenvalues"] == pytest.approx(eigen, rel=1e-12)
    human = cli("hessian", CUBIC, "-x", "2", "-y", "0.5", "--classify")
    assert "not a critical point: the gradient is (10.5, -5.25)" in human.stdout


def sympy_newton(text: str, point: dict):
    """x − d with H d = ∇f, d from sympy.solve."""
    f = sym(text)
    names = list(point)
    variables = [sp.Symbol(n) for n in names]
    subs = {sp.Symbol(n): sp.nsimplify(v) for n, v in point.items()}
    H = sp.hessian(f, variables).subs(subs)
    g = sp.Matrix([sp.diff(f, v).subs(subs) for v in variables])
    d = sp.symbols(f"d0:{len(names)}")
    solution = sp.solve(list(H * sp.Matrix(d) - g), d, dict=True)[0]
    return {n: float(subs[v] - solution[di]) for n, v, di in zip(names, variables, d)}


@pytest.mark.parametrize("text, point", [
    (ROSENBROCK, {"x": 0, "y": 0}),
    (ROSENBROCK, {"x": -1.2, "y": 1}),
    (CUBIC, {"x": 2, "y": 0.5}),
    (HIMMELBLAU, {"x": 3.1, "y": 2.1}),
    ("exp(x*y) + x^2 + y^2*z^2 + z^4", {"x": 0.5, "y": -0.25, "z": 1}),
])
def test_newton_step_against_sympy_solve(cli, text, point):
    want = sympy_newton(text, point)
    r = cli("hessian", text, *args_of(point), "--newton", "--json")
    assert r.exit_code == 0, r.stderr
    n = r.json["newton"]
    assert n["reason"] is None
    for name in point:
        assert n["point"][name] == pytest.approx(want[name], rel=1e-12, abs=1e-14)
        assert n["step"][name] == pytest.approx(want[name] - point[name], rel=1e-10, abs=1e-14)
    human = cli("hessian", text, *args_of(point), "--newton")
    assert "Newton step x − H⁻¹∇f" in human.stdout


def test_newton_from_rosenbrock_origin_by_hand(cli):
    # At (0, 0): ∇f = (−2, 0), H = diag(2, 200): the step is (1, 0), to (1, 0).
    r = cli("hessian", ROSENBROCK, "-x", "0", "-y", "0", "--newton")
    rows = [line.split() for line in r.stdout.splitlines()]
    assert ["x", "0", "1", "1"] in rows and ["y", "0", "0", "0"] in rows


@pytest.mark.parametrize("text, point, why", [
    ("x^4 + y^4", {"x": 0, "y": 0}, "the Hessian is the zero matrix"),
    ("x^2 + y^3", {"x": 0, "y": 0}, "the Hessian is singular"),
    ("x^2 + y", {"x": 1, "y": 5}, "the Hessian is singular"),  # not critical either: H = diag(2, 0)
])
def test_newton_cannot_be_taken_where_the_hessian_is_singular(cli, text, point, why):
    # SymPy agrees that H is singular there.
    H = sp.hessian(sym(text), [X, Y]).subs({X: point["x"], Y: point["y"]})
    assert H.det() == 0
    r = cli("hessian", text, *args_of(point), "--newton", "--json")
    assert r.exit_code == 0
    assert r.json["newton"]["point"] is None and r.json["newton"]["step"] is None
    assert r.json["newton"]["reason"].startswith(why)
    human = cli("hessian", text, *args_of(point), "--newton")
    assert "Newton step: cannot be taken: " + why in human.stdout


def test_newton_at_a_saddle_says_where_it_heads(cli):
    # x² − y² from (1, 1): the step goes to the saddle (0, 0), which is not a minimum.
    r = cli("hessian", "x^2 - y^2", "-x", "1", "-y", "1", "--newton")
    assert r.exit_code == 0
    assert "the Hessian is indefinite" in r.stdout and "not a minimum" in r.stdout


def test_eigenvalue_tolerance_is_relative_to_the_largest(cli):
    # 2e-12 is below 1e-10 of the largest eigenvalue (2): counted as zero; 2e-9 is not.
    small = cli("hessian", "x^2 + 1e-12*y^2", "-x", "0", "-y", "0", "--classify", "--json").json
    assert small["classification"]["definiteness"] == "positive semidefinite"
    assert small["classification"]["eigenvalue_tolerance"] == pytest.approx(2e-10)
    larger = cli("hessian", "x^2 + 1e-9*y^2", "-x", "0", "-y", "0", "--classify", "--json").json
    assert larger["classification"]["kind"] == "local minimum"
    # Scale does not matter: the same shape a trillion times smaller is still a minimum.
    tiny = cli("hessian", "1e-12*x^2 + 1e-12*y^2", "-x", "0", "-y", "0", "--classify", "--json").json
    assert tiny["classification"]["kind"] == "local minimum"


def test_wrt_classifies_along_some_variables(cli):
    # Along x alone, with y = 5: ∂/∂x (x² + x y) = 2x + 5 = 0 at x = −2.5, ∂²/∂x² = 2.
    r = cli("hessian", "x^2 + x*y", "-x", "-2.5", "-y", "5", "--wrt", "x", "--classify", "--newton", "--json")
    c = r.json["classification"]
    assert c["gradient"] == {"x": 0.0} and c["eigenvalues"] == [2.0] and c["kind"] == "local minimum"
    assert r.json["newton"]["point"] == {"x": -2.5}


def test_json_fields_and_order(cli):
    r = cli("hessian", CUBIC, "-x", "1", "-y", "1", "--classify", "--newton", "--json")
    assert list(r.json) == ["expression", "inputs", "value", "hessian", "classification", "newton"]
    assert list(r.json["classification"]) == ["gradient", "eigenvalues", "definiteness", "critical_point",
                                               "kind", "summary", "eigenvalue_tolerance", "gradient_tolerance"]
    assert list(r.json["newton"]) == ["point", "step", "reason"]
    plain = cli("hessian", CUBIC, "-x", "1", "-y", "1", "--json")
    assert "classification" not in plain.json and "newton" not in plain.json


def test_with_exact_values(cli):
    # --exact: the matrix stays exact (the "exact" key, last); the test runs on its floats.
    r = cli("hessian", CUBIC, "-x", "1/2", "-y", "1/4", "--classify", "--newton", "--exact", "--json")
    assert r.exit_code == 0, r.stderr
    assert list(r.json)[-1] == "exact"
    want = sympy_newton(CUBIC, {"x": sp.Rational(1, 2), "y": sp.Rational(1, 4)})
    assert r.json["newton"]["point"]["x"] == pytest.approx(want["x"], rel=1e-12)
    assert r.json["newton"]["point"]["y"] == pytest.approx(want["y"], rel=1e-12)


@pytest.mark.parametrize("args, fragments", [
    (("x^2 + y^2", "-x", "0", "-y", "0", "--classify", "--symbolic"), ("--classify", "--symbolic")),
    (("x^2 + y^2", "--newton", "--symbolic"), ("--newton", "--symbolic")),
    (("x^2 + y^2", "-x", "0", "-y", "0", "--newton", "--latex"), ("--latex",)),
    (("x^2 + y^2", "-x", "0", "-y", "0", "--tol", "1e-3"), ("--tol", "--classify")),
    (("x^2 + y^2", "-x", "0", "-y", "0", "--classify", "--tol", "-1"), ("--tol must be",)),
    (("x^2 + y^2", "-x", "0", "-y", "0", "--classify", "--tol", "nan"), ("--tol must be",)),
    (("2 + 3", "--classify"), ("no input variables",)),
])
def test_refusals_are_usage_errors(cli, args, fragments):
    assert_clean_error(cli("hessian", *args), 2, *fragments)
    r = cli("hessian", *args, "--json")
    assert r.exit_code == 2 and r.json["error"]["kind"] == "usage"


def test_missing_point_is_a_name_error(cli):
    r = cli("hessian", "x^2 + y^2", "-x", "0", "--classify", "--json")
    assert r.exit_code == 2 and r.json["error"]["kind"] == "name"


def test_library():
    from gradcli.symbolic.curvature import classify, newton_step
    from gradcli.symbolic.hessian import hessian

    h = hessian(CUBIC, x=1, y=1, gradient=True)
    assert classify(h).kind == "local minimum"
    assert newton_step(h).point == [1.0, 1.0]
    assert hessian(CUBIC, x=1, y=1).gradient is None  # only computed when asked
