"""Every kind of bad input of SPEC §4, through the command line.

Each case is run twice: as typed (the message on stderr, nothing on stdout,
the exit code) and with --json (then stdout is exactly one JSON error object
`{"error": {"kind", "message"}}` on one line, and stderr still explains).
Never a traceback. The fragments each case looks for are the facts SPEC §4
asks the message to carry (the name that is missing, the node and its values,
a caret and what was expected), not gradcli's wording.
"""

from __future__ import annotations

import builtins
import json

import pytest

from conftest import assert_clean_error, run_cli


def run(args, stdin=None, as_json=False):
    """gradcli ARGS, with --json right after the command name when asked."""
    args = list(args)
    if as_json:
        args.insert(1, "--json")
    return run_cli(*args, input=stdin)


def check_error(args, code, kind, fragments, stdin=None):
    """The same bad input, with and without --json: SPEC §4 both ways."""
    plain = run(args, stdin)
    assert_clean_error(plain, code, *fragments)
    assert plain.stdout == "", plain.stdout
    assert plain.stderr.strip(), "an error must say something on stderr"

    as_json = run(args, stdin, as_json=True)
    assert_clean_error(as_json, code, *fragments)
    assert as_json.stdout.endswith("\n") and as_json.stdout.count("\n") == 1, as_json.stdout
    obj = json.loads(as_json.stdout)
    assert set(obj) == {"error"} and set(obj["error"]) == {"kind", "message"}, obj
    assert obj["error"]["kind"] == kind, obj
    for fragment in fragments:
        assert fragment in obj["error"]["message"], (fragment, obj)
    return plain


def assert_caret(stderr: str, line: str, column: int) -> None:
    """stderr shows `line` and, on the next row, a caret under line[column] as a
    terminal shows it (tabs expanded to 8 columns); column == len(line) is the end."""
    rows = stderr.splitlines()
    carets = [i for i, row in enumerate(rows) if row.strip() == "^"]
    assert len(carets) == 1, stderr
    above, caret_row = rows[carets[0] - 1], rows[carets[0]]
    assert above.endswith(line), (line, stderr)
    indent = above[:len(above) - len(line)]
    want = len((indent + line[:column]).expandtabs(8))      # where the character is seen
    got = caret_row.expandtabs(8).index("^")
    assert got == want, (stderr, got, want)


# -- syntax errors: the program, a caret under the column, what was expected --------------

@pytest.mark.parametrize(("program", "line", "column", "fragments"), [
    # 2x: the 'x' (column 2) is unexpected; a hint suggests 2*x.
    ("2x", "2x", 1, ["expected", "2*x"]),
    # an operator where an operand must be: under the '*'
    ("x + * y", "x + * y", 4, ["expected"]),
    # an unclosed parenthesis: the caret after the end, and ')' among what was expected
    ("(x+y*z", "(x+y*z", 6, ["expected", "')'"]),
    # a ')' that closes nothing
    ("x)", "x)", 1, ["expected"]),
    # two names side by side
    ("x y", "x y", 2, ["expected", "x*y"]),
    # a function's argument without parentheses
    ("sin x", "sin x", 4, ["expected", "sin(x)"]),
    # the second line is unfinished: the caret is on that line, at its end
    ("a = x\nb = a +\nb", "b = a +", 7, ["line 2", "expected"]),
    # a character that is not in the language
    ("x $ y", "x $ y", 2, ["'$'"]),
    # the statement ends too early
    ("x^", "x^", 2, ["expected"]),
])
def test_syntax_error_shows_caret_and_expected(program, line, column, fragments):
    names = sorted({c for c in program if c in "xyzab"})
    bindings = [w for n in names for w in (f"-{n}", "1")]
    plain = check_error(["grad", program, *bindings], 2, "syntax", fragments)
    assert_caret(plain.stderr, line, column)


@pytest.mark.parametrize(("program", "column"), [
    ("\tx + * y", 5),              # a program indented with a tab (from a file, say)
    ("a = 1\n\tb = a +\t* 2", 9),
])
def test_caret_is_under_the_column_with_tabs(program, column):
    line = program.splitlines()[-1]
    plain = check_error(["grad", program, "-x", "1", "-y", "1"] if "x" in program else ["grad", program],
                        2, "syntax", ["expected"])
    assert_caret(plain.stderr, line, column)


def test_caret_in_a_long_line_is_under_the_offending_character():
    program = "x + " * 50 + "* y"
    plain = check_error(["grad", program, "-x", "1", "-y", "1"], 2, "syntax", ["expected"])
    rows = plain.stderr.splitlines()
    (i,) = [k for k, row in enumerate(rows) if row.strip() == "^"]
    assert len(rows[i - 1]) < 100                            # a window, not the whole line
    assert rows[i - 1][rows[i].index("^")] == "*"


def test_misspelt_function_suggests_the_right_one():
    check_error(["grad", "sinn(x)", "-x", "1"], 2, "name", ["sinn", "did you mean", "sin"])


@pytest.mark.parametrize("program", ["", "   ", "\n\n", "# nothing here", "# one\n  # two\n"])
def test_empty_program_is_a_syntax_error(program):
    check_error(["grad", program], 2, "syntax", ["empty"])


@pytest.mark.parametrize("program", [";", "; ;\n", "# a comment\n;"])
def test_separators_alone_are_a_syntax_error(program):
    # Not empty, but no statement either: still a program that does not parse.
    check_error(["grad", program], 2, "syntax", ["expected"])


def test_empty_program_on_stdin():
    check_error(["eval", "-"], 2, "syntax", ["empty"], stdin="# only a comment\n")


# -- names ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("program", "name"), [("foo(x)", "foo"), ("x + frobnicate(x, x)", "frobnicate")])
def test_unknown_function(program, name):
    check_error(["grad", program, "-x", "1"], 2, "name", [f"'{name}'"])


@pytest.mark.parametrize(("program", "fn"), [
    ("max(x)", "max"), ("sin(x, x)", "sin"), ("leaky_relu(x, x, x)", "leaky_relu"), ("pow(x)", "pow"),
])
def test_wrong_number_of_arguments(program, fn):
    # SPEC §4 lists no kind for this; gradcli reports it as a syntax error (exit 2).
    check_error(["grad", program, "-x", "1"], 2, "syntax", [fn, "argument"])


def test_missing_variables_are_all_named():
    check_error(["grad", "x + y*z", "-x", "1"], 2, "name", ["'y'", "'z'"])


def test_missing_every_variable():
    check_error(["grad", "(x+y)*z"], 2, "name", ["'x'", "'y'", "'z'"])


def test_unknown_variable():
    check_error(["grad", "x^2", "-x", "1", "-q", "2"], 2, "name", ["'q'"])


def test_unknown_variable_long_form():
    check_error(["grad", "x^2", "-x", "1", "--rate=2"], 2, "name", ["'rate'"])


def test_binding_an_assigned_name():
    check_error(["grad", "p = x*2; p + 1", "-x", "1", "-p", "2"], 2, "name", ["'p'"])


@pytest.mark.parametrize("binding", [["--pi", "3"], ["e=2"], ["-e", "2"]])
def test_binding_a_constant(binding):
    name = "pi" if "pi" in binding[0] else "e"
    check_error(["grad", "x + pi*e", "-x", "1", *binding], 2, "name", [f"'{name}'"])


@pytest.mark.parametrize(("program", "name"), [
    ("a = x; a = 2*x; a", "'a'"),      # assigned twice
    ("b = a*2; a = x; b", "'a'"),      # used before its assignment
    ("pi = 3; pi*x", "'pi'"),          # assigning a constant
    ("e = x; e", "'e'"),
])
def test_bad_assignment(program, name):
    check_error(["grad", program, "-x", "1"], 2, "name", [name])


def test_wrt_unknown_name():
    # SPEC is silent; gradcli treats --wrt of a name the program lacks as a name error.
    check_error(["grad", "x*y", "-x", "1", "-y", "2", "--wrt", "x,q"], 2, "name", ["'q'"])


# -- bad values ------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["log(0)", "abc", "", "1/0", "1e999", "sqrt(-1)", "2x", "x+1", "(", "nan", "inf"])
def test_bad_binding_value(bad):
    check_error(["grad", "x^2", "-x", bad], 2, "value", ["'x'"])


def test_bad_value_in_every_binding_form():
    for binding in (["--x", "log(0)"], ["--x=abc"], ["x=abc"]):
        check_error(["grad", "x^2", *binding], 2, "value", ["'x'"])


# -- math errors: exit 3, the node's text and its values -----------------------------------

@pytest.mark.parametrize(("args", "fragments"), [
    (["log(x)", "-x", "0"], ["log(x)", "x = 0"]),
    (["log(x)", "-x", "-2"], ["log(x)", "x = -2"]),
    (["1 + log10(x - y)", "-x", "1", "-y", "3"], ["log10(x - y)", "x - y = -2"]),
    (["x / (y - 1)", "-x", "2", "-y", "1"], ["x / (y - 1)", "y - 1 = 0"]),
    (["p = x - 1; q = 3 / p; q", "-x", "1"], ["3 / p", "p = 0"]),
    (["sqrt(x)", "-x", "-4"], ["sqrt(x)", "x = -4"]),
    (["asin(x)", "-x", "2"], ["asin(x)", "x = 2"]),
    (["exp(x)", "-x", "1000"], ["exp(x)", "x = 1000"]),          # overflow
    (["x * y", "-x", "1e200", "-y", "1e200"], ["x * y", "x = 1e", "y = 1e"]),
    (["x ^ y", "-x", "-8", "-y", "0.5"], ["x ^ y", "x = -8", "y = 0.5"]),
    (["cosh(x)", "-x", "800"], ["cosh(x)", "x = 800"]),
])
def test_math_error_names_the_node_and_its_values(args, fragments):
    check_error(["grad", *args], 3, "math", fragments)
    check_error(["eval", *args], 3, "math", fragments)


@pytest.mark.parametrize(("args", "fragments"), [
    # the value is fine (0, pi/2, 0), the gradient is infinite (SPEC §4's own example)
    (["sqrt(x)", "-x", "0"], ["sqrt(x)", "x = 0"]),
    (["asin(x)", "-x", "1"], ["asin(x)", "x = 1"]),
    (["y + x^0.5", "-x", "0", "-y", "1"], ["x^0.5", "x = 0"]),
])
def test_non_finite_gradient_is_a_math_error(args, fragments):
    check_error(["grad", *args], 3, "math", fragments)
    assert run(["eval", *args]).exit_code == 0  # the value alone is fine


# -- usage: files, options, an expression that looks like an option -----------------------

def test_unreadable_program_file(tmp_path):
    missing = tmp_path / "no-such-file.txt"
    check_error(["grad", f"@{missing}"], 2, "usage", [str(missing)])


def test_program_file_is_a_directory(tmp_path):
    check_error(["grad", f"@{tmp_path}"], 2, "usage", [str(tmp_path)])


def test_program_file_is_not_text(tmp_path):
    path = tmp_path / "binary.bin"
    path.write_bytes(b"\xff\xfe\x00x")
    check_error(["grad", f"@{path}"], 2, "usage", [str(path)])


@pytest.mark.parametrize("args", [
    ["grad", "x", "-x", "1", "--wrt"],              # an option without its value
    ["grad", "x", "-x", "1", "--json=yes"],         # a flag given a value
    ["frobnicate", "x"],                            # no such command
    ["grad"],                                       # no expression at all
    ["grad", "x", "-x", "1", "-x", "2"],            # a variable bound twice
    ["grad", "x", "---x", "1"],                     # three dashes
    ["grad", "x", "stray"],                         # a word that is no binding
    ["grad", "x", "-x"],                            # a binding without its value
])
def test_bad_option_is_a_usage_error(args):
    check_error(args, 2, "usage", [])


def test_bad_option_on_the_group():
    plain = run_cli("--frobnicate")
    assert_clean_error(plain, 2)
    as_json = run_cli("--frobnicate", "--json")
    assert_clean_error(as_json, 2)
    assert json.loads(as_json.stdout)["error"]["kind"] == "usage"


@pytest.mark.parametrize("program", ["-x^2", "-x", "-(x+1)", "--x"])
def test_expression_starting_with_minus_is_a_usage_error_with_a_hint(program):
    # SPEC §5: write it as "(-x^2)" or pass it through '-' or @FILE.
    check_error(["grad", program, "-x", "1"], 2, "usage", ["(", "@FILE"])


def test_the_hinted_forms_work(tmp_path):
    # -x^2 = -(x^2): -9 and -6 at x = 3, through each way the hint offers.
    path = tmp_path / "p.txt"
    path.write_text("-x^2\n")
    for args, stdin in ((["(-x^2)"], None), (["-"], "-x^2"), ([f"@{path}"], None)):
        r = run_cli("grad", *args, "-x", "3", "--json", input=stdin)
        assert r.exit_code == 0, r.stderr
        assert r.json["value"] == -9.0 and r.json["gradient"] == {"x": -6.0}


# -- nothing the user types is run as code -------------------------------------------------

MARK = "zq_marker"   # a name no library uses: a call of eval/exec that sees it runs user text


def _mentions_mark(source) -> bool:
    if isinstance(source, (str, bytes)):
        return MARK in (source if isinstance(source, str) else source.decode("latin-1"))
    if hasattr(source, "co_names"):  # a code object: look at the names and constants it uses
        return MARK in repr(source.co_names) + repr(source.co_consts)
    return False


@pytest.fixture
def no_eval(monkeypatch):
    """eval and exec, watched: a call on text the user typed is recorded and refused.

    (Imports and dataclasses call exec on library code all the time; only a call
    that sees the user's marker counts.)"""
    calls = []
    real = {"eval": builtins.eval, "exec": builtins.exec}

    def watched(name):
        def call(source, *args, **kwargs):
            if _mentions_mark(source):
                calls.append((name, source))
                raise AssertionError(f"{name} called on user input")
            return real[name](source, *args, **kwargs)
        return call

    monkeypatch.setattr(builtins, "eval", watched("eval"))
    monkeypatch.setattr(builtins, "exec", watched("exec"))
    return calls


@pytest.mark.parametrize(("args", "code"), [
    ([f"__import__('os').system('touch {MARK}')"], 2),
    ([f'__import__("{MARK}")'], 2),
    ([f"exec({MARK})", f"--{MARK}", "1"], 2),
    ([f"eval({MARK})", f"--{MARK}", "1"], 2),
    ([f"{MARK}.__class__", f"--{MARK}", "1"], 2),
    ([f"[{MARK} for {MARK} in ()]"], 2),
    ([f"lambda: {MARK}"], 2),
    (["x", "-x", f"__import__('os').system('touch {MARK}')"], 2),
    (["x", "-x", f"({MARK}).__class__"], 2),
    (["x", f"{MARK}=1"], 2),
    ([f"{MARK}^2", f"--{MARK}", "3"], 0),       # a good run makes no such call either
])
def test_nothing_typed_is_run_as_code(args, code, no_eval, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for as_json in (False, True):
        r = run(["grad", *args], as_json=as_json)
        assert r.exit_code == code, r.stderr
        assert "Traceback" not in r.stderr
    assert no_eval == []
    assert list(tmp_path.iterdir()) == []


def test_math_error_never_leaks_a_traceback_for_huge_literals():
    # A literal beyond the doubles: SPEC §4 "a result that overflows" (gradcli: math, exit 3).
    check_error(["eval", "1e400 * x", "-x", "1"], 3, "math", ["1e400"])
