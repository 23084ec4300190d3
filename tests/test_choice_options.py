"""Options with a fixed set of values take any case (--optimizer Adam, as papers write
it) and a wrong value gets the closest one (QA: --format dott listed the values only)."""

from __future__ import annotations

import pytest

from conftest import assert_clean_error, run_cli

TRAIN = ["train", "(w*x - y)^2", "--param", "w=0", "--lr", "0.1", "--steps", "3", "-x", "2", "-y", "3"]


def test_any_case_is_the_value():
    adam = run_cli(*TRAIN, "--optimizer", "adam", "--json")
    assert adam.exit_code == 0
    assert run_cli(*TRAIN, "--optimizer", "Adam", "--json").stdout == adam.stdout
    svg = run_cli("trace", "x*y", "-x", "1", "-y", "2", "--format", "SVG")
    assert svg.exit_code == 0 and svg.stdout.startswith("<svg")


@pytest.mark.parametrize("args, meant", [
    (["trace", "x*y", "-x", "1", "-y", "2", "--format", "dott"], "dot"),
    ([*TRAIN, "--optimizer", "adamm"], "adam"),
    (["grad", "x*y", "-x", "1", "-y", "2", "--mode", "forwrd"], "forward"),
])
def test_a_near_miss_gets_the_closest_value(args, meant):
    run = run_cli(*args)
    assert_clean_error(run, 2, "is not one of", f"did you mean '{meant}'?")


def test_a_value_near_nothing_gets_the_list_alone():
    run = run_cli("grad", "x*y", "-x", "1", "-y", "2", "--mode", "backwards")
    assert_clean_error(run, 2, "'backwards' is not one of 'reverse', 'forward'")
    assert "did you mean" not in run.stderr
