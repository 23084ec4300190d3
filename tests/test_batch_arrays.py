"""`--batch` points that bind arrays, and array programs over CSV rows (README "Arrays in
a batch"), against gradients derived by hand and written in NumPy.

The CS231n two-layer net (affine, ReLU, affine, softmax with cross-entropy) and a least-
squares fit, at lines of different shapes; JSON Lines lines of numbers and of arrays side by
side; CSV columns feeding scalar variables beside arrays shared on the command line; the
Python API; many lines over several chunks.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import assert_clean_error, run_cli

from gradcli.data import points as batch_io
from gradcli.homework.batch import eval_points, grad_points

NET = "h = relu(X @ W1 + b1); s = h @ W2 + b2; L = cross_entropy(s, y)"
FIT = "L = mean((X @ w + b - t)^2)"


def net_by_hand(X, W1, b1, W2, b2, y):
    """CS231n's two-layer net: the loss and its gradients, the backward pass written out."""
    X, W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in (X, W1, b1, W2, b2))
    y = np.asarray(y, dtype=int)
    n = X.shape[0]
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    s = h @ W2 + b2
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(n), y]))
    ds = p.copy()
    ds[np.arange(n), y] -= 1
    ds /= n
    dh = ds @ W2.T
    dz1 = dh * (z1 > 0)
    return loss, {"X": dz1 @ W1.T, "W1": X.T @ dz1, "b1": dz1.sum(axis=0),
                  "W2": h.T @ ds, "b2": ds.sum(axis=0)}


def fit_by_hand(X, w, b, t):
    X, w, t = (np.asarray(a, dtype=float) for a in (X, w, t))
    r = X @ w + b - t
    dr = 2 * r / len(r)
    return float(np.mean(r ** 2)), {"X": np.outer(dr, w), "w": X.T @ dr, "b": dr.sum(), "t": -dr}


def net_point(rng, n, d, h, c) -> dict:
    return {"X": rng.normal(size=(n, d)).tolist(), "W1": rng.normal(size=(d, h)).tolist(),
            "b1": rng.normal(size=h).tolist(), "W2": rng.normal(size=(h, c)).tolist(),
            "b2": rng.normal(size=c).tolist(), "y": rng.integers(0, c, size=n).astype(float).tolist()}


def fit_point(rng, n, d) -> dict:
    return {"X": rng.normal(size=(n, d)).tolist(), "w": rng.normal(size=d).tolist(),
            "b": float(rng.normal()), "t": rng.normal(size=n).tolist()}


def write(path, lines) -> str:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n"
                            for line in lines))
    return str(path)


def lines_of(run) -> list[dict]:
    return [json.loads(line) for line in run.stdout.splitlines()]


def close(got, want, what=""):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert got.shape == want.shape, (what, got.shape, want.shape)
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-13, err_msg=what)


def test_two_layer_net_per_line_against_the_hand_derived_backward_pass(tmp_path):
    rng = np.random.default_rng(1)
    sizes = [(5, 4, 10, 3), (1, 2, 3, 2), (3, 1, 1, 4), (7, 3, 6, 2)]
    points = [net_point(rng, *s) for s in sizes]
    run = run_cli("grad", NET, "--batch", write(tmp_path / "p.jsonl", points))
    assert run.exit_code == 0, run.stderr
    out = lines_of(run)
    assert len(out) == len(points)
    for k, (obj, point) in enumerate(zip(out, points)):
        loss, grads = net_by_hand(**point)
        close(obj["value"], loss, f"line {k + 1}")
        assert list(obj["gradient"]) == ["X", "W1", "b1", "W2", "b2"]   # y: class indices
        for name, want in grads.items():
            close(obj["gradient"][name], want, f"line {k + 1} d{name}")
            assert np.shape(obj["gradient"][name]) == np.shape(point[name])   # the input's shape


def test_fit_with_wrt_and_a_shared_value(tmp_path):
    # -b 0.5 for every point but the second, which carries its own b.
    rng = np.random.default_rng(2)
    points = [{k: v for k, v in fit_point(rng, n, d).items() if k != "b"}
              for n, d in ((4, 2), (1, 1), (6, 3))]
    points[1]["b"] = -2.0
    run = run_cli("grad", FIT, "-b", "0.5", "--wrt", "w,b", "--batch", write(tmp_path / "p.jsonl", points))
    assert run.exit_code == 0, run.stderr
    for k, (obj, point) in enumerate(zip(lines_of(run), points)):
        b = point.get("b", 0.5)
        loss, grads = fit_by_hand(point["X"], point["w"], b, point["t"])
        assert obj["inputs"]["b"] == b
        close(obj["value"], loss, f"line {k + 1}")
        assert list(obj["gradient"]) == ["w", "b"]
        close(obj["gradient"]["w"], grads["w"], f"line {k + 1} dw")
        close(obj["gradient"]["b"], grads["b"], f"line {k + 1} db")
        assert isinstance(obj["gradient"]["b"], float)   # a scalar's gradient is a number


def test_lines_of_numbers_and_lines_of_arrays_side_by_side(tmp_path):
    # (x+y)*z is a scalar program: lines of numbers take the fast path, a line that binds an
    # array is computed on its own; eval prints its array, grad says it needs a number.
    lines = [{"x": 1, "y": 3, "z": -3}, {"x": [1, 2], "y": 3, "z": [[1], [-1]]},
             {"x": 2, "y": -1, "z": 0.5}]
    path = write(tmp_path / "p.jsonl", lines)
    ev = lines_of(run_cli("eval", "(x+y)*z", "--batch", path))
    assert ev[0]["value"] == -12 and ev[2]["value"] == 0.5
    close(ev[1]["value"], (np.array([1, 2]) + 3) * np.array([[1], [-1]]))
    assert ev[1]["inputs"] == {"x": [1.0, 2.0], "y": 3.0, "z": [[1.0], [-1.0]]}
    run = run_cli("grad", "(x+y)*z", "--batch", path)
    out = lines_of(run)
    assert out[0]["gradient"] == {"x": -3, "y": -3, "z": 4}
    assert out[2]["gradient"] == {"x": 0.5, "y": 0.5, "z": 1}
    assert out[1]["error"]["kind"] == "shape" and out[1]["error"]["line"] == 2
    assert "needs a scalar output" in out[1]["error"]["message"]
    assert run.exit_code == 2
    # sum(x * y) is an array program: every line on its own; ∂x = y, ∂y = x (same shapes).
    lines = [{"x": 2, "y": 5}, {"x": [1, 2, 3], "y": [4, 5, 6]}, {"x": [[1, -1]], "y": [[0.5, 2]]}]
    out = lines_of(run_cli("grad", "sum(x * y)", "--batch", write(tmp_path / "q.jsonl", lines)))
    for obj, p in zip(out, lines):
        close(obj["value"], np.sum(np.multiply(p["x"], p["y"])))
        close(obj["gradient"]["x"], p["y"])
        close(obj["gradient"]["y"], p["x"])


def test_csv_columns_feed_scalars_beside_shared_arrays(tmp_path):
    # W shared, x1 and x2 from the columns: L = sum(tanh(W @ [x1, x2] + c)), c a column too.
    W = np.array([[0.5, -1.0], [2.0, 0.25], [-0.5, 1.5]])
    path = tmp_path / "p.csv"
    rows = [(0.1, -0.2, 1.0), (1.5, 0.5, -2.0), (-1.0, 2.0, 0.0)]
    path.write_text("x1,x2,c\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows))
    run = run_cli("grad", "sum(tanh(W @ [x1, x2] + c))", f"W={json.dumps(W.tolist())}",
                  "--batch", str(path))
    assert run.exit_code == 0, run.stderr
    for obj, (a, b, c) in zip(lines_of(run), rows):
        x = np.array([a, b])
        u = 1 - np.tanh(W @ x + c) ** 2   # ∂L/∂(W @ x + c)
        close(obj["value"], np.sum(np.tanh(W @ x + c)))
        close(obj["gradient"]["W"], np.outer(u, x))
        close([obj["gradient"]["x1"], obj["gradient"]["x2"]], W.T @ u)
        close(obj["gradient"]["c"], u.sum())
        assert obj["inputs"]["W"] == W.tolist()
    # eval of an array output over CSV rows: one nested list per line.
    out = lines_of(run_cli("eval", "W @ [x1, x2] + c", f"W={json.dumps(W.tolist())}",
                           "--batch", str(path)))
    for obj, (a, b, c) in zip(out, rows):
        close(obj["value"], W @ [a, b] + c)


def test_a_column_may_override_a_shared_array_cell_by_cell(tmp_path):
    # -w [1, 2] for every point; the column w overrides it with a number where a cell is
    # filled: those points have another shape, and each is checked on its own.
    path = tmp_path / "p.csv"
    path.write_text("w,x\n,3\n10,3\n")
    run = run_cli("grad", "sum(w * x)", "-w", "[1, 2]", "--batch", str(path))
    assert run.exit_code == 0, run.stderr
    out = lines_of(run)
    assert out[0]["inputs"] == {"w": [1.0, 2.0], "x": 3.0} and out[0]["value"] == 9.0
    assert out[0]["gradient"] == {"w": [3.0, 3.0], "x": 3.0}
    assert out[1]["inputs"] == {"w": 10.0, "x": 3.0} and out[1]["value"] == 30.0
    assert out[1]["gradient"] == {"w": 3.0, "x": 10.0}


def test_a_bad_row_beside_a_shared_array_leaves_the_array_whole(tmp_path):
    # eval of an array program over number rows runs them all at once (the row domain); a
    # bad row or a row of text (pi/4) beside a shared array once indexed the array by row.
    path = tmp_path / "p.csv"
    path.write_text("x,y\n1,0\nzz,1\npi/4,1\n2,\n")
    run = run_cli("eval", "sum(w * [x, y])", "-w", "[1, 2]", "-y", "5", "--batch", str(path))
    out = lines_of(run)
    assert [o.get("value") for o in out] == [1.0, None, pytest.approx(np.pi / 4 + 2), 12.0]
    assert out[1]["error"]["kind"] == "value" and out[1]["error"]["line"] == 3
    assert all(o["inputs"]["w"] == [1.0, 2.0] for o in out if "error" not in o)
    assert run.exit_code == 2


def test_array_lines_over_many_chunks_keep_their_order(tmp_path, monkeypatch):
    monkeypatch.setattr(batch_io, "CHUNK_ROWS", 7)
    rng = np.random.default_rng(4)
    lines = []
    for k in range(40):
        if k % 5 == 3:
            lines.append({"X": [[1, 2], [3]], "w": [1, 2], "b": 0, "t": [0, 0]})  # ragged
        else:
            lines.append(fit_point(rng, int(rng.integers(1, 5)), int(rng.integers(1, 4))))
    run = run_cli("grad", FIT, "--batch", write(tmp_path / "p.jsonl", lines))
    out = lines_of(run)
    assert len(out) == 40
    for k, (obj, p) in enumerate(zip(out, lines)):
        if k % 5 == 3:
            assert obj["error"]["kind"] == "value" and obj["error"]["line"] == k + 1
            continue
        loss, grads = fit_by_hand(p["X"], p["w"], p["b"], p["t"])
        close(obj["value"], loss, f"line {k + 1}")
        for name, want in grads.items():
            close(obj["gradient"][name], want, f"line {k + 1} d{name}")
    assert run.exit_code == 2
    assert "8 of 40 points failed; the first at line 4: value error" in run.stderr


def test_python_api_takes_arrays_and_lists():
    rng = np.random.default_rng(6)
    pts = [fit_point(rng, 3, 2), {**fit_point(rng, 2, 4), "X": rng.normal(size=(2, 4))}]
    got = grad_points(FIT, pts, wrt=["w"])
    for obj, p in zip(got, pts):
        loss, grads = fit_by_hand(p["X"], p["w"], p["b"], p["t"])
        close(obj["value"], loss)
        close(obj["gradient"]["w"], grads["w"])
        assert isinstance(obj["gradient"]["w"], list)   # JSON's form, as grad --json
    vals = eval_points("X @ w", pts)
    close(vals[1]["value"], np.asarray(pts[1]["X"]) @ pts[1]["w"])
    bad = grad_points(FIT, [{"X": [[1, 2]], "w": [1, 2, 3], "b": 0, "t": [1]}])
    assert bad[0]["error"]["kind"] == "shape" and bad[0]["error"]["line"] == 1


def test_a_program_that_needs_arrays_a_csv_cannot_give(tmp_path):
    # A CSV cell holds one number: X and w come from columns, so X @ w cannot be formed at
    # any point. One shape error before any line, naming the columns.
    path = tmp_path / "p.csv"
    path.write_text("X,w\n1,2\n3,4\n")
    run = run_cli("grad", "sum(X @ w)", "--batch", str(path))
    assert_clean_error(run, 2, "X @ w: () @ ()", "a CSV cell holds one number",
                       "'X' and 'w'", "JSON Lines")
    assert run.json["error"]["kind"] == "shape"
    assert run.stdout.count("\n") == 1   # the error only, no result lines
    # An array output cannot have a gradient: one error too (it holds at every row).
    run = run_cli("grad", "W @ [X, w]", "-W", "[[1, 2], [3, 4]]", "--batch", str(path))
    assert_clean_error(run, 2, "needs a scalar output")
    assert run.stdout.count("\n") == 1
    # A cell written as an array literal is refused for its line; the others go on.
    path.write_text('x,y\n"[1, 2]",1\n2,3\n')
    run = run_cli("grad", "sum(w * [x, y])", "-w", "[1, 2]", "--batch", str(path))
    out = lines_of(run)
    assert out[0]["error"]["kind"] == "value" and "a CSV cell holds one number" in out[0]["error"]["message"]
    assert out[1]["gradient"] == {"w": [2.0, 3.0], "x": 1.0, "y": 2.0}
    assert run.exit_code == 2


def test_a_json_string_may_hold_a_literal_and_stdin_is_told_apart(tmp_path):
    # "[pi/4, 1]": elements may be constant expressions, as on the command line.
    run = run_cli("grad", "sum(sin(v))", "--batch", "-",
                  input='{"v": "[pi/4, 1]"}\n{"v": [0, 2]}\n')
    assert run.exit_code == 0, run.stderr
    out = lines_of(run)
    assert out[0]["inputs"]["v"] == [np.pi / 4, 1.0]
    close(out[0]["value"], np.sin(np.pi / 4) + np.sin(1))
    close(out[0]["gradient"]["v"], np.cos([np.pi / 4, 1]))
    close(out[1]["gradient"]["v"], np.cos([0, 2]))


def test_eval_over_the_row_domain_with_array_lines_among_number_lines():
    # sum(w * x), -w shared: lines of numbers run together in the row domain, the others
    # (an array of their own) one by one; a shape error is that line's alone.
    w = np.array([1.0, 2.0])
    xs = [2, [3, 4], "pi", [[1], [2]], [1, 2, 3], -0.5]
    run = run_cli("eval", "sum(w * x)", "-w", "[1, 2]", "--batch", "-",
                  input="".join(json.dumps({"x": x}) + "\n" for x in xs))
    out = lines_of(run)
    for k, (obj, x) in enumerate(zip(out, xs)):
        if k == 4:
            assert obj["error"]["kind"] == "shape" and "(2,) * (3,)" in obj["error"]["message"]
            continue
        x = np.pi if x == "pi" else np.asarray(x, dtype=float)
        close(obj["value"], np.sum(w * x), f"line {k + 1}")
        assert obj["inputs"]["w"] == [1.0, 2.0]
    assert run.exit_code == 2
