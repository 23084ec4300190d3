"""No array view cuts a number, at any width ("a number is never cut").

An array is written by views/array_text, which breaks its lines only between numbers;
the views must print those lines as they are (Rich must never fold one at the
terminal's edge), and where the head leaves too little room the numbers go under the
array's shape (array_text.fitted_lines). The programs below have long names and
12-significant-digit numbers with exponents down to e-300; they are printed by trace
(the node blocks and the closing gradient, both modes, and --steps), grad, train and
check at 30, 45, 60, 80 and 120 columns. Every expected number, worked out here by hand
with Python floats (the same IEEE operations the engine does) and written as gradcli
writes numbers for people, must be a whole word of the output (brackets and commas
aside); no word is a piece of one; no "…" touches a digit; the array lines fit the
terminal where the numbers can; and a wide terminal shows the layout it always did.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from rich.cells import cell_len

from conftest import run_cli
from gradcli.numbers import fmt
from gradcli.views.array_text import fitted_lines, labelled, show as show_array

WIDTHS = [30, 45, 60, 80, 120]

W1_NAME = "weights_matrix"
W1 = [[-9.87654321098e-200, 1.23456789012e+150, 3.3], [1.0, 2.0, 3.0]]
W_NAME = "weight_matrix_first_layer"
W = [[-9.87654321098e-200, 1.23456789012e+150, -3.45678901234e-100],
     [6.54321098765e+120, -1.11111111111e-11, 2.22222222222e22]]
X_NAME = "input_vector_features"
X = [-9.87654321098e-2, 1.23456789012e+1, -3.45678901234e-1]


def show(x: float, digits: int = 12) -> str:
    """A number as gradcli writes it for people: an integer (below 1e15) without a point,
    else `digits` significant digits."""
    x = float(x)
    if x == 0:
        return "0"
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.{digits}g}"


def flat(m) -> list[float]:
    return [x for row in m for x in row] if isinstance(m[0], list) else list(m)


def literal(m) -> str:
    return repr(m)


def words(out: str) -> list[str]:
    """The output's words, brackets, parentheses and commas taken away."""
    return re.sub(r"[\[\](),]", " ", out).split()


NUMERIC = re.compile(r"^-?[0-9.]*[0-9][0-9.e+-]*$")


def assert_whole(out: str, numbers: list[str], wide: str | None = None) -> None:
    """Each number a whole word; no word a piece of one of them (a word that is not
    itself one, yet begins or ends one); no '…' next to a digit."""
    got = words(out)
    for number in numbers:
        assert number in got, (number, out)
    legit = set(numbers) | (set(words(wide)) if wide is not None else set())
    for w in got:
        if w in legit or len(w) < 3 or not NUMERIC.match(w):
            continue
        pieces = [n for n in numbers if n != w and (n.startswith(w) or n.endswith(w))]
        assert not pieces, (w, pieces, out)
    assert not re.search(r"\d…|…\d", out), out


ARRAY_LINE = re.compile(r"^[ \[\],0-9.e+\-]*\d[ \[\],0-9.e+\-]*$")


def assert_array_lines_fit(out: str, width: int) -> None:
    """The lines of an array's numbers keep to the width (the numbers here leave room)."""
    for line in out.splitlines():
        if ARRAY_LINE.match(line):
            assert cell_len(line) <= width, (width, line, out)


def run(width: int, *args: str) -> str:
    got = run_cli(*args, env={"COLUMNS": str(width), "NO_COLOR": "1"})
    assert got.exit_code == 0, (got.stdout, got.stderr)
    return got.stdout


# -- the numbers, by hand ---------------------------------------------------------------------

def square_numbers() -> list[str]:
    """sum(W1*W1): W1, W1*W1, the gradient 2·W1 (W1 used twice: W1 + W1), and the sum."""
    w = flat(W1)
    sq = [x * x for x in w]
    return ([show(x) for x in w] + [show(x) for x in sq] + [show(x + x) for x in w]
            + [show(sum(sq))])


def scaled_numbers() -> list[str]:
    """sum(W*W*1e-200): ∂/∂(W*W·1e-200) = 1, ∂/∂(W*W) = 1e-200, ∂/∂W = 1e-200·W + 1e-200·W."""
    w = flat(W)
    sq = [x * x for x in w]
    scaled = [s * 1e-200 for s in sq]
    grad = [1e-200 * x + 1e-200 * x for x in w]
    return ([show(x) for x in w] + [show(s) for s in sq] + [show(s) for s in scaled]
            + [show(g) for g in grad] + ["1e-200"])


def matmul_numbers(values: bool = True) -> list[str]:
    """sum(W @ x): W @ x by rows; ∂/∂W = outer(ones, x), each row x; ∂/∂x = Wᵀ·ones, the
    column sums (and, with values, W, x, W @ x and the sum; forward --steps writes only
    the tangents: x's and W's elements, the column sums)."""
    w, x = W, X
    wx = [w[i][0] * x[0] + w[i][1] * x[1] + w[i][2] * x[2] for i in range(2)]
    cols = [w[0][j] + w[1][j] for j in range(3)]
    out = [show(v) for v in flat(w)] + [show(v) for v in x] + [show(v) for v in cols]
    return out + ([show(v) for v in wx] + [show(wx[0] + wx[1])] if values else [])


def test_the_numbers_by_hand_are_gradclis():
    """A few of the hand-made numbers, against numbers.fmt and against the values QA saw."""
    for x in (1.23456789012e+150 * 2, 1e-200 * W[0][1] + 1e-200 * W[0][1],
              1e-200 * W[0][2] + 1e-200 * W[0][2], X[1], 1e-200 * W[1][0] + 1e-200 * W[1][0]):
        assert show(x) == fmt(x)
    assert show(1.23456789012e+150 * 2) == "2.46913578024e+150"
    assert "2.46913578024e-50" in scaled_numbers() and "-6.91357802468e-300" in scaled_numbers()
    assert "12.3456789012" in matmul_numbers() and "-0.345678901234" in matmul_numbers()
    assert "1.52415787532e+151" in matmul_numbers() and "-6.46243060581e+119" in matmul_numbers()
    assert show(2 * -9.87654321098e-20) == "-1.9753086422e-19"   # the key's, rounded up
    assert show(2 * 6.54321098765e+12) == "13086421975300"        # an integer: no point


# -- trace ------------------------------------------------------------------------------------

TRACE_CASES = {
    "square": (["trace", f"sum({W1_NAME}*{W1_NAME})", f"{W1_NAME}={literal(W1)}"], square_numbers),
    "scaled": (["trace", f"sum({W_NAME}*{W_NAME}*1e-200)", f"{W_NAME}={literal(W)}"],
               scaled_numbers),
    "matmul": (["trace", f"sum({W_NAME} @ {X_NAME})", f"{W_NAME}={literal(W)}",
                f"{X_NAME}={literal(X)}"], matmul_numbers),
    "matmul-forward": (["trace", "--mode", "forward", f"sum({W_NAME} @ {X_NAME})",
                        f"{W_NAME}={literal(W)}", f"{X_NAME}={literal(X)}"], matmul_numbers),
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("case", sorted(TRACE_CASES))
def test_trace_of_an_array_program_never_cuts_a_number(case, width):
    args, numbers = TRACE_CASES[case]
    out = run(width, *args)
    wide = run(200, *args)
    assert_whole(out, numbers(), wide)
    # the table's blocks and the closing gradient (a tree printed as plain text keeps an
    # array's lines unwrapped: views/tree)
    assert_array_lines_fit(out[out.index("\n#0 "):], width)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_trace_steps_of_an_array_program_never_cut_a_number(mode, width):
    args = ["trace", "--steps", "--mode", mode, f"sum({W_NAME} @ {X_NAME})",
            f"{W_NAME}={literal(W)}", f"{X_NAME}={literal(X)}"]
    out = run(width, *args)
    assert_whole(out, matmul_numbers(values=mode == "reverse"), run(200, *args))
    if width >= 45:   # at 30 the steps' indent of 10 leaves less than a number and its brackets
        assert_array_lines_fit(out, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_closing_gradient_keeps_each_number_on_its_line(width):
    """QA's case 2: the '∂f/∂… =' lines showed '2.' / '46913578024e-50'."""
    out = run(width, *TRACE_CASES["scaled"][0])
    closing = out[out.rindex(f"∂f/∂{W_NAME} ="):out.rindex("reverse mode")]
    grad = [show(1e-200 * x + 1e-200 * x) for x in flat(W)]
    assert words(closing.split("(2, 3)", 1)[1]) == grad, closing


@pytest.mark.parametrize("width", range(24, 70, 3))
def test_a_folded_label_keeps_its_constant_whole(width):
    """A node's label wider than the terminal folds, but never inside the 1e-200 in it
    (the table's blocks, from #0 on, and the closing gradient)."""
    out = run(width, *TRACE_CASES["scaled"][0])
    table = out[re.search(r"\n#0\b", out).start():]
    assert table.count("1e-200") >= 5, table   # #2's label and value, #3's and #4's labels
    assert_whole(table, scaled_numbers()[6:], run(200, *TRACE_CASES["scaled"][0]))


def test_a_wide_terminal_keeps_the_aligned_layout():
    """Where the lines fit, the array follows its head and its later lines align under
    its first, exactly as before."""
    out = run(120, *TRACE_CASES["scaled"][0])
    head = f"∂f/∂{W_NAME} = "
    pad = " " * len(head + "(2, 3) ")
    want = [head + "(2, 3) [[                  0,   2.46913578024e-50, -6.91357802468e-300],",
            pad + " [  1.30864219753e-79, -2.22222222222e-211,  4.44444444444e-178]]"]
    lines = out.splitlines()
    at = lines.index(want[0])
    assert lines[at + 1] == want[1], out
    assert "    value (2, 3) [[-9.87654321098e-200,  1.23456789012e+150, -3.45678901234e-100]," \
        in lines, out


def test_a_narrow_terminal_puts_the_numbers_under_the_shape():
    out = run(30, *TRACE_CASES["square"][0])
    lines = out.splitlines()
    at = lines.index("∂f/∂weights_matrix = (2, 3)")
    assert lines[at + 1:at + 7] == ["  [[-1.9753086422e-199,", "    2.46913578024e+150,",
                                    "                   6.6],", "   [                 2,",
                                    "                     4,", "                     6]]"], out
    at = lines.index("    value (2, 3)")
    assert lines[at + 1] == "      [[-9.87654321098e-200,", out


# -- grad, train, check --------------------------------------------------------------------------

@pytest.mark.parametrize("width", WIDTHS)
def test_grad_of_an_array_program_never_cuts_a_number(width):
    args = ["grad", f"sum({W_NAME} @ {X_NAME})", f"{W_NAME}={literal(W)}", f"{X_NAME}={literal(X)}"]
    out = run(width, *args)
    numbers = matmul_numbers(values=False) + [matmul_numbers()[-1]]   # the sum, not W @ x
    assert_whole(out, numbers, run(200, *args))
    assert_array_lines_fit(out, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_train_array_parameters_never_cut_a_number(width):
    w0 = [[-9.87654321098e-20, 1.23456789012e+15, 3.3], [1.0, 2.0, 3.0]]
    t = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    args = ["train", f"sum(({W_NAME} - T)^2)", "--param", f"{W_NAME}={literal(w0)}",
            f"T={literal(t)}", "--steps", "1", "--lr", "0.1"]
    out = run(width, *args)
    grad = [2 * (a - b) for a, b in zip(flat(w0), flat(t))]
    final = [a - 0.1 * g for a, g in zip(flat(w0), grad)]
    numbers = [show(v, 6) for v in flat(w0) + grad + final]
    assert "2.46914e+15" in numbers and "9.87654e+14" in numbers
    assert_whole(out, numbers, run(200, *args))
    assert_array_lines_fit(out, width)


KEY = """[[problem]]
id = "arr"
program = "f = sum(weight_matrix_first_layer*weight_matrix_first_layer)"
bindings = { weight_matrix_first_layer = [[-9.87654321098e-20, 1.23456789012e+15, -3.45678901234e-10], [6.54321098765e+12, -1.11111111111e-11, 2.22222222222e22]] }
ask = ["grad.weight_matrix_first_layer", "value"]
"""
GIVEN = [[-1.97530864219e-19, 2.46913578024e+15, -6.91357802468e-10],
         [1.30864219753e+13, -2.22222222222e-11, 4.44444444443e22]]
ANSWERS = f"""[arr]
value = 4.93827160493e+44
grad.weight_matrix_first_layer = {literal(GIVEN)}
"""
KEY_W = [[-9.87654321098e-20, 1.23456789012e+15, -3.45678901234e-10],
         [6.54321098765e+12, -1.11111111111e-11, 2.22222222222e22]]


@pytest.mark.parametrize("width", WIDTHS)
def test_check_expected_and_given_arrays_never_cut_a_number(width, tmp_path):
    (tmp_path / "key3.toml").write_text(KEY)
    (tmp_path / "s3.toml").write_text(ANSWERS)
    args = ["check", str(tmp_path / "key3.toml"), str(tmp_path / "s3.toml")]
    got = run_cli(*args, env={"COLUMNS": str(width), "NO_COLOR": "1"})
    out = got.stdout
    expected = [show(x + x) for x in flat(KEY_W)]
    given = [show(x) for x in flat(GIVEN)]
    assert expected[0] == "-1.9753086422e-19" and expected[3] == "13086421975300"
    assert given[0] == "-1.97530864219e-19" and given[-1] == "4.44444444443e+22"
    wide = run_cli(*args, env={"COLUMNS": "200", "NO_COLOR": "1"}).stdout
    assert_whole(out, expected + given, wide)
    assert_array_lines_fit(out, width)
    # the expected block's numbers, then the given block's, each in order
    body = words(out[out.index("expected:"):])
    numeric = [w for w in body if w in set(expected) | set(given)]
    assert numeric[:12] == expected + given, out


# -- the layout itself ---------------------------------------------------------------------------

def test_fitted_lines_keeps_the_old_layout_where_it_fits():
    a = np.array(W)
    for head, width in (("∂f/∂W = ", 120), ("  expected: ", 100), ("", 75)):
        lines = show_array(a, 12, max(20, width - len(head))).split("\n")
        old = "\n".join([head + lines[0]] + [" " * len(head) + line for line in lines[1:]])
        assert labelled(head, a, 12, width) == old


@pytest.mark.parametrize("width", [24, 30, 36, 45, 60])
def test_fitted_lines_reads_back_and_never_splits_a_number(width):
    a = np.array(W)
    lines = fitted_lines("    ∂f/∂node ", a, 12, width)
    text = " ".join(lead + body for lead, body in lines)
    assert [w for w in words(text) if NUMERIC.match(w)][-6:] == [show(x) for x in flat(W)]
    # the numbers, the shape taken away, are a literal that reads back
    if lines[0][1] == "(2, 3)":
        assert eval("".join(b for _, b in lines[1:])) == W
    for lead, body in lines:
        if re.search(r"\d", body) and width >= 30:
            assert cell_len(lead + body) <= width, (width, lead + body)
