"""What a --batch CSV error says (QA): an unclosed quote names the file, not "the CSV
input"; a quoted cell's line break is shown as \\n, so the message stays one line."""

from __future__ import annotations

from conftest import run_cli


def test_an_unclosed_quote_names_the_file(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('x,y\n1,2\n3,4\n"5,6\n7,8\n')
    run = run_cli("grad", "x*y", "--batch", str(path))
    assert run.exit_code == 2
    assert f"line 4 of the batch file '{path}' opens a quoted cell that is never closed" in run.stderr
    piped = run_cli("grad", "x*y", "--batch", "-", input=path.read_text())
    assert "line 4 of standard input opens a quoted cell" in piped.stderr


def test_a_line_break_inside_a_quoted_cell_is_shown_escaped(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('x,y\n1,2\n"a\nb",4\n')
    run = run_cli("grad", "x*y", "--batch", str(path))
    assert run.exit_code == 2
    summary = [line for line in run.stderr.splitlines() if "points failed" in line]
    assert summary == ["gradcli: 1 of 2 points failed; the first at line 4: value error: "
                       "the value of 'x', 'a\\nb', is not one constant expression"]
