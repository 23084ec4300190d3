"""A ragged array names its odd element the same way in a program literal and in a binding:
the index path a user would type (NumPy's, counted from 0) and both shapes.

Each expectation is derived by hand from the literal: the first element whose shape is not
that of its kind, told against the same path with its last non-zero index made 0.
"""

from __future__ import annotations

import pytest

from conftest import assert_clean_error, run_cli

ONE_SHAPE = "; the elements of an array literal have one shape"

# (the literal, the same with a name in the odd part, what the message says of both), by hand:
CASES = [
    # depth 2: [[[1,2],[3,4]], [[1,2],[3]]] -- element [1] is [[1,2],[3]]; inside it [1, 0]
    # is [1, 2] (2 numbers) and [1, 1] is [3] (1 number).
    ("[[[1, 2], [3, 4]], [[1, 2], [3]]]", "[[[1, 2], [3, 4]], [[1, 2], [x]]]",
     "element [1, 1] has 1 element where element [1, 0] has 2 (shape (1,), not (2,))"),
    # depth 3: element [1, 1] is [[3]]; its only row [1, 1, 0] is [3], where [1, 0, 0] is [1, 2].
    ("[[[[1, 2]], [[3, 4]]], [[[1, 2]], [[3]]]]", "[[[[1, 2]], [[3, 4]]], [[[1, 2]], [[x]]]]",
     "element [1, 1, 0] has 1 element where element [1, 0, 0] has 2 (shape (1,), not (2,))"),
    # depth 2, a number where a list belongs: [0, 1] is 5, [0, 0] is [1, 2].
    ("[[[1, 2], 5], [[3, 4], [5, 6]]]", "[[[1, 2], x], [[3, 4], [5, 6]]]",
     "element [0, 1] is a number where element [0, 0] is a list of 2 (shape (), not (2,))"),
    # depth 2, a list where a number belongs: [1, 0] is [1, 2], [0, 0] is 1.
    ("[[1, 2], [[1, 2], [3, 4]]]", "[[x, 2], [[1, 2], [3, 4]]]",
     "element [1, 0] is a list of 2 where element [0, 0] is a number (shape (2,), not ())"),
    # the top level: [1] is [3], [0] is [1, 2].
    ("[[1, 2], [3]]", "[[1, 2], [x]]",
     "element [1] has 1 element where element [0] has 2 (shape (1,), not (2,))"),
]


@pytest.mark.parametrize("literal, named, says", CASES)
def test_a_program_literal_names_the_element(literal, named, says):
    run = run_cli("eval", f"sum({literal})")
    assert_clean_error(run, 2, f"{literal}: a ragged literal: {says}{ONE_SHAPE}")


@pytest.mark.parametrize("literal, named, says", CASES)
def test_a_program_literal_with_a_name_names_it_too(literal, named, says):
    # built from its elements (a stack node), not folded into one constant
    run = run_cli("grad", f"sum({named})", "-x", "1")
    assert_clean_error(run, 2, f"line 1, column 5: {named}: a ragged literal: {says}{ONE_SHAPE}")


@pytest.mark.parametrize("literal, named, says", CASES)
def test_a_binding_names_the_element(literal, named, says):
    run = run_cli("eval", "sum(X)", "-X", literal)
    assert_clean_error(run, 2, f"the value of 'X' is a ragged literal: {says}")


@pytest.mark.parametrize("literal, named, says", CASES)
def test_a_binding_with_an_expression_names_it_too(literal, named, says):
    # 2 written as 2^1: not JSON, so the literal is read element by element
    written = literal.replace("2", "2^1")
    run = run_cli("eval", "sum(X)", "-X", written)
    assert_clean_error(run, 2, f"is a ragged literal: {says}")


@pytest.mark.parametrize("literal, named, says", CASES)
def test_a_json_file_names_the_element(literal, named, says, tmp_path):
    path = tmp_path / "X.json"
    path.write_text(literal, "utf-8")
    run = run_cli("eval", "sum(X)", "-X", f"@{path}")
    assert_clean_error(run, 2, f"is ragged: {says}")


def test_the_caret_is_under_the_odd_element_of_the_innermost_literal():
    run = run_cli("eval", "sum([[[1, 2], [3, 4]], [[1, 2], [3]]])")
    # '[3]' is the 33rd character of the program; the picture indents it by 2
    assert_clean_error(run, 2, "line 1, column 33: ",
                       "  sum([[[1, 2], [3, 4]], [[1, 2], [3]]])\n" + " " * 34 + "^^^")


def test_an_index_or_a_call_is_not_an_outer_literal():
    # A[0] + […] and max(…, […]): the ragged literal is the outermost; its own path
    run = run_cli("eval", "sum(A[0] + [[1, 2], [3]])", "-A", "[[1, 2]]")
    assert_clean_error(run, 2, "[[1, 2], [3]]: a ragged literal: element [1] has 1 element")
    run = run_cli("eval", "sum([max(1, 2), [[1, 2], [3]]])")
    assert_clean_error(run, 2, "a ragged literal: element [1, 1] has 1 element where element [1, 0] has 2")
