"""QA of a new user's files and habits (session 17).

- Files saved by Windows as "Unicode" text are UTF-16. Before, a UTF-16 file with a byte-order
  mark was "not UTF-8 (is it a binary file?)" and, in `check`, Python's own codec message; one
  without a mark decoded as UTF-8 with a NUL after every character, which then read as a
  missing CSV column ("it has x\\x00, \\x00y\\x00") or a syntax error at '\\x00'. Now every
  text reader says it is UTF-16 and how to save it as UTF-8; the same text in UTF-8 gives the
  answer worked out by hand.
- A CSV separated by semicolons (a European Excel), tabs or spaces (NumPy's savetxt) reads
  as one column. Before, `--batch` said only "the CSV header has no column 'x'", and an
  array's CSV "'1;2' is not a number ... an array's CSV has no header row". Now the message
  shows the columns it has and the hint names the separator; the file with commas gives the
  hand answer.
- NumPy's habit `-W "randn((2, 3))"` (a tuple of sizes) said "the value, '(2', is not a number
  or a constant expression", naming neither the variable nor what to write; a name as a size
  (`randn(2, n)`) said "the value, ' n', …". Now both name the binding and say how to write
  it, and the rewrite draws what NumPy's default_rng(seed) draws.
- A `.json` file written by json.dump (one array of objects, or pretty-printed over many
  lines) given to `--batch` gave one "line N is not valid JSON" per line (12 for two
  points), and `train --data` "not valid JSON (Expecting value)". Now `--batch` stops with one
  usage error saying it is one JSON document, not JSON Lines, and how to convert it (`train`
  adds the same hint); the converted file gives the hand answer.
- A program or value copied from a PDF or slides carries '−' (U+2212), '×', '·' or '÷': it
  was "unexpected character '−'" with no hint, and in a binding value the syntax hint was
  dropped altogether. Now the hint names the character and gives the program typed in
  ASCII, which computes the hand answer.
- `x²` (a superscript digit is a character of a name, as in `w₁`) is one variable named x²:
  `grad "x³*y" -x 1 -y 2` said "did you mean 'x³' for 'x'?", leading to `x³=1` and a
  gradient of a different function. Now it says x³ is one name and a power is written x^3.
"""

from __future__ import annotations

import json

import pytest

from conftest import assert_clean_error, run_cli

CSV = "x,y,z\n1,3,-3\n"
# (x+y)*z at (1, 3, -3), by hand: value -12, gradient (z, z, x+y) = (-3, -3, 4).
BY_HAND = {"value": -12.0, "gradient": {"x": -3.0, "y": -3.0, "z": 4.0}}


@pytest.fixture(params=["utf-16", "utf-16-le", "utf-16-be"])
def utf16(request):
    return request.param


def _write(path, text: str, encoding: str):
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_batch_of_utf16_csv_says_utf16_and_the_utf8_file_gives_the_hand_answer(tmp_path, utf16):
    bad = _write(tmp_path / "p.csv", CSV, utf16)
    run = run_cli("grad", "(x+y)*z", "--batch", bad)
    assert_clean_error(run, 2, "UTF-16", "save it as UTF-8")
    assert json.loads(run.stdout)["error"]["kind"] == "usage"
    good = _write(tmp_path / "q.csv", CSV, "utf-8")
    ok = run_cli("grad", "(x+y)*z", "--batch", good)
    assert ok.exit_code == 0
    line = json.loads(ok.stdout)
    assert {k: line[k] for k in BY_HAND} == BY_HAND


def test_batch_from_stdin_in_utf16_says_utf16(utf16):
    # CliRunner's stdin takes bytes as they are.
    runner_input = CSV.encode(utf16)
    from click.testing import CliRunner

    from gradcli.cli import main

    r = CliRunner().invoke(main, ["grad", "(x+y)*z", "--batch", "-"], input=runner_input)
    assert r.exit_code == 2 and "UTF-16" in r.stderr and "Traceback" not in r.stderr


def test_train_data_in_utf16_says_utf16(tmp_path, utf16):
    bad = _write(tmp_path / "d.csv", "x,y\n1,2\n2,4\n", utf16)
    run = run_cli("train", "(w*x - y)^2", "--data", bad, "--param", "w=0", "--steps", "1")
    assert_clean_error(run, 2, "the data file", "UTF-16", "save it as UTF-8")


def test_program_file_in_utf16_says_utf16(tmp_path, utf16):
    bad = _write(tmp_path / "p.gc", "(x+y)*z\n", utf16)
    run = run_cli("grad", "@" + bad, "-x", "1", "-y", "3", "-z", "-3")
    assert_clean_error(run, 2, "UTF-16")
    assert "syntax" not in run.stderr


def test_array_csv_in_utf16_says_utf16(tmp_path, utf16):
    bad = _write(tmp_path / "X.csv", "1,2\n3,4\n", utf16)
    run = run_cli("grad", "sum(X @ w)", "-X", "@" + bad, "-w", "[1, 1]")
    assert_clean_error(run, 2, "UTF-16")


def test_check_with_a_utf16_answer_file_names_it_and_grades_the_others(tmp_path, utf16):
    key = tmp_path / "key.toml"
    key.write_text('[[problem]]\nid = "p1"\nprogram = "x*y"\nbindings = { x = 2, y = 5 }\n'
                   'ask = ["grad.x"]\n')
    answer = "[p1]\ngrad.x = 5\n"   # ∂(x*y)/∂x = y = 5, by hand
    good = _write(tmp_path / "ada.toml", answer, "utf-8")
    bad = _write(tmp_path / "bob.toml", answer, utf16)
    run = run_cli("check", str(key), good, bad, "--json")
    assert run.exit_code == 2 and "Traceback" not in run.stderr
    students = {s["file"].rsplit("/", 1)[-1]: s for s in run.json["students"]}
    assert students["ada.toml"]["marks"][0]["ok"] is True
    assert not students["bob.toml"]["readable"]
    assert "UTF-16" in students["bob.toml"]["errors"][0]
    assert "codec" not in students["bob.toml"]["errors"][0]


def test_check_with_a_utf16_key_says_utf16(tmp_path, utf16):
    key = _write(tmp_path / "key.toml", '[[problem]]\nid = "p1"\nprogram = "x"\n'
                 'bindings = { x = 1 }\n', utf16)
    ans = _write(tmp_path / "a.toml", "[p1]\nvalue = 1\n", "utf-8")
    run = run_cli("check", key, ans)
    assert_clean_error(run, 2, "the key", "UTF-16")


def test_check_answer_file_in_latin1_says_not_utf8_without_python_codec_words(tmp_path):
    key = tmp_path / "key.toml"
    key.write_text('[[problem]]\nid = "p1"\nprogram = "x"\nbindings = { x = 1 }\n')
    bad = _write(tmp_path / "b.toml", 'student = "Zoë"\n[p1]\nvalue = 1\n', "latin-1")
    run = run_cli("check", str(key), bad, "--json")
    assert run.exit_code == 2
    (student,) = run.json["students"]
    assert "not UTF-8" in student["errors"][0] and "codec" not in student["errors"][0]


def test_nul_bytes_that_are_not_utf16_text_are_not_called_utf16(tmp_path):
    zeros = tmp_path / "z.csv"
    zeros.write_bytes(b"\0" * 100)
    run = run_cli("train", "(w*x - y)^2", "--data", str(zeros), "--param", "w=0", "--steps", "1")
    assert run.exit_code == 2 and "UTF-16" not in run.stderr and "Traceback" not in run.stderr



SEPARATED = [(";", "semicolons"), ("\t", "tabs"), (" ", "spaces")]


@pytest.mark.parametrize("sep, name", SEPARATED)
def test_batch_csv_with_another_separator_names_it(tmp_path, sep, name):
    bad = _write(tmp_path / "p.csv", CSV.replace(",", sep), "utf-8")
    run = run_cli("grad", "(x+y)*z", "--batch", bad)
    assert_clean_error(run, 2, "has no column 'x' (it has x", f"separated by {name}")
    converted = _write(tmp_path / "q.csv", CSV.replace(",", sep).replace(sep, ","), "utf-8")
    ok = run_cli("grad", "(x+y)*z", "--batch", converted)
    line = json.loads(ok.stdout)
    assert ok.exit_code == 0 and {k: line[k] for k in BY_HAND} == BY_HAND


@pytest.mark.parametrize("sep, name", SEPARATED)
def test_train_data_with_another_separator_names_it(tmp_path, sep, name):
    bad = _write(tmp_path / "d.csv", "x;y\n1;2\n".replace(";", sep), "utf-8")
    run = run_cli("train", "(w*x - y)^2", "--data", bad, "--param", "w=0", "--steps", "1")
    assert_clean_error(run, 2, "has no columns 'x', 'y'", f"separated by {name}")


def test_train_data_with_a_decimal_comma_and_semicolons_says_so(tmp_path):
    bad = _write(tmp_path / "d.csv", "x;y\n1,5;3\n", "utf-8")
    run = run_cli("train", "(w*x - y)^2", "--data", bad, "--param", "w=0", "--steps", "1")
    assert_clean_error(run, 2, "separated by semicolons", "'.' in numbers")


@pytest.mark.parametrize("sep, name", SEPARATED)
def test_array_csv_with_another_separator_names_it(tmp_path, sep, name):
    bad = _write(tmp_path / "X.csv", "1;2\n3;4\n".replace(";", sep), "utf-8")
    run = run_cli("grad", "sum(X @ w)", "-X", "@" + bad, "-w", "[1, 1]")
    assert_clean_error(run, 2, f"separated by {name}")
    assert "header" not in run.stderr


def test_savetxt_default_file_is_named_and_with_commas_numpy_agrees(tmp_path):
    import numpy as np

    X = np.array([[1.5, -2.0], [3.0, 0.25]])
    w = np.array([2.0, -1.0])
    np.savetxt(tmp_path / "X.csv", X)
    run = run_cli("eval", "sum(X @ w)", "-X", f"@{tmp_path / 'X.csv'}", "-w", "[2, -1]")
    assert_clean_error(run, 2, "savetxt", "delimiter=','")
    np.savetxt(tmp_path / "Y.csv", X, delimiter=",")
    ok = run_cli("eval", "sum(X @ w)", "-X", f"@{tmp_path / 'Y.csv'}", "-w", "[2, -1]", "--json")
    assert ok.exit_code == 0 and ok.json["value"] == float(np.sum(X @ w))


def test_a_header_row_in_an_array_csv_still_says_so(tmp_path):
    bad = _write(tmp_path / "X.csv", "a,b\n1,2\n", "utf-8")
    run = run_cli("grad", "sum(X @ w)", "-X", "@" + bad, "-w", "[1, 1]")
    assert_clean_error(run, 2, "an array's CSV has no header row")


def test_many_columns_are_listed_at_most_ten(tmp_path):
    header = ",".join(f"c{i}" for i in range(40))
    bad = _write(tmp_path / "d.csv", header + "\n" + ",".join("1" * 40) + "\n", "utf-8")
    run = run_cli("train", "(w*x - y)^2", "--data", bad, "--param", "w=0", "--steps", "1")
    assert_clean_error(run, 2, "c0, c1", "c9 and 30 more")
    batch = run_cli("eval", "x", "--batch", bad)
    assert_clean_error(batch, 2, "c9 and 30 more")



@pytest.mark.parametrize("typed, rewrite", [
    ("zeros((2, 3))", "zeros(2, 3)"),
    ("randn((2, 3))", "randn(2, 3)"),
    ("0.5*randn([2, 3])", "0.5*randn(2, 3)"),
    ("rand((4,))", "rand(4)"),
])
def test_a_tuple_of_sizes_says_to_write_the_sizes_and_the_rewrite_agrees_with_numpy(typed, rewrite):
    import numpy as np

    run = run_cli("eval", "sum(W * W)", "-W", typed, "--json")
    assert_clean_error(run, 2, "the value of 'W'", "takes the sizes themselves",
                       rewrite.split("*")[-1])
    assert run.json["error"]["kind"] == "value"
    ok = run_cli("eval", "sum(W * W)", "-W", rewrite, "--seed", "3", "--json")
    rng = np.random.default_rng(3)
    kind, sizes = rewrite.split("*")[-1].rstrip(")").split("(")
    shape = tuple(int(n) for n in sizes.split(","))
    W = {"zeros": lambda: np.zeros(shape), "randn": lambda: rng.standard_normal(shape),
         "rand": lambda: rng.random(shape)}[kind]()
    if rewrite.startswith("0.5*"):
        W = 0.5 * W
    assert ok.exit_code == 0 and ok.json["value"] == pytest.approx(float(np.sum(W * W)), rel=1e-15)


def test_a_name_as_a_size_names_the_binding():
    run = run_cli("eval", "sum(W)", "-W", "randn(2, n)")
    assert_clean_error(run, 2, "the value of 'W'", "size 'n' is not a number", "randn(2, 3)")


def test_a_tuple_of_sizes_in_a_train_param_says_so():
    run = run_cli("train", "sum(W * W)", "--param", "W=randn((2, 3))", "--steps", "1")
    assert_clean_error(run, 2, "takes the sizes themselves", "randn(2, 3)")


def test_a_directory_given_as_an_answer_file_is_named_after_it(tmp_path):
    # `gradcli check key.toml answers/` (meaning answers/*.toml): the row's student was "".
    key = tmp_path / "key.toml"
    key.write_text('[[problem]]\nid = "p1"\nprogram = "x"\nbindings = { x = 1 }\n')
    (tmp_path / "answers").mkdir()
    run = run_cli("check", str(key), str(tmp_path / "answers") + "/", "--format", "csv")
    assert run.exit_code == 2 and "Traceback" not in run.stderr
    row = run.stdout.splitlines()[1].split(",")
    assert row[0] == "answers" and "it is a directory" in run.stdout


@pytest.mark.parametrize("typed, decimal", [("1,5", 1.5), ("-0,25", -0.25), (",5", 0.5)])
def test_a_decimal_comma_says_how_to_write_it_and_the_rewrite_is_that_number(typed, decimal):
    run = run_cli("grad", "x*y", "-x", typed, "-y", "2", "--json")
    fixed = typed.replace(",", ".")
    assert_clean_error(run, 2, f"a decimal takes a '.': {fixed}", "an array is written [")
    assert run.json["error"]["kind"] == "value"
    ok = run_cli("grad", "x*y", "-x", fixed, "-y", "2", "--json")
    # ∂(x*y)/∂y = x, by hand
    assert ok.exit_code == 0 and ok.json["gradient"]["y"] == decimal


def test_a_decimal_comma_in_an_answer_file_says_so_in_the_mark(tmp_path):
    key = tmp_path / "key.toml"
    key.write_text('[[problem]]\nid = "p1"\nprogram = "x/2"\nbindings = { x = 3 }\n'
                   'ask = ["value"]\n')
    ans = _write(tmp_path / "a.toml", '[p1]\nvalue = "1,5"\n', "utf-8")
    run = run_cli("check", str(key), ans, "--json")
    (mark,) = run.json["students"][0]["marks"]
    assert not mark["ok"] and "a decimal takes a '.': 1.5" in mark["note"]


def test_the_problem_set_handed_in_with_its_answers_gets_one_note_and_is_graded(tmp_path):
    # A student fills in the template at the end of `exercise --student`'s file and hands
    # in that file. Before: "unknown problem id 'title'", "… 'tolerance'", "… 'problem'",
    # three ignored entries for the instructor to read.
    sheet = ('title = "HW"\ntolerance = 1e-6\n[[problem]]\nid = "p1"\nprogram = "q = x*y; f = q + x"\n'
             'bindings = { x = 2, y = 5 }\nask = ["grad.x"]\n')
    key = tmp_path / "key.toml"
    key.write_text(sheet)
    ans = _write(tmp_path / "hw.toml", sheet + "\n[p1]\ngrad.x = 6\n", "utf-8")  # y + 1, by hand
    run = run_cli("check", str(key), ans, "--json")
    assert run.exit_code == 1, run.stdout   # an ignored entry is not all right, as before
    (student,) = run.json["students"]
    assert student["marks"][0]["ok"] is True
    assert len(student["errors"]) == 1
    assert "problem set's own entries (title, tolerance, problem)" in student["errors"][0]



POINTS = [{"x": 1, "y": 3, "z": -3}, {"x": 2, "y": -1, "z": 0.5}]
# (x+y)*z by hand: -12 and 0.5; ∂/∂z = x + y: 4 and 1.
HAND = [(-12.0, 4.0), (0.5, 1.0)]


@pytest.mark.parametrize("indent", [2, None])
def test_batch_of_a_json_document_says_so_and_its_lines_give_the_hand_answers(tmp_path, indent):
    doc = tmp_path / "points.json"
    doc.write_text(json.dumps(POINTS, indent=indent))
    run = run_cli("grad", "(x+y)*z", "--batch", str(doc))
    assert run.exit_code == 2 and "Traceback" not in run.stderr
    (line,) = run.stdout.splitlines()    # one error, not one per line of the document
    message = json.loads(line)["error"]["message"]
    assert "one JSON array, not JSON Lines" in message and "jq -c '.[]'" in message
    lines = tmp_path / "points.jsonl"
    lines.write_text("".join(json.dumps(p) + "\n" for p in POINTS))   # what jq -c '.[]' writes
    ok = run_cli("grad", "(x+y)*z", "--batch", str(lines))
    got = [json.loads(line) for line in ok.stdout.splitlines()]
    assert ok.exit_code == 0 and [(g["value"], g["gradient"]["z"]) for g in got] == HAND


def test_batch_of_one_pretty_printed_object_says_so(tmp_path):
    doc = tmp_path / "point.json"
    doc.write_text(json.dumps(POINTS[0], indent=2))
    run = run_cli("grad", "(x+y)*z", "--batch", str(doc), "--json")
    assert_clean_error(run, 2, "one JSON object written over many lines", "jq -c .")
    assert [json.loads(line)["error"]["kind"] for line in run.stdout.splitlines()] == ["usage"]


@pytest.mark.parametrize("indent", [2, None])
def test_train_data_of_a_json_document_says_so(tmp_path, indent):
    doc = tmp_path / "d.json"
    doc.write_text(json.dumps([{"x": 1, "y": 2}, {"x": 2, "y": 4}], indent=indent))
    run = run_cli("train", "(w*x - y)^2", "--data", str(doc), "--param", "w=0", "--steps", "1")
    assert_clean_error(run, 2, "one JSON array, not JSON Lines")


def test_a_json_lines_file_whose_later_line_is_bad_is_still_one_error_per_line(tmp_path):
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps(POINTS[0]) + "\n[\n" + json.dumps(POINTS[1]) + "\n")
    run = run_cli("grad", "(x+y)*z", "--batch", str(f))
    got = [json.loads(line) for line in run.stdout.splitlines()]
    assert run.exit_code == 2 and got[0]["value"] == -12.0 and "error" in got[1]
    assert got[2]["value"] == 0.5



@pytest.mark.parametrize("typed, ascii_, value, dx", [
    ("x \u2212 y", "x - y", -2.0, 1.0),               # minus sign
    ("x \u00d7 y", "x * y", 3.0, 3.0),                # multiplication sign
    ("x \u00b7 y", "x * y", 3.0, 3.0),                # middle dot
    ("x \u00f7 y", "x / y", 1 / 3, 1 / 3),            # division sign
    ("(x \u2013 y) \u00d7 x", "(x - y) * x", -2.0, -1.0),   # en dash; d/dx (x-y)x = 2x - y
])
def test_a_lookalike_operator_gets_the_ascii_program_which_gives_the_hand_answer(typed, ascii_,
                                                                               value, dx):
    run = run_cli("grad", typed, "-x", "1", "-y", "3")
    assert_clean_error(run, 2, "is how a PDF or slides write", f": {ascii_}")
    ok = run_cli("grad", ascii_, "-x", "1", "-y", "3", "--json")
    assert ok.exit_code == 0
    assert ok.json["value"] == pytest.approx(value, rel=1e-15)
    assert ok.json["gradient"]["x"] == pytest.approx(dx, rel=1e-15)


def test_a_minus_sign_in_a_binding_value_gets_the_hint_too():
    run = run_cli("grad", "x*y", "-x", "\u22123", "-y", "2", "--json")
    assert_clean_error(run, 2, "the value of 'x'", "type '-': -3")
    assert run.json["error"]["kind"] == "value"


def test_a_syntax_hint_inside_a_binding_value_is_kept():
    run = run_cli("grad", "x*y", "-x", "2pi", "-y", "2")
    assert_clean_error(run, 2, "the value of 'x'", "did you mean 2*pi?")



@pytest.mark.parametrize("program, args", [
    ("x\u00b3*y", ["-x", "1", "-y", "2"]),      # x given, x³ unknown to the user
    ("x\u00b3*y", ["-y", "2"]),                 # x³ missing
])
def test_a_superscript_power_says_it_is_a_name_and_the_power_gives_the_hand_answer(program, args):
    run = run_cli("grad", program, *args)
    assert_clean_error(run, 2, "'x\u00b3' is one name", "a power is written x^3")
    assert "did you mean 'x\u00b3'" not in run.stderr
    ok = run_cli("grad", "x^3*y", "-x", "1", "-y", "2", "--json")
    assert ok.json["gradient"] == {"x": 6.0, "y": 1.0}   # 3x²y and x³, by hand


def test_a_subscript_name_keeps_its_closest_name_hint():
    run = run_cli("grad", "w\u2081*x", "-w1", "2", "-x", "1")
    assert_clean_error(run, 2, "did you mean 'w\u2081' for 'w1'?")


def test_a_binding_quoted_with_spaces_around_the_equals_sign_binds():
    # "x = 1" as one word used to be "'x ' in 'x = 1' is not a variable name".
    run = run_cli("grad", "x*y", "x = 1", "y =2", "--json")
    assert run.exit_code == 0, run.stderr
    assert run.json["gradient"] == {"x": 2.0, "y": 1.0}   # (y, x), by hand
    bad = run_cli("grad", "x*y", "x y = 1", "-y", "2")
    assert_clean_error(bad, 2, "is not a variable name")


def test_a_key_without_a_binding_says_to_add_it_to_the_bindings_not_the_command_line(tmp_path):
    key = tmp_path / "key.toml"
    key.write_text('[[problem]]\nid = "p1"\nprogram = "x*y"\nbindings = { x = 2 }\n'
                   'ask = ["grad.x"]\n')
    ans = _write(tmp_path / "a.toml", "[p1]\ngrad.x = 5\n", "utf-8")
    run = run_cli("check", str(key), ans)
    assert_clean_error(run, 2, "no value for variable 'y'",
                       "give it in the problem's bindings, e.g. bindings = { x = 2, y = 1 }")
    assert "-y 1" not in run.stderr
    # The hint's bindings, with y = 5, give ∂(x*y)/∂x = y = 5 (by hand): the answer is right.
    key.write_text(key.read_text().replace("{ x = 2 }", "{ x = 2, y = 5 }"))
    ok = run_cli("check", str(key), ans)
    assert ok.exit_code == 0, ok.stdout


def test_a_column_in_another_case_is_named_and_the_renamed_file_trains_as_by_hand(tmp_path):
    bad = _write(tmp_path / "d.csv", "X,y\n1,2\n2,4\n", "utf-8")
    run = run_cli("train", "(w*x - y)^2", "--data", bad, "--param", "w=0", "--steps", "1",
                  "--lr", "0.1")
    assert_clean_error(run, 2, "case included: the file has 'X' for 'x'")
    batch = run_cli("grad", "(w*x - y)^2", "-w", "0", "--batch", bad)
    assert_clean_error(batch, 2, "the file has 'X' for 'x'")
    good = _write(tmp_path / "e.csv", "x,y\n1,2\n2,4\n", "utf-8")
    ok = run_cli("train", "(w*x - y)^2", "--data", good, "--param", "w=0", "--steps", "1",
                 "--lr", "0.1", "--json")
    # by hand: the gradient at w = 0 is mean(2(wx - y)x) = (-4 - 16)/2 = -10; w = 0 + 0.1·10
    assert ok.exit_code == 0 and ok.json["params"]["w"] == pytest.approx(1.0, rel=1e-15)


def test_eval_of_an_array_breaks_its_lines_at_a_narrow_terminal_and_reads_back_as_numpy():
    # Before: always 75 columns, so a 50-column terminal wrapped numbers in two.
    import re

    import numpy as np

    run = run_cli("eval", "X * 1.123456789", "-X", "randn(3, 5)", env={"COLUMNS": "50"})
    assert run.exit_code == 0
    lines = run.stdout.rstrip("\n").split("\n")
    assert max(map(len, lines)) <= 50 and len(lines) > 3
    X = np.random.default_rng(0).standard_normal((3, 5)) * 1.123456789
    body = run.stdout.split(")", 1)[1]   # after the shape "(3, 5)"
    printed = [float(t) for t in re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?", body)]
    assert printed == pytest.approx(X.ravel().tolist(), rel=1e-11)
    wide = run_cli("eval", "X * 1.123456789", "-X", "randn(3, 5)")   # a pipe: 75, as before
    assert max(map(len, wide.stdout.split("\n"))) > 50
