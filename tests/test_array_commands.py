"""Array programs through eval, grad, trace and --check (README "Arrays: vectors and
matrices"): JSON as nested lists, gradients of each input's shape, trace nodes with
"shape", forward mode, per-element checks, math errors at an element, and the
language's new forms (literals over lines, @, indexing) with friendly syntax errors."""

from __future__ import annotations

import numpy as np
import pytest

import gradcli
from conftest import assert_clean_error, run_cli

LINEAR = ["L = mean((X @ w + b - y)^2)", "-X", "[[1, 2], [3, 4], [5, 6]]", "-w", "[0.5, -1]",
          "-b", "0.1", "-y", "[1, 0, 2]"]


def _by_hand():
    X, w, b, y = np.array([[1, 2], [3, 4], [5, 6.]]), np.array([0.5, -1]), 0.1, np.array([1, 0, 2.])
    r = X @ w + b - y
    n = len(y)
    return (r ** 2).mean(), {"X": np.outer(2 * r / n, w), "w": X.T @ (2 * r / n),
                             "b": (2 * r / n).sum(), "y": -2 * r / n}


def test_eval_prints_an_array_and_json_is_nested_lists():
    run = run_cli("eval", "X @ w", "-X", "[[1, 2], [3, 4]]", "-w", "[1, -1]", "--json")
    assert run.exit_code == 0
    assert run.json == {"expression": "X @ w", "inputs": {"X": [[1, 2], [3, 4]], "w": [1, -1]},
                        "value": [-1, -1]}
    human = run_cli("eval", "[[1, 2], [3, 4]] * 2")
    assert human.stdout == "(2, 2) [[2, 4],\n        [6, 8]]\n"   # the shape first (views/array_text.py)


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_grad_json_gradients_have_the_inputs_shapes(mode):
    run = run_cli("grad", *LINEAR, "--json", "--mode", mode)
    assert run.exit_code == 0, run.stderr
    loss, grads = _by_hand()
    assert run.json["value"] == pytest.approx(loss)
    for name, expected in grads.items():
        np.testing.assert_allclose(run.json["gradient"][name], expected, rtol=1e-12)
        assert np.shape(run.json["gradient"][name]) == np.shape(expected)


def test_grad_wrt_reports_only_the_names_asked():
    run = run_cli("grad", *LINEAR, "--wrt", "w,b", "--json")
    assert list(run.json["gradient"]) == ["w", "b"]


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_trace_json_has_every_node_with_its_shape(mode):
    run = run_cli("trace", *LINEAR, "--json", "--mode", mode)
    assert run.exit_code == 0, run.stderr
    nodes = run.json["nodes"]
    by_label = {n["label"]: n for n in nodes}
    assert by_label["X"]["shape"] == [3, 2] and by_label["w"]["shape"] == [2]
    assert by_label["b"]["shape"] == [] and by_label["X @ w"]["shape"] == [3]
    assert by_label["L"]["shape"] == [] and by_label["L"]["grad"] == 1
    loss, grads = _by_hand()
    np.testing.assert_allclose(by_label["w"]["grad"], grads["w"], rtol=1e-12)
    # ∂L/∂(X @ w) = 2 r / n, by hand
    X, w = np.array([[1, 2], [3, 4], [5, 6.]]), np.array([0.5, -1])
    r = X @ w + 0.1 - np.array([1, 0, 2.])
    np.testing.assert_allclose(by_label["X @ w"]["grad"], 2 * r / 3, rtol=1e-12)
    for n in nodes:
        assert np.shape(n["value"]) == tuple(n["shape"])
    if mode == "forward":   # the tangent of a node is its Jacobian with respect to the input
        np.testing.assert_allclose(by_label["X @ w"]["tangent"]["X"], _matvec_jacobian(w))
        assert by_label["X @ w"]["tangent"]["w"] == X.tolist()


def _matvec_jacobian(w):
    """∂(X @ w)_i / ∂X_jk = δ_ij w_k, shape (3, 3, 2)."""
    return np.eye(3)[:, :, None] * w[None, None, :]


def test_check_compares_every_element_with_cs231n_relative_error():
    run = run_cli("grad", *LINEAR, "--check", "--json")
    assert run.exit_code == 0, run.stderr
    rows = run.json["check"]["gradient"]
    assert sorted(rows) == sorted(["X[0, 0]", "X[0, 1]", "X[1, 0]", "X[1, 1]", "X[2, 0]", "X[2, 1]",
                                   "w[0]", "w[1]", "b", "y[0]", "y[1]", "y[2]"])
    for row in rows.values():
        a, n = row["analytic"], row["numeric"]
        assert row["rel_error"] == pytest.approx(abs(a - n) / max(1e-8, abs(a) + abs(n)))
        assert row["status"] == "ok"


def test_check_fails_with_exit_1_on_a_wrong_element():
    from gradcli.homework.gradcheck import check_gradient

    loss, grads = _by_hand()
    wrong = grads["w"].copy()
    wrong[1] += 0.5
    rep = check_gradient(LINEAR[0], dict(zip([a.lstrip("-") for a in LINEAR[1::2]], LINEAR[2::2])),
                         wrt=["w"], analytic={"w": wrong})
    assert [row.status for row in rep.rows] == ["ok", "wrong"]
    failure = rep.failure()
    assert failure is not None and failure.exit_code == 1 and "w[1]" in failure.message


def test_math_errors_name_the_element():
    run = run_cli("eval", "log(x)", "-x", "[1, -2]")
    assert_clean_error(run, 3, "'log(x)' cannot be computed at [1]: log needs a positive number "
                               "(it got x[1] = -2)")
    run = run_cli("eval", "A / b", "-A", "[[1, 2], [3, 4]]", "-b", "[1, 0]", "--json")
    assert run.exit_code == 3 and run.json["error"]["kind"] == "math"
    assert "at [0, 1]: division by zero (it got A[0, 1] = 2, b[1] = 0, giving inf)" in run.json["error"]["message"]
    run = run_cli("grad", "sum(sqrt(x))", "-x", "[1, 0]")
    assert_clean_error(run, 3, "the gradient with respect to 'x' is not finite (∂/∂x[1] = inf)")


def test_literals_span_lines_and_index_from_the_end():
    r = gradcli.evaluate("W = [[1, 2],\n     [3, 4]]\nW[-1, 0] + W[0][1]")
    assert r.value == 5.0
    assert gradcli.evaluate("[x, 2 * x][1]", x=3).value == 6.0


def test_a_literal_of_numbers_is_one_constant_node():
    g = gradcli.compile("sum([[1, -2], [3, 4]] * x)").graph
    assert [op.name for op in g.ops] == ["const", "input", "mul", "sum"]
    assert g.consts[0].tolist() == [[1, -2], [3, 4]]


def test_matmul_binds_like_times():
    g = gradcli.compile("a * b @ c").graph            # (a * b) @ c
    assert [op.name for op in g.ops] == ["input", "input", "mul", "input", "matmul"]
    g = gradcli.compile("a + b @ c").graph            # a + (b @ c)
    assert [op.name for op in g.ops] == ["input", "input", "input", "matmul", "add"]


@pytest.mark.parametrize("text,fragments", [
    ("a[x]", ["unexpected 'x'", "an index is a constant integer"]),
    ("a[1.5]", ["an index is a whole number, not 1.5"]),
    ("[1, 2", ["expected ']' or ',' there", "1 '[' is not closed"]),
    ("a[]", ["unexpected ']'", "[] is empty"]),
    ("x]", ["unexpected ']'", "this ']' has no '[' to close"]),
    ("a[0, 1, 2, 3]", ["at most 3 indices"]),
    ("unsum(a, b, c)", ["unknown function 'unsum'"]),
])
def test_friendly_syntax_errors_for_the_new_forms(text, fragments):
    run = run_cli("eval", text, "-a", "[1, 2]")
    assert run.exit_code == 2 and "Traceback" not in run.stderr
    for fragment in fragments:
        assert fragment in run.stderr, run.stderr


def test_array_programs_take_the_fast_parser():
    from gradcli.language.parse import Parser

    gradcli.compile("sum(X @ W[0] + [1, 2])")
    assert Parser.get().from_tables
