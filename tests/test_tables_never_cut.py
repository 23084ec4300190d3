"""No table cuts a number, at any width ("a number is never cut", as the trace table).

grad's table, grad --check's, grad --exact's, hessian's matrix and its --newton
table, train's parameters and check's class summary are printed at 30, 60, 80, 100
and 200 columns (COLUMNS) and piped with no COLUMNS, for programs with long names
and 12-significant-digit numbers with exponents. Every expected number, worked out
here by hand, with Fractions or with SymPy, and written as gradcli writes numbers
for people (12 significant digits: -9.87654321098e-200), must be a whole word of
the output; there is no "…"; the names may fold but must read back whole; no line
is wider than the terminal; and the common case looks exactly as before.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from fractions import Fraction

import pytest
import sympy as sp
from rich.cells import cell_len

from conftest import run_cli

WIDTHS = [30, 60, 80, 100, 200]
PIPED = [None]                       # no COLUMNS: Rich's 80 in a pipe
W = "w" * 45
V = "v" * 45
WV = 1.23456789012345
VV = -9.87654321098e-200
NUMBER = re.compile(r"^-?(\d+(\.\d+)?(e[-+]\d+)?|\d+/\d+)$")


def show(x, digits: int = 12) -> str:
    """A number as gradcli writes it for people: an integer without a point, else
    `digits` significant digits; a Fraction as p/q."""
    if isinstance(x, Fraction):
        return str(x)
    x = float(x)
    if x == 0:
        return "0"
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.{digits}g}"


def env_for(width):
    return {"COLUMNS": str(width)} if width is not None else {"COLUMNS": None}


def run(width, *args):
    got = run_cli(*args, env=env_for(width))
    assert got.exit_code == 0, (got.stdout, got.stderr)
    return got.stdout


def assert_whole(out: str, numbers, width) -> None:
    """Each number a whole word of the output (on one line); nothing cut; nothing wider
    than the terminal."""
    assert "…" not in out, out
    words = out.split()
    for number in numbers:
        assert number in words, (number, out)
    limit = width or 80
    assert max(cell_len(line.rstrip()) for line in out.splitlines()) <= limit, out


def folded_names(out: str, letters: str, header: str = "v") -> str:
    """The names read back: each line's leading run of these letters (a label column's
    piece, or a block's name line), joined in order; the column's header left out.
    Names that were cut would not join back into the whole names."""
    return "".join(piece for piece in re.findall(rf"^([{letters}]+)(?:\s|$)", out, re.M)
                   if piece != header)


@pytest.mark.parametrize("width", WIDTHS + PIPED)
def test_grad_table_with_long_names(width):
    out = run(width, "grad", f"{W}*{V}", f"{W}={WV!r}", f"{V}={VV!r}")
    # ∂(wv)/∂w = v, ∂(wv)/∂v = w
    assert_whole(out, ["-1.21932631137e-199", "1.23456789012", "-9.87654321098e-200"], width)
    assert show(WV * VV) == "-1.21932631137e-199" and show(WV) == "1.23456789012"
    assert folded_names(out, "wv") == W + V
    # each number twice: the value column and the gradient column
    assert out.split().count("-9.87654321098e-200") == 2
    assert out.split().count("1.23456789012") == 2


@pytest.mark.parametrize("width", WIDTHS + PIPED)
def test_grad_check_table_with_long_names(width):
    args = ("grad", "--check", f"{W}*{V}", f"{W}={WV!r}", f"{V}={VV!r}")
    report = run_cli(*args, "--json").json["check"]["gradient"]
    out = run(width, *args)
    want = ["-9.87654321098e-200", "1.23456789012"]          # analytic, by hand
    for row in (report[W], report[V]):
        want += [show(row["numeric"]), f"{row['abs_error']:.2e}", f"{row['rel_error']:.2e}"]
    assert_whole(out, want, width)
    assert folded_names(out, "wv") == W + V
    assert out.split().count("✓") == 2
    for header in ("analytic", "numeric", "abs", "rel"):
        assert header in out.split(), (header, out)


HESSIAN = "a^3*b^2*c + exp(a)*d*k + k^2*a"
HESSIAN_7 = "a^3*b^2*c + exp(a)*d*k + k^2*a*m*n"
POINT = {"a": 1.23456789012345, "b": -9.87654321098e-100, "c": 3.3333333333,
         "d": 1.1111111111, "k": 2.2, "m": 1.1, "n": 1.3}


def sympy_hessian(text: str, names: list[str]) -> list[list[str]]:
    """Every entry by SymPy, at the exact binary values of the point, to 40 digits."""
    syms = {n: sp.Symbol(n) for n in names}
    f = sp.sympify(text.replace("^", "**"), locals=syms)
    at = {syms[n]: sp.Rational(POINT[n]) for n in names}
    return [[show(sp.diff(f, syms[x], syms[y]).subs(at).evalf(40)) for y in names] for x in names]


def hessian_args(text: str, names: list[str]) -> list[str]:
    args = ["hessian", text]
    for n in names:
        args += [f"-{n}", repr(POINT[n])]
    return args


def matrix_words(out: str) -> list[str]:
    """The numbers of the matrix: every numeric word after its title."""
    return [w for w in out.split("∂²/∂u∂v", 1)[1].split() if NUMBER.match(w)]


@pytest.mark.parametrize("width", WIDTHS + PIPED)
@pytest.mark.parametrize("text,names", [(HESSIAN, list("abcdk")), (HESSIAN_7, list("abcdkmn"))])
def test_hessian_matrix_every_entry_whole(width, text, names):
    expected = sympy_hessian(text, names)
    assert expected[0][1] == "-3.01068222317e-98"            # 6a²bc: the entry that was cut
    out = run(width, *hessian_args(text, names))
    assert_whole(out, [e for row in expected for e in row], width)
    # every column is there: the matrix's n² entries, each once, and no other number
    assert sorted(matrix_words(out)) == sorted(e for row in expected for e in row)


def test_hessian_with_seven_variables_piped_for_real():
    """A real pipe (no COLUMNS, not a terminal): the 7×7 matrix, every entry whole."""
    names = list("abcdkmn")
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    done = subprocess.run([sys.executable, "-m", "gradcli", *hessian_args(HESSIAN_7, names)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    expected = [e for row in sympy_hessian(HESSIAN_7, names) for e in row]
    assert_whole(done.stdout, expected, 80)
    assert sorted(matrix_words(done.stdout)) == sorted(expected)


@pytest.mark.parametrize("width", WIDTHS + PIPED)
def test_hessian_with_long_names(width):
    text = f"{W}^3*{V}^2 + exp({W})*q"
    out = run(width, "hessian", text, f"{W}={WV!r}", f"{V}={-9.87654321098e-100!r}", "-q", "3.3333333333")
    w, v, q = sp.Rational(WV), sp.Rational(-9.87654321098e-100), sp.Rational(3.3333333333)
    # by hand: f_ww = 6wv² + e^w q, f_wv = 6w²v, f_wq = e^w, f_vv = 2w³, f_vq = f_qq = 0
    entries = [6 * w * v**2 + sp.exp(w) * q, 6 * w**2 * v, sp.exp(w), 2 * w**3, 0, 0]
    want = [show(sp.N(e, 40)) for e in entries]
    assert want[1] == "-9.03204666959e-99"
    assert_whole(out, want, width)
    assert sorted(matrix_words(out)) == sorted([want[0], want[1], want[2], want[1], want[3], want[4],
                                                want[2], want[4], want[5]])


# Exact answers: fractions of up to 30 characters.
EXACT = "x^20*y/3"
X, Y = Fraction(7, 3), Fraction(1, 7)


@pytest.mark.parametrize("width", WIDTHS + PIPED)
def test_exact_gradient_and_hessian(width):
    grad = run(width, "grad", "--exact", EXACT, "-x", "7/3", "-y", "1/7")
    # ∂/∂x = 20x¹⁹y/3, ∂/∂y = x²⁰/3
    assert_whole(grad, [str(X), str(Y), str(20 * X**19 * Y / 3), str(X**20 / 3)], width)
    hess = run(width, "hessian", "--exact", EXACT, "-x", "7/3", "-y", "1/7")
    # f_xx = 380x¹⁸y/3, f_xy = 20x¹⁹/3, f_yy = 0
    want = [str(380 * X**18 * Y / 3), str(20 * X**19 / 3), str(20 * X**19 / 3), "0"]
    assert_whole(hess, want, width)
    assert sorted(matrix_words(hess)) == sorted(want)


LONG_X = "x_" + "p" * 40
LONG_Y = "y_" + "q" * 40


@pytest.mark.parametrize("width", WIDTHS + PIPED)
def test_newton_table_with_long_names(width):
    x, y = 0.123456789012345, -9.87654321098e-5
    out = run(width, "hessian", f"(1-{LONG_X})^2 + 100*({LONG_Y}-{LONG_X}^2)^2",
              f"{LONG_X}={x!r}", f"{LONG_Y}={y!r}", "--newton")
    # by hand, exactly: ∇f = (-2(1-x) - 400x(y-x²), 200(y-x²)),
    # H = [[2 - 400(y-x²) + 800x², -400x], [-400x, 200]]; the step is -H⁻¹∇f
    X_, Y_ = Fraction(x), Fraction(y)
    g = (-2 * (1 - X_) - 400 * X_ * (Y_ - X_**2), 200 * (Y_ - X_**2))
    h = ((2 - 400 * (Y_ - X_**2) + 800 * X_**2, -400 * X_), (-400 * X_, Fraction(200)))
    det = h[0][0] * h[1][1] - h[0][1] * h[1][0]
    step = (-(h[1][1] * g[0] - h[0][1] * g[1]) / det, -(h[0][0] * g[1] - h[1][0] * g[0]) / det)
    want = [show(float(v)) for v in (X_, Y_, step[0], step[1], X_ + step[0], Y_ + step[1])]
    assert_whole(out.split("Newton step", 1)[1], want, width)
    assert folded_names(out.split("Newton step", 1)[1].split("\n", 1)[1], "xypq_") == LONG_X + LONG_Y


@pytest.mark.parametrize("width", WIDTHS + PIPED)
def test_train_parameters_table(width):
    P, Q = "w" * 40, "v" * 41
    out = run(width, "train", f"({P}*2-1)^2 + ({Q}*1e-30 - 3e-200)^2", "--param", f"{P}=0.3",
              "--param", f"{Q}=-1.5e-170", "--steps", "5")
    # by hand: sgd with lr 0.001 on (2w-1)², gradient 4(2w-1); v moves by about 1e-232
    w = 0.3
    for _ in range(5):
        g = 4 * (2 * w - 1)
        w -= 0.001 * g
    gv = 2 * (-1.5e-170 * 1e-30 - 3e-200) * 1e-30
    table = out.split("\nloss ", 1)[0]
    assert_whole(table, [show(0.3, 6), show(w, 6), show(g, 6), "-1.5e-170", show(gv, 6)], width)
    assert show(w, 6) == "0.307873" and show(gv, 6) == "-9e-230"
    assert table.split().count("-1.5e-170") == 2


@pytest.mark.parametrize("width", WIDTHS + PIPED)
def test_check_class_summary_and_questions(width, tmp_path):
    problem = "a_problem_with_a_rather_long_identifier_name"
    student = "student_with_a_very_long_file_name_indeed"
    (tmp_path / "key.toml").write_text(
        f'[[problem]]\nid = "{problem}"\nprogram = "L = (w*x - t)^2"\n'
        'bindings = { w = 0.5, x = 2.0, t = 3.0 }\nask = ["value", "grad.w"]\npoints = 3.3333333\n')
    (tmp_path / f"{student}.toml").write_text(f'[{problem}]\nvalue = 4\n"grad.w" = -8\n')
    (tmp_path / "s2.toml").write_text(f"[{problem}]\nvalue = 3\n")
    got = run_cli("check", str(tmp_path / "key.toml"), str(tmp_path / f"{student}.toml"),
                  str(tmp_path / "s2.toml"), env=env_for(width))
    assert got.exit_code == 1, got.stderr
    summary = got.stdout[got.stdout.index("class summary"):got.stdout.index("\n2 students")]
    # (wx - t)² at 0.5, 2, 3 is 4 and its ∂/∂w is 2(wx - t)x = -8: s1 has both, s2 neither;
    # 3.3333333 points, half a question, to 4 decimals
    assert_whole(summary, ["2/2", "0/2", "3.3333/3.3333", "0/3.3333", "100", "0", "1.6667", "1/2"],
                 width)
    assert summary.split().count("1/2") == 2 and summary.split().count("1.6667") == 2
    # the names fold, but read back whole: the first column's pieces, joined
    students, questions = summary.split("by question")
    assert student in "".join(re.findall(r"^([a-z_]+)(?:\s|$)", students, re.M))
    assert "".join(re.findall(r"^([a-z_]+)(?:\s|$)", questions, re.M)).count(problem) == 2


COMMON = """\
value = -12
v  value  ∂/∂v
x      1    -3
y      3    -3
z     -3     4
"""


@pytest.mark.parametrize("width", WIDTHS + PIPED)
def test_the_common_case_is_as_before(width):
    out = run(width, "grad", "(x+y)*z", "-x", "1", "-y", "3", "-z", "-3")
    assert out.startswith(COMMON)
    if (width or 80) >= 61:
        assert out == COMMON + "reverse mode: 4 local-derivative products (one backward pass)\n"
    check = run(width, "hessian", "x^3 + 2*x^2*y - 3*y", "-x", "1", "-y", "2")
    assert check == "value = -1\n∂²/∂u∂v     \nu \\ v   x  y\nx      14  4\ny       4  0\n"


def test_show_is_how_gradcli_writes_numbers():
    from gradcli.numbers import fmt

    for v in (WV, VV, WV * VV, 4.0, -3.0, 0.0, 1e15, 2.5e-7, -math.pi):
        assert show(v) == fmt(v)
