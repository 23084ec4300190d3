"""Every kind of shape error (SPEC §6): found before any arithmetic, exit 2, the message
names the node and both shapes, a caret line under the node; with --json the same
message as {"error": {"kind": "shape", ...}} on stdout. Class indices that are not whole
or out of range are a value error."""

from __future__ import annotations

import pytest

from conftest import assert_clean_error, run_cli

# (argv, message fragments, the program line and the caret line as printed)
CASES = [
    pytest.param(["grad", "sum(X @ W)", "-X", "[[1, 2, 3]]", "-W", "[[1, 2], [3, 4]]"],
                 ["X @ W: (1, 3) @ (2, 2): the inner sizes 3 and 2 differ"],
                 "  sum(X @ W)\n      ^^^^^", id="matmul"),
    pytest.param(["eval", "X @ W1", "-X", "@zeros54", "-W1", "@zeros310"],
                 ["X @ W1: (5, 4) @ (3, 10): the inner sizes 4 and 3 differ"],
                 "  X @ W1\n  ^^^^^^", id="matmul-spec-example"),
    pytest.param(["eval", "a @ 2", "-a", "[1, 2]"],
                 ["a @ 2: (2,) @ (): a scalar operand of @ is a shape error"],
                 "  a @ 2\n  ^^^^^", id="matmul-scalar"),
    pytest.param(["grad", "sum(a + b)", "-a", "[1, 2, 3]", "-b", "[1, 2]"],
                 ["a + b: (3,) + (2,): the shapes do not broadcast (sizes 2 and 3 on the last axis)"],
                 "  sum(a + b)\n      ^^^^^", id="broadcast"),
    pytest.param(["eval", "max(A, b)", "-A", "[[1, 2], [3, 4]]", "-b", "[1, 2, 3]"],
                 ["max(A, b): (2, 2) and (3,): the shapes do not broadcast"],
                 "  max(A, b)\n  ^^^^^^^^^", id="broadcast-call"),
    pytest.param(["eval", "sum([[1, 2], [3]])"],
                 ["a ragged literal: element [1] has 1 element where element [0] has 2 (shape (1,), not (2,))"],
                 "  sum([[1, 2], [3]])\n               ^^^", id="ragged-constant-literal"),
    pytest.param(["grad", "sum([x, v])", "-x", "1", "-v", "[1, 2]"],
                 ["[x, v]: a ragged literal: element [1] is a list of 2 where element [0] is a number (shape (2,), not ())"],
                 "  sum([x, v])\n      ^^^^^^", id="ragged-literal"),
    pytest.param(["eval", "sum(A, 2)", "-A", "[[1, 2], [3, 4]]"],
                 ["sum(A, 2): axis 2 is out of range for shape (2, 2)"],
                 "  sum(A, 2)\n  ^^^^^^^^^", id="bad-axis"),
    pytest.param(["eval", "mean(A, -3)", "-A", "[[1, 2], [3, 4]]"],
                 ["mean(A, -3): axis -3 is out of range for shape (2, 2)"],
                 "  mean(A, -3)\n  ^^^^^^^^^^^", id="bad-negative-axis"),
    pytest.param(["eval", "sum(A, k)", "-A", "[[1, 2], [3, 4]]", "-k", "1"],
                 ["sum(A, k): the axis of sum must be a constant integer"],
                 "  sum(A, k)\n  ^^^^^^^^^", id="axis-not-constant"),
    pytest.param(["eval", "sum(A, 0.5)", "-A", "[[1, 2], [3, 4]]"],
                 ["the axis of sum must be a constant integer"], "  sum(A, 0.5)\n  ^^^^^^^^^^^",
                 id="axis-not-whole"),
    pytest.param(["eval", "A[2]", "-A", "[[1, 2], [3, 4]]"],
                 ["A[2]: index 2 is out of range for axis 0 of size 2 (shape (2, 2))"],
                 "  A[2]\n  ^^^^", id="index-out-of-range"),
    pytest.param(["eval", "2 * A[0, -3]", "-A", "[[1, 2], [3, 4]]"],
                 ["A[0, -3]: index -3 is out of range for axis 1 of size 2"],
                 "  2 * A[0, -3]\n      ^^^^^^^^", id="negative-index-out-of-range"),
    pytest.param(["eval", "v[0, 0]", "-v", "[1, 2]"],
                 ["v[0, 0]: 2 indices for an array of shape (2,)"], "  v[0, 0]\n  ^^^^^^^",
                 id="too-many-indices"),
    pytest.param(["eval", "x[0]", "-x", "3"],
                 ["x[0]: a scalar (shape ()) cannot be indexed"], "  x[0]\n  ^^^^", id="index-scalar"),
    pytest.param(["eval", "softmax(x)", "-x", "3"],
                 ["softmax(x): softmax works over the last axis, and a scalar (shape ()) has none"],
                 "  softmax(x)\n  ^^^^^^^^^^", id="softmax-scalar"),
    pytest.param(["grad", "cross_entropy(s, y)", "-s", "[[1, 2], [3, 4]]", "-y", "[1, 0, 1]"],
                 ["scores of shape (2, 2) need 2 class indices (shape (2,)), but the indices have "
                  "shape (3,)"], "  cross_entropy(s, y)\n  ^^^^^^^^^^^^^^^^^^^", id="cross-entropy"),
    pytest.param(["grad", "X @ w", "-X", "[[1, 2, 3]]", "-w", "[1, 2, 3]"],
                 ["grad needs a scalar output, but the output 'X @ w' has shape (1,): sum(…), mean(…)"],
                 "  X @ w\n  ^^^^^", id="grad-array-output"),
    pytest.param(["trace", "h = 2 * v", "-v", "[1, 2]"],
                 ["trace needs a scalar output, but the output 'h' (2 * v) has shape (2,)"],
                 "  h = 2 * v\n      ^^^^^", id="trace-array-output"),
    pytest.param(["grad", "2 * v", "-v", "[1, 2]", "--check"],
                 ["needs a scalar output, but the output '2 * v' has shape (2,)"],
                 "  2 * v\n  ^^^^^", id="check-array-output"),
]


@pytest.fixture(autouse=True)
def _zeros(tmp_path, monkeypatch):
    """Files zeros54 and zeros310 as JSON lists of zeros (5, 4) and (3, 10), for @FILE."""
    import json

    monkeypatch.chdir(tmp_path)
    (tmp_path / "zeros54").write_text(json.dumps([[0] * 4] * 5))
    (tmp_path / "zeros310").write_text(json.dumps([[0] * 10] * 3))


def _args(argv):
    """@zeros54 → the literal text (binding files are helper B's part; a literal is enough here)."""
    import pathlib

    return [pathlib.Path(a[1:]).read_text() if a.startswith("@zeros") else a for a in argv]


@pytest.mark.parametrize("argv,fragments,picture", CASES)
def test_shape_error_message_caret_and_exit_code(argv, fragments, picture):
    run = run_cli(*_args(argv))
    assert_clean_error(run, 2, "gradcli: shape error: line 1, column ", *fragments)
    assert picture in run.stderr, run.stderr
    assert run.stdout == ""


@pytest.mark.parametrize("argv,fragments,picture", CASES)
def test_shape_error_as_json(argv, fragments, picture):
    run = run_cli(*_args(argv), "--json")
    assert run.exit_code == 2
    error = run.json["error"]
    assert error["kind"] == "shape"
    for fragment in fragments:
        assert fragment in error["message"]
    assert picture in error["message"]


@pytest.mark.parametrize("argv,fragment", [
    (["grad", "cross_entropy(s, y)", "-s", "[[1, 2], [3, 4]]", "-y", "[1, 2]"],
     "the class indices 'y' must be whole numbers from 0 to 1 (the scores have 2 classes), but y[1] is 2"),
    (["grad", "cross_entropy(s, y)", "-s", "[1, 2, 3]", "-y", "1.5"],
     "must be whole numbers from 0 to 2 (the scores have 3 classes), but y is 1.5"),
    (["grad", "cross_entropy(s, y)", "-s", "[[1, 2], [3, 4]]", "-y", "[0, -1]"],
     "but y[1] is -1"),
])
def test_class_indices_not_whole_or_out_of_range_are_value_errors(argv, fragment):
    run = run_cli(*argv)
    assert_clean_error(run, 2, "gradcli: value error: ", fragment)
    as_json = run_cli(*argv, "--json")
    assert as_json.exit_code == 2 and as_json.json["error"]["kind"] == "value"
    assert fragment in as_json.json["error"]["message"]


def test_shapes_are_checked_before_any_arithmetic():
    """log(-1) would be a math error (exit 3); the shape error later in the program comes first."""
    run = run_cli("eval", "p = log(v); q = p @ A; sum(q)", "-v", "[-1, 2]", "-A", "[1, 2, 3]")
    assert_clean_error(run, 2, "p @ A: (2,) @ (3,): the inner sizes 2 and 3 differ")


def test_a_ragged_binding_is_a_value_error():
    run = run_cli("eval", "sum(v)", "-v", "[[1, 2], [3]]", "--json")
    assert run.exit_code == 2 and run.json["error"]["kind"] == "value"
    assert "ragged literal" in run.json["error"]["message"]


def test_class_indices_have_no_gradient_and_are_left_out():
    run = run_cli("grad", "cross_entropy(s, y)", "-s", "[[1, 2], [3, 4]]", "-y", "[1, 0]", "--json")
    assert run.exit_code == 0
    assert list(run.json["gradient"]) == ["s"]
    assert run.json["inputs"]["y"] == [1.0, 0.0]
    refused = run_cli("grad", "cross_entropy(s, y)", "-s", "[1, 2]", "-y", "1", "--wrt", "y")
    assert_clean_error(refused, 2, "'y' is used only as class indices")
