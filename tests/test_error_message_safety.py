"""Issue 9, item 13: error messages quote user input safely and briefly.

Control characters (ESC, NUL, C1, bidi overrides) are escaped, so that a program
cannot retitle or recolour the terminal, with the caret still under its column;
long input is quoted shortened, never whole.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from gradcli.cli import main

from conftest import assert_clean_error, run_cli

# The raw character, and how the message shows it.
CONTROLS = [("\x1b", "\\x1b"), ("\x07", "\\x07"), ("\x00", "\\x00"), ("\x9b", "\\x9b"),
            ("\u202e", "U+202E"), ("\u2066", "U+2066"), ("\u200b", "U+200B"), ("\x7f", "\\x7f")]


def raw_controls(text: str) -> list[str]:
    return [ch for ch in text if not ch.isprintable() and ch not in "\n\t"]


def run_stdin(args, text: str):
    result = CliRunner().invoke(main, args, input=text.encode("utf-8"), catch_exceptions=False,
                                env={"NO_COLOR": "1"})
    return result


@pytest.mark.parametrize("raw, shown", CONTROLS)
def test_a_control_character_in_the_program_is_escaped_under_the_caret(raw, shown):
    result = run_stdin(["eval", "-", "-x", "1", "--json"], f"x + {raw}]0;pwned\x07 x")
    assert result.exit_code == 2
    for text in (result.stderr, json.loads(result.stdout)["error"]["message"]):
        assert raw_controls(text) == [], text
        lines = text.split("\n")
        program = next(line for line in lines if line.startswith("  x + "))
        caret = lines[lines.index(program) + 1]
        # The caret is under the first character of the escape, at column 5.
        assert program.index(shown) == caret.index("^") == 2 + 4, text


def test_the_caret_stays_aligned_after_tabs_and_wide_characters():
    result = run_stdin(["eval", "-"], "\t漢字 + x x")
    lines = result.stderr.split("\n")
    program = next(line for line in lines if line.startswith("  \t"))
    caret = lines[lines.index(program) + 1]
    # Shown as: a tab, 漢 and 字 (two columns each), then " + x ": the unexpected second
    # x is 4 + 5 screen columns after the tab (by hand).
    assert "unexpected 'x'" in result.stderr
    assert caret == "  \t" + " " * (4 + 5) + "^"


def test_control_characters_in_names_options_and_commands_are_escaped():
    for args in (["eval", "x", "-\x1b]0;t\x07", "1"],
                 ["\x1b[31mgrad", "x"],
                 ["grad", "x", "-x", "1", "--\u202ejson", "1"],
                 ["eval", "x", "-x", "\x1b[2J"]):
        run = run_cli(*args, "--json")
        assert run.exit_code == 2, (args, run.stderr)
        assert raw_controls(run.stderr) == [], run.stderr
        assert raw_controls(run.json["error"]["message"]) == []


def test_twenty_thousand_missing_names_make_a_short_message(tmp_path):
    path = tmp_path / "many.txt"
    path.write_text(" + ".join(f"v{i}" for i in range(20_000)))
    run = run_cli("grad", f"@{path}", "--json")
    assert_clean_error(run, 2, "no value for variables 'v0', 'v1'", "'v9' and 19,990 more")
    assert "'v10'" not in run.stderr
    assert len(run.stderr) < 1_000 and len(run.stdout) < 1_000


def test_an_unknown_name_among_many_inputs_lists_a_few_of_them(tmp_path):
    path = tmp_path / "many.txt"
    path.write_text(" + ".join(f"v{i}" for i in range(20_000)))
    run = run_cli("grad", f"@{path}", "-q", "1")
    assert_clean_error(run, 2, "the program does not use variable 'q'", "and 19,990 more")
    assert len(run.stderr) < 1_000


def test_a_long_binding_value_is_quoted_shortened():
    value = "a" * 100_000
    run = run_cli("eval", "x", "-x", value, "--json")
    assert_clean_error(run, 2, "the value of 'x', 'aaaa")
    assert "…" in run.stderr and len(run.stderr) < 1_000 and len(run.stdout) < 1_000


def test_no_line_of_a_message_is_longer_than_the_limit(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("y" * 200_000 + " $")  # a 200,000-letter name, then a bad character
    run = run_cli("eval", f"@{path}")
    assert_clean_error(run, 2, "unexpected character '$'")
    assert max(len(line) for line in run.stderr.split("\n")) <= 1_000


def test_the_batch_summary_line_escapes_what_it_quotes(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("x,y\n1,2\n3,\x1b[31mred\n")
    run = run_cli("grad", "x*y", "--batch", str(path))
    assert run.exit_code == 2
    assert "the first at line 3" in run.stderr and "\\x1b[31mred" in run.stderr
    assert raw_controls(run.stderr) == []


def test_an_unknown_function_with_a_huge_name_keeps_the_line_limit():
    # QA: the name was cut to 1,000 characters, then "gradcli: name error: " came before it.
    run = run_cli("grad", "f" * 100_000 + "(x)", "-x", "1")
    assert_clean_error(run, 2, "unknown function 'fff")
    assert max(len(line) for line in run.stderr.split("\n")) <= 1_000
