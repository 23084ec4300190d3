"""Issue 9, item 2: a mistyped option or command gets the closest real one.

A long option close to one of the command's own (and not a name of the program)
is a usage error, "no such option --step; did you mean --steps?", on every
command; a real variable of that spelling still binds (SPEC §2).
"""

from __future__ import annotations

import json

import pytest

from conftest import assert_clean_error, run_cli

# (command line, the option it was meant to be); one or more per command.
TYPOS = [
    (["eval", "x*y", "-x", "1", "-y", "2", "--jsn"], "--jsn", "--json"),
    (["eval", "x*y", "-x", "1", "-y", "2", "--bach", "p.csv"], "--bach", "--batch"),
    (["grad", "x*y", "-x", "1", "-y", "2", "--symbolc"], "--symbolc", "--symbolic"),
    (["grad", "x*y", "-x", "1", "-y", "2", "--wrtt", "x"], "--wrtt", "--wrt"),
    (["grad", "x*y", "-x", "1", "-y", "2", "-json"], "-json", "--json"),
    (["trace", "x*y", "-x", "1", "-y", "2", "--step"], "--step", "--steps"),
    (["trace", "x*y", "-x", "1", "-y", "2", "--jsn"], "--jsn", "--json"),
    (["trace", "x*y", "-x", "1", "-y", "2", "--formt", "dot"], "--formt", "--format"),
    (["train", "(w - 3)^2", "--param", "w=0", "--optimiser", "adam"], "--optimiser", "--optimizer"),
    (["train", "(w - 3)^2", "--param", "w=0", "--step", "3"], "--step", "--steps"),
    (["hessian", "x^2*y", "-x", "1", "-y", "2", "--exakt"], "--exakt", "--exact"),
    (["check", "key.toml", "a.toml", "--jsn"], "--jsn", "--json"),
    (["exercise", "--sed", "3"], "--sed", "--seed"),
    (["exercise", "--dificulty", "2"], "--dificulty", "--difficulty"),
]


@pytest.mark.parametrize("args, typo, meant", TYPOS, ids=lambda v: v if isinstance(v, str) else None)
def test_a_mistyped_option_gets_the_closest_real_one(args, typo, meant):
    run = run_cli(*args)
    assert_clean_error(run, 2, f"no such option {typo}; did you mean {meant}?")
    assert run.stdout == ""


@pytest.mark.parametrize("args, typo, meant", TYPOS, ids=lambda v: v if isinstance(v, str) else None)
def test_with_json_the_typo_is_a_usage_error_on_stdout_too(args, typo, meant):
    run = run_cli(*args[:1], "--json", *args[1:]) if args[0] != "exercise" else run_cli(*args)
    assert_clean_error(run, 2, f"did you mean {meant}?")
    if args[0] != "exercise":  # exercise has no --json
        error = json.loads(run.stdout)["error"]
        assert error["kind"] == "usage"
        assert f"no such option {typo}; did you mean {meant}?" in error["message"]


def test_a_typo_without_an_expression_is_still_named():
    assert_clean_error(run_cli("grad", "--jsn"), 2, "no such option --jsn; did you mean --json?")


def test_a_real_variable_spelt_like_an_option_still_binds():
    # step*x: ∂/∂step = x = 2, ∂/∂x = step = 3, value 6 (by hand).
    run = run_cli("trace", "step*x", "-x", "2", "--step", "3", "--json")
    assert run.exit_code == 0, run.stderr
    assert run.json["value"] == 6.0
    assert run.json["gradient"] == {"step": 2.0, "x": 3.0}
    # A variable named exactly like an option is bound as NAME=VALUE (SPEC §2).
    run = run_cli("grad", "json*x", "-x", "2", "json=5", "--json")
    assert run.exit_code == 0, run.stderr
    assert run.json["gradient"] == {"json": 2.0, "x": 5.0}


def test_train_binds_a_variable_named_like_its_option():
    # (w - step)^2 at w = 0, step = 3: the gradient 2(w - step) = -6, so one step of
    # lr 0.5 gives w = 3 (by hand).
    run = run_cli("train", "(w - step)^2", "--param", "w=0", "--step", "3", "--steps", "1",
                  "--lr", "0.5", "--json")
    assert run.exit_code == 0, run.stderr
    assert run.json["params"] == {"w": 3.0}


def test_an_assigned_name_spelt_like_an_option_keeps_its_own_error():
    run = run_cli("grad", "step = x*2; step", "-x", "1", "--step", "3", "--json")
    assert_clean_error(run, 2, "'step' is assigned by the program")
    assert run.json["error"]["kind"] == "name"


def test_a_name_far_from_every_option_is_still_an_unknown_variable():
    run = run_cli("grad", "x*y", "-x", "1", "-y", "2", "--zeta", "3", "--json")
    assert_clean_error(run, 2, "the program does not use variable 'zeta'")
    assert run.json["error"]["kind"] == "name"


@pytest.mark.parametrize("typo, meant", [("gard", "grad"), ("trian", "train"), ("evl", "eval"),
                                         ("hesian", "hessian"), ("chek", "check"),
                                         ("exercice", "exercise"), ("tarce", "trace")])
def test_a_mistyped_command_gets_the_closest_command(typo, meant):
    run = run_cli(typo, "x*y", "-x", "1", "-y", "2")
    assert_clean_error(run, 2, f"no such command '{typo}'; did you mean '{meant}'?")


def test_a_mistyped_command_with_json_answers_in_json():
    run = run_cli("gard", "x", "-x", "1", "--json")
    assert_clean_error(run, 2, "did you mean 'grad'?")
    assert run.json["error"]["kind"] == "usage"


def test_an_expression_in_place_of_the_command_says_the_command_comes_first():
    run = run_cli("x*y", "-x", "1", "-y", "2")
    assert_clean_error(run, 2, "no such command 'x*y'", "the command comes first", "grad")
