"""An option of another command (`eval --steps`, `grad --svg`) is named as such, not taken
for a variable: exit 2, kind usage, the commands that do have it (issue 9 item 2)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from gradcli.cli import main


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("args, owners", [
    (["eval", "x*y", "-x", "1", "-y", "2", "--steps"], "trace and train"),
    (["eval", "x*y", "-x", "1", "-y", "2", "--mode", "forward"], "grad and trace"),
    (["eval", "x*y", "-x", "1", "-y", "2", "--wrt", "x"], "grad, trace and hessian"),
    (["grad", "x*y", "-x", "1", "-y", "2", "--svg", "a.svg"], "trace"),
    (["grad", "x*y", "-x", "1", "-y", "2", "--lr=3"], "train"),
])
def test_an_option_of_another_command_is_named(args, owners):
    result = run(*args)
    assert result.exit_code == 2
    option = next(a.split("=")[0] for a in args if a.startswith("--"))
    assert f"{args[0]} has no option {option}: it is an option of {owners}" in result.output
    assert "Traceback" not in result.output


def test_json_error_kind_is_usage():
    result = run("eval", "x*y", "-x", "1", "-y", "2", "--mode", "forward", "--json")
    assert result.exit_code == 2
    error = json.loads(result.stdout.splitlines()[0])["error"]
    assert error["kind"] == "usage"
    assert "eval has no option --mode" in error["message"]


def test_a_variable_named_like_the_option_is_still_bound():
    # SPEC §2: a real variable of the program is a binding, in every spelling.
    assert run("eval", "x*mode", "-x", "3", "--mode", "2").output.strip() == "6"
    assert run("grad", "svg*2", "--svg", "5", "--json").exit_code == 0


def test_single_dash_and_short_names_stay_variables():
    # -steps may be a variable; with none in the program it is the usual name error.
    result = run("eval", "x*y", "-x", "1", "-y", "2", "-steps", "3")
    assert result.exit_code == 2
    assert "has no option" not in result.output
    assert "steps" in result.output
    assert run("eval", "x*y", "--x", "2", "--y", "4").output.strip() == "8"
