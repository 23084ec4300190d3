"""Issue 9, item 9: `-h` is help wherever it cannot be a binding (SPEC §5)."""

from __future__ import annotations

import pytest

from conftest import assert_clean_error, run_cli

COMMANDS = ["eval", "grad", "trace", "train", "hessian", "check", "exercise"]


def test_gradcli_dash_h_is_the_help():
    run = run_cli("-h")
    assert run.exit_code == 0, run.stderr
    assert run.stdout == run_cli("--help").stdout
    assert run.stdout.startswith("Usage: ") and "COMMAND" in run.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_cmd_dash_h_with_no_expression_before_it_is_the_help(command):
    run = run_cli(command, "-h")
    assert run.exit_code == 0, run.stderr
    assert run.stdout == run_cli(command, "--help").stdout
    assert f" {command} [OPTIONS]" in run.stdout and "Examples:" in run.stdout


@pytest.mark.parametrize("command", ["eval", "grad", "trace", "hessian"])
def test_dash_h_before_the_expression_with_other_options_is_the_help(command):
    run = run_cli(command, "--json", "-h", "x*h")
    assert run.exit_code == 0, run.stderr
    assert f" {command} [OPTIONS]" in run.stdout


def test_dash_h_after_the_expression_binds_h():
    # x*h at x = 3, h = 2: the value 6, ∂/∂x = h = 2, ∂/∂h = x = 3 (by hand).
    run = run_cli("grad", "x*h", "-h", "2", "-x", "3", "--json")
    assert run.exit_code == 0, run.stderr
    assert run.json["value"] == 6.0 and run.json["gradient"] == {"x": 2.0, "h": 3.0}
    run = run_cli("train", "(w - h)^2", "--param", "w=0", "-h", "3", "--steps", "1", "--lr", "0.5",
                  "--json")
    assert run.exit_code == 0, run.stderr
    assert run.json["params"] == {"w": 3.0}  # w - 0.5·2(w - h) = 3


def test_a_dangling_dash_h_after_the_expression_says_where_help_is():
    run = run_cli("grad", "x*y", "-x", "1", "-y", "2", "-h")
    assert_clean_error(run, 2, "'-h' needs a value", "--help")


@pytest.mark.parametrize("args", [["check", "key.toml", "-h"], ["exercise", "--seed", "3", "-h"]])
def test_commands_without_bindings_take_dash_h_anywhere(args):
    run = run_cli(*args)
    assert run.exit_code == 0, run.stderr
    assert f" {args[0]} [OPTIONS]" in run.stdout
