"""hessian, --symbolic, --latex and --exact stay scalar-only: on arrays a usage error (SPEC §6).

Never a wrong or a partial answer: the command stops before any work, exit 2, and with
--json the error is the only thing on stdout.
"""

from __future__ import annotations

import pytest

from conftest import assert_clean_error, run_cli

ARRAY_BINDINGS = [
    ["-x", "[1, 2]", "-y", "3"],
    ["-x", "ones(2, 2)", "-y", "3"],
    ["-x", "3", "-y", "[[1], [2]]"],
]
COMMANDS = [
    (["hessian"], "hessian works on scalar programs only"),
    (["hessian", "--symbolic"], "hessian works on scalar programs only"),
    (["hessian", "--exact"], "hessian works on scalar programs only"),
    (["grad", "--symbolic"], "grad --symbolic works on scalar programs only"),
    (["grad", "--latex"], "grad --latex works on scalar programs only"),
    (["grad", "--exact"], "grad --exact works on scalar programs only"),
]


@pytest.mark.parametrize("command, fragment", COMMANDS)
@pytest.mark.parametrize("bindings", ARRAY_BINDINGS)
def test_scalar_only_commands_refuse_array_values(command, fragment, bindings):
    run = run_cli(command[0], "x*y + x", *bindings, *command[1:], "--json")
    assert_clean_error(run, 2, fragment, "is an array")
    assert run.json == {"error": {"kind": "usage", "message": run.json["error"]["message"]}}
    assert fragment in run.json["error"]["message"]
    human = run_cli(command[0], "x*y + x", *bindings, *command[1:])
    assert_clean_error(human, 2, fragment)
    assert human.stdout == ""


@pytest.mark.parametrize("command, fragment", COMMANDS)
def test_scalar_programs_still_work(command, fragment):
    # the refusal is about arrays only: the same commands on numbers answer as before
    run = run_cli(command[0], "x*y + x", "-x", "2", "-y", "3", *command[1:], "--json")
    assert run.exit_code == 0, run.stderr


@pytest.mark.parametrize("program, fragment", [
    ("sum(W @ v)", "the program uses @"),
    ("sum([x, 2*x])", "the program uses an array literal, sum"),
    ("softmax([x, 1])[0]", "the program uses"),
])
@pytest.mark.parametrize("command", [["hessian"], ["grad", "--symbolic"], ["grad", "--latex"]])
def test_array_programs_are_refused_without_values(command, program, fragment):
    # --symbolic needs no values: the program's own array operations are enough to refuse
    run = run_cli(command[0], program, *command[1:], "--json")
    assert_clean_error(run, 2, "works on scalar programs only", fragment)
    assert run.json["error"]["kind"] == "usage"


def test_trace_latex_is_scalar_only():
    run = run_cli("trace", "sum(W @ v)", "-W", "[[1, 2], [3, 4]]", "-v", "[1, 1]", "--steps", "--latex")
    assert_clean_error(run, 2, "trace --steps --latex works on scalar programs only")
    assert run.stdout == ""
