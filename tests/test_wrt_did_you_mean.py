"""`--wrt` with a name the program lacks: a name error (exit 2) that offers the closest
name (language.parse's one closest-name rule: a different case first, then spelling)."""

from __future__ import annotations

import pytest

from conftest import assert_clean_error, run_cli

PROGRAM = ("grad", "W*2 + x", "-W", "1", "-x", "2")


@pytest.mark.parametrize("extra", [(), ("--check",), ("--exact",), ("--symbolic",)])
def test_a_name_of_another_case_is_offered(extra):
    run = run_cli(*PROGRAM, "--wrt", "w", *extra)
    assert_clean_error(run, 2, "the program has no variable or name 'w'", "did you mean 'W'?")


@pytest.mark.parametrize("command", ["trace", "hessian"])
def test_every_command_with_wrt_offers_it(command):
    run = run_cli(command, *PROGRAM[1:], "--wrt", "w")
    assert_clean_error(run, 2, "no variable or name 'w'", "did you mean 'W'?")


def test_an_assigned_name_misspelt_is_offered():
    run = run_cli("grad", "loss = W*2 + x; loss", "-W", "1", "-x", "2", "--wrt", "lost")
    assert_clean_error(run, 2, "did you mean 'loss'?")


def test_an_array_program_offers_it_too():
    run = run_cli("grad", "sum(W * 2)", "-W", "[1, 2]", "--wrt", "w")
    assert_clean_error(run, 2, "did you mean 'W'?")


def test_json_error_has_the_kind_and_the_suggestion():
    run = run_cli(*PROGRAM, "--wrt", "w", "--json")
    assert run.exit_code == 2
    assert run.json["error"]["kind"] == "name"
    assert run.json["error"]["message"] == "the program has no variable or name 'w'\ndid you mean 'W'?"


def test_a_name_like_none_says_nothing_more():
    run = run_cli(*PROGRAM, "--wrt", "zzz")
    assert_clean_error(run, 2, "the program has no variable or name 'zzz'")
    assert "did you mean" not in run.stderr


def test_batch_offers_it():
    run = run_cli("grad", "W*2 + x", "--batch", "-", "--wrt", "w", input="W,x\n1,2\n")
    assert run.exit_code == 2
    assert "did you mean 'W'?" in run.stdout + run.stderr
