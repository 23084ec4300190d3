"""train with array parameters (SPEC §6): at one point, and over --data with a per-row program.

Oracles: PyTorch (autograd and torch.optim on the same network, float64), a hand NumPy
accuracy count, numpy.random.default_rng for the documented initial draws. Never gradcli.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

from conftest import run_cli
from gradcli.data.dataset import Dataset
from gradcli.training.loop import train
from torch_oracle import oracle_torch

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"
ROWS = "h = relu(W1 @ [x1, x2] + b1); s = W2 @ h + b2; cross_entropy(s, y)"
BATCH = "h = relu(X @ transpose(W1) + b1); s = h @ transpose(W2) + b2; cross_entropy(s, y)"


def moons():
    data = np.genfromtxt(EXAMPLES / "moons.csv", delimiter=",", names=True)
    return data["x1"], data["x2"], data["y"]


def init(hidden=8, seed=3):
    rng = np.random.default_rng(seed)
    return {"W1": 0.5 * rng.standard_normal((hidden, 2)), "b1": 0.1 * rng.standard_normal(hidden),
            "W2": 0.5 * rng.standard_normal((2, hidden)), "b2": np.zeros(2)}


def torch_run(p, X, y, steps, optimizer="sgd", lr=0.1):
    torch = oracle_torch()

    t = {k: torch.tensor(v, requires_grad=True) for k, v in p.items()}
    opt = (torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam)(list(t.values()), lr=lr)
    Xt, yt = torch.tensor(X), torch.tensor(y).long()
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        s = torch.relu(Xt @ t["W1"].T + t["b1"]) @ t["W2"].T + t["b2"]
        loss = torch.nn.functional.cross_entropy(s, yt)
        losses.append(float(loss.detach()))
        loss.backward()
        opt.step()
    return {k: v.detach().numpy() for k, v in t.items()}, losses


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_per_row_program_over_data_matches_torch(optimizer):
    x1, x2, y = moons()
    p = init()
    r = train(ROWS, p, None, Dataset.from_columns({"x1": x1, "x2": x2, "y": y}),
              lr=0.1, steps=5, optimizer=optimizer)
    want, losses = torch_run(p, np.stack([x1, x2], axis=1), y, 5, optimizer)
    np.testing.assert_allclose(r.history.loss, losses, rtol=1e-12)
    for k in p:
        assert np.shape(r.params[k]) == p[k].shape
        np.testing.assert_allclose(r.params[k], want[k], rtol=1e-10, atol=1e-13)


def test_batch_program_at_one_point_matches_torch():
    x1, x2, y = moons()
    X = np.stack([x1, x2], axis=1)[:50]
    p = init(hidden=5)
    r = train(BATCH, p, {"X": X, "y": y[:50]}, lr=0.2, steps=4)
    want, losses = torch_run(p, X, y[:50], 4, lr=0.2)
    np.testing.assert_allclose(r.history.loss, losses, rtol=1e-12)
    for k in p:
        np.testing.assert_allclose(r.params[k], want[k], rtol=1e-10, atol=1e-13)


def test_mini_batches_and_broadcast_scalars_over_rows():
    # a scalar parameter shared by every row, a shared vector, one row's scalar columns
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal(40), rng.standard_normal(40)
    r = train("(sum(w * [x, x^2]) + c - t)^2", {"w": np.array([0.3, -0.2]), "c": 0.5}, None,
              Dataset.from_columns({"x": x, "t": t}), lr=0.05, steps=1)
    feats = np.stack([x, x ** 2], axis=1)
    resid = feats @ np.array([0.3, -0.2]) + 0.5 - t
    gw, gc = 2 * resid @ feats / 40, 2 * resid.mean()
    np.testing.assert_allclose(r.params["w"], np.array([0.3, -0.2]) - 0.05 * gw, rtol=1e-12)
    assert r.params["c"] == pytest.approx(0.5 - 0.05 * gc, rel=1e-12)


def test_moons_network_reaches_97_percent(tmp_path):
    run = run_cli("train", ROWS, "--data", str(EXAMPLES / "moons.csv"),
                  "--param", "W1=0.5*randn(16, 2)", "--param", "b1=zeros(16)",
                  "--param", "W2=0.5*randn(2, 16)", "--param", "b2=zeros(2)",
                  "--optimizer", "adam", "--lr", "0.05", "--steps", "500", "--seed", "0", "--json")
    assert run.exit_code == 0, run.stderr
    params = {k: np.array(v) for k, v in run.json["params"].items()}
    assert params["W1"].shape == (16, 2) and params["b2"].shape == (2,)
    x1, x2, y = moons()
    h = np.maximum(0, np.stack([x1, x2], axis=1) @ params["W1"].T + params["b1"])
    accuracy = np.mean(np.argmax(h @ params["W2"].T + params["b2"], axis=1) == y)
    assert accuracy >= 0.97
    # and as the README measures it, with gradcli: eval --batch with the learned parameters
    (tmp_path / "learned.json").write_text(json.dumps(run.json["params"]))
    ev = run_cli("eval", "s = W2 @ relu(W1 @ [x1, x2] + b1) + b2; step((s[1] - s[0]) * (2*y - 1))",
                 "--inputs", str(tmp_path / "learned.json"), "--batch", str(EXAMPLES / "moons.csv"))
    assert ev.exit_code == 0, ev.stderr
    right = [json.loads(line)["value"] for line in ev.stdout.splitlines()]
    assert len(right) == 200 and np.mean(right) == pytest.approx(accuracy)


def test_initial_draws_come_from_the_seed():
    run = run_cli("train", "sum((W @ x - t)^2)", "-x", "[1, 2]", "-t", "[0, 1]",
                  "--param", "W=0.1*randn(2, 2)", "--lr", "0.1", "--steps", "0", "--seed", "7", "--json")
    assert run.exit_code == 0, run.stderr
    W = 0.1 * np.random.default_rng(7).standard_normal((2, 2))
    np.testing.assert_allclose(run.json["params"]["W"], W, rtol=1e-15)
    assert run.json["loss"] == pytest.approx(float(np.sum((W @ [1, 2] - np.array([0, 1])) ** 2)))


def test_history_file_holds_arrays(tmp_path):
    import csv

    out = tmp_path / "h.csv"
    run = run_cli("train", "sum((W @ x - t)^2)", "-x", "[1, 2]", "-t", "[0, 1]", "--param", "W=zeros(2, 2)",
                  "--lr", "0.1", "--steps", "2", "--history", str(out))
    assert run.exit_code == 0, run.stderr
    rows = list(csv.DictReader(out.open()))
    assert json.loads(rows[0]["grad_W"]) == [[0.0, 0.0], [-2.0, -4.0]]   # 2(Wx - t)xᵀ at W = 0
    assert json.loads(rows[1]["W"]) == [[0.0, 0.0], [0.2, 0.4]]


def test_human_output_shows_array_parameters():
    run = run_cli("train", "sum((W @ x - t)^2)", "-x", "[1, 2]", "-t", "[0, 1]", "--param", "W=zeros(2, 2)",
                  "--lr", "0.1", "--steps", "2")
    assert run.exit_code == 0, run.stderr
    assert "W (2, 2)" in run.stdout and "final         (2, 2) [[  0,   0]," in run.stdout


def test_an_array_output_cannot_be_trained():
    run = run_cli("train", "W @ x", "-x", "[1, 2]", "--param", "W=zeros(2, 2)", "--steps", "1", "--json")
    assert run.exit_code == 2 and run.json["error"]["kind"] == "shape"


def test_grad_batch_of_an_array_program_over_csv_rows(tmp_path):
    # (grad --batch of an array program was a usage error until issue 11 part 3 built it:
    # tests/test_batch_arrays*.py.) w0·x + w1·y by hand: ∂w = [x, y], ∂x = w0, ∂y = w1.
    (tmp_path / "p.csv").write_text("x,y\n1,0\n2,1\n")
    run = run_cli("grad", "sum(w * [x, y])", "-w", "[1, 2]", "--batch", str(tmp_path / "p.csv"), "--json")
    assert run.exit_code == 0, run.stderr
    assert [json.loads(line)["gradient"] for line in run.stdout.splitlines()] == [
        {"w": [1.0, 0.0], "x": 1.0, "y": 2.0}, {"w": [2.0, 1.0], "x": 1.0, "y": 2.0}]
    ev = run_cli("eval", "sum(w * [x, y])", "-w", "[1, 2]", "--batch", str(tmp_path / "p.csv"))
    assert [json.loads(line)["value"] for line in ev.stdout.splitlines()] == [1.0, 4.0]


def test_a_bad_row_or_bad_initial_array_is_a_math_error(tmp_path):
    (tmp_path / "d.csv").write_text("x,y\n1,0\n-2,1\n3,0\n")
    run = run_cli("train", "sum(log(w * [x, 1]))", "--data", str(tmp_path / "d.csv"),
                  "--param", "w=[1, 1]", "--steps", "3", "--lr", "0.1", "--json")
    assert run.exit_code == 3 and run.json["error"]["kind"] == "math"
    assert "log needs a positive number" in run.json["error"]["message"]
    run = run_cli("train", "sum(log(W @ x))", "-x", "[1, -3]", "--param", "W=[[1, 1], [1, 2]]",
                  "--steps", "3", "--json")
    assert run.exit_code == 3 and "'log(W @ x)' cannot be computed" in run.json["error"]["message"]
