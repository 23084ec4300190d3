"""`grad --batch` / `eval --batch` where each line binds arrays (README "Arrays in a batch"),
against PyTorch: every line's value and every gradient, at points whose shapes differ
from line to line, within a relative 1e-12 (float64 on both sides).

That a line equals `grad --json` at its point is checked too, but only beside the oracle:
it says the two paths agree, not that either is right.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import run_cli
from torch_oracle import oracle_torch

torch = oracle_torch()

NET = "h = relu(X @ W1 + b1); s = h @ W2 + b2; L = cross_entropy(s, y)"
REGRESSION = "L = mean((X @ w + b - t)^2)"


def torch_grads(fn, point: dict, names: list[str]):
    """(value, {name: gradient}) of fn at point, by torch.autograd in float64."""
    tensors = {k: torch.tensor(np.asarray(v, dtype=np.float64), requires_grad=k in names)
               for k, v in point.items()}
    out = fn(tensors)
    out.backward()
    return out.item(), {k: tensors[k].grad.numpy() for k in names}


def net_torch(t):
    h = torch.relu(t["X"] @ t["W1"] + t["b1"])
    s = h @ t["W2"] + t["b2"]
    return torch.nn.functional.cross_entropy(s, t["y"].long())


def regression_torch(t):
    return torch.mean((t["X"] @ t["w"] + t["b"] - t["t"]) ** 2)


def net_points(rng, count: int) -> list[dict]:
    """Two-layer nets of different sizes, one per line (N rows, D inputs, H hidden, C classes)."""
    out = []
    for _ in range(count):
        n, d, h, c = (int(k) for k in rng.integers(1, 6, size=4))
        c += 1
        out.append({"X": rng.normal(size=(n, d)).tolist(), "W1": rng.normal(size=(d, h)).tolist(),
                    "b1": rng.normal(size=h).tolist(), "W2": rng.normal(size=(h, c)).tolist(),
                    "b2": rng.normal(size=c).tolist(),
                    "y": rng.integers(0, c, size=n).astype(float).tolist()})
    return out


def regression_points(rng, count: int) -> list[dict]:
    out = []
    for _ in range(count):
        n, d = (int(k) for k in rng.integers(1, 7, size=2))
        out.append({"X": rng.normal(size=(n, d)).tolist(), "w": rng.normal(size=d).tolist(),
                    "b": float(rng.normal()), "t": rng.normal(size=n).tolist()})
    return out


def write_jsonl(path, points) -> str:
    path.write_text("".join(json.dumps(p) + "\n" for p in points))
    return str(path)


def lines_of(run) -> list[dict]:
    return [json.loads(line) for line in run.stdout.splitlines()]


def assert_close(got, want, what):
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, (what, got.shape, want.shape)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14, err_msg=what)


@pytest.mark.parametrize("text,fn,make,grads", [
    (NET, net_torch, net_points, ["X", "W1", "b1", "W2", "b2"]),
    (REGRESSION, regression_torch, regression_points, ["X", "w", "b", "t"]),
])
def test_every_line_against_torch(tmp_path, text, fn, make, grads):
    points = make(np.random.default_rng(5), 12)
    assert len({tuple(np.shape(p["X"])) for p in points}) > 3   # the shapes do differ by line
    run = run_cli("grad", text, "--batch", write_jsonl(tmp_path / "p.jsonl", points))
    assert run.exit_code == 0, run.stderr
    out = lines_of(run)
    assert len(out) == len(points)
    for k, (obj, point) in enumerate(zip(out, points)):
        value, want = torch_grads(fn, point, grads)
        assert obj["expression"] == text
        assert obj["inputs"] == point   # floats in, floats out (y's classes as floats)
        assert_close(obj["value"], value, f"line {k + 1} value")
        assert list(obj["gradient"]) == grads   # class indices have no gradient (README)
        for name in grads:
            assert_close(obj["gradient"][name], want[name], f"line {k + 1} d/d{name}")
        # Beside the oracle only: the line is grad --json's at that point, byte for byte.
        one = run_cli("grad", text, *[f"{n}={json.dumps(v)}" for n, v in point.items()], "--json")
        assert one.stdout == run.stdout.splitlines(keepends=True)[k]


def test_wrt_and_shared_arrays_against_torch(tmp_path):
    # W1, b1, W2, b2 shared on the command line for every point; each line brings its own X
    # and y (a different number of rows each); the third line overrides b2 with its own.
    rng = np.random.default_rng(8)
    shared = {"W1": rng.normal(size=(3, 4)), "b1": rng.normal(size=4), "W2": rng.normal(size=(4, 2)),
              "b2": rng.normal(size=2)}
    points = []
    for n in (1, 4, 2, 7):
        points.append({"X": rng.normal(size=(n, 3)).tolist(),
                       "y": rng.integers(0, 2, size=n).astype(float).tolist()})
    points[2]["b2"] = [0.25, -1.5]
    args = [f"{k}={json.dumps(v.tolist())}" for k, v in shared.items()]
    run = run_cli("grad", NET, *args, "--wrt", "W2,b1", "--batch", write_jsonl(tmp_path / "p.jsonl", points))
    assert run.exit_code == 0, run.stderr
    for k, (obj, point) in enumerate(zip(lines_of(run), points)):
        full = {**{n: v.tolist() for n, v in shared.items()}, **point}
        value, want = torch_grads(net_torch, full, ["W2", "b1"])
        assert obj["inputs"] == {n: full[n] for n in ("X", "W1", "b1", "W2", "b2", "y")}
        assert_close(obj["value"], value, f"line {k + 1}")
        assert list(obj["gradient"]) == ["W2", "b1"]
        assert_close(obj["gradient"]["W2"], want["W2"], f"line {k + 1} dW2")
        assert_close(obj["gradient"]["b1"], want["b1"], f"line {k + 1} db1")


def test_eval_batch_of_the_same_points_against_torch(tmp_path):
    # eval --batch: the value of every line, in the same format as eval --json (no
    # "gradient"); an array output is a nested list.
    points = regression_points(np.random.default_rng(9), 6)
    path = write_jsonl(tmp_path / "p.jsonl", points)
    run = run_cli("eval", REGRESSION, "--batch", path)
    assert run.exit_code == 0, run.stderr
    for obj, point in zip(lines_of(run), points):
        assert set(obj) == {"expression", "inputs", "value"}
        t = {k: torch.tensor(np.asarray(v, dtype=np.float64)) for k, v in point.items()}
        assert_close(obj["value"], regression_torch(t).item(), "value")
    run = run_cli("eval", "X @ w + b", "--batch", path)
    assert run.exit_code == 0, run.stderr
    for obj, point in zip(lines_of(run), points):
        t = {k: torch.tensor(np.asarray(v, dtype=np.float64)) for k, v in point.items()}
        assert_close(obj["value"], (t["X"] @ t["w"] + t["b"]).numpy(), "X @ w + b")
        assert isinstance(obj["value"], list)
