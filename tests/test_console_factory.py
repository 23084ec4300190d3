"""One Rich console factory (views.human.console) for every human view.

Results go to stdout and notes/progress to stderr; the width is COLUMNS where it
is set; colour follows NO_COLOR; emoji codes are printed as typed.
"""

from __future__ import annotations

import pathlib
import re

import pytest

import gradcli
from gradcli.views.human import console

PACKAGE = pathlib.Path(gradcli.__file__).parent


def test_every_rich_console_is_built_by_the_factory():
    builders = [str(path.relative_to(PACKAGE)) for path in sorted(PACKAGE.rglob("*.py"))
                if re.search(r"\bConsole\(", path.read_text(encoding="utf-8"))]
    assert builders == ["views/human.py"]


@pytest.mark.parametrize("stderr", [False, True])
def test_columns_sets_the_width_on_either_stream(monkeypatch, stderr):
    monkeypatch.setenv("COLUMNS", "57")
    assert console(stderr=stderr).width == 57
    assert console(stderr=stderr, pipe_width=100).width == 57  # COLUMNS wins over the pipe width


def test_without_a_terminal_the_pipe_width_holds(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    assert console(pipe_width=100).width == 100  # pytest's captured stdout is not a terminal


def test_stdout_and_stderr(capsys):
    console().print("result")
    console(stderr=True).print("note")
    out, err = capsys.readouterr()
    assert out == "result\n" and err == "note\n"


def test_no_color_even_on_a_terminal(monkeypatch, capsys):
    monkeypatch.setenv("FORCE_COLOR", "1")  # Rich: act as if at a terminal
    monkeypatch.setenv("NO_COLOR", "1")
    console().print("[cyan]3.5[/cyan]")
    out = capsys.readouterr().out
    assert "3.5" in out and "\x1b[36m" not in out  # 36: cyan


def test_colour_on_a_terminal_without_no_color(monkeypatch, capsys):
    # The counterpart: the same print does colour when colour is allowed.
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    console().print("[cyan]3.5[/cyan]")
    assert "\x1b[36m" in capsys.readouterr().out


@pytest.mark.parametrize("stderr", [False, True])
def test_emoji_codes_print_as_typed(capsys, stderr):
    console(stderr=stderr).print(":smile: x")
    out, err = capsys.readouterr()
    assert (err if stderr else out) == ":smile: x\n"


def test_numbers_are_not_highlighted(monkeypatch, capsys):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    console().print("x = 3.5")
    assert capsys.readouterr().out == "x = 3.5\n"
