"""--steps when a gradient was recomputed exactly (QA: "∂f/∂c = ∂f/∂#3 · ∂#3/∂c = 0 =
-5.36705949469e-126" stood unexplained): the line says the value is from rationals. A line
whose shown products do give its value (x + x/x: 1e17 - 1e17 + 1 = 1) says nothing."""

from __future__ import annotations

from conftest import run_cli

NOTE = "(in rationals: the doubles above lost digits)"


def backward_lines(*args) -> list[str]:
    run = run_cli("trace", *args, "--steps")
    assert run.exit_code == 0
    text = run.stdout
    return text[text.index("Backward pass"):].split("\n\n")[0].splitlines()


def test_a_recomputed_gradient_says_so():
    lines = backward_lines("a/b^c", "-a", "1e154", "-b", "1e154", "-c", "1.83")
    noted = [line.split(" = ")[0].strip() for line in lines if NOTE in line]
    assert noted == ["∂f/∂c", "∂f/∂b"]   # their upstream ∂f/∂(b^c) is -2.3e-410: 0 in doubles


def test_lines_whose_products_add_up_say_nothing():
    for args in (["x + x/x", "-x", "1e-17"], ["(x+y)*z", "-x", "1", "-y", "3", "-z", "-3"]):
        assert not any(NOTE in line for line in backward_lines(*args))


def test_the_latex_says_so_too():
    run = run_cli("trace", "a/b^c", "-a", "1e154", "-b", "1e154", "-c", "1.83", "--steps", "--latex")
    assert run.stdout.count(r"\text{(in rationals: the doubles above lost digits)}") == 2
