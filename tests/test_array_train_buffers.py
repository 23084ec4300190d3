"""Array training in reused buffers (training/array_plan.py): the same parameters as an
independent hand-NumPy step, for every optimizer, over several steps.

Oracles: the two-layer network's step derived by hand in NumPy (CS231n's two_layer_net,
W stored as (out, in)), PyTorch's update rules written out by hand below (not gradcli's
optimizers), PyTorch autograd for the programs whose kernels the plan calls as they are,
and tracemalloc (NumPy reports its data allocations to it) for "a step allocates no
row-sized array". Never gradcli's own output.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from gradcli.data.dataset import Dataset
from gradcli.errors import GradMathError, GradValueError
from gradcli.program.program import Program
from gradcli.training.array_plan_run import BoundArrayPlan
from gradcli.training.engines import ArrayPointEngine, RowsEngine
from gradcli.training.loop import train
from torch_oracle import oracle_torch

ROWS = "h = relu(W1 @ [x1, x2] + b1); s = W2 @ h + b2; cross_entropy(s, y)"
BATCH = "h = relu(X @ transpose(W1) + b1); s = h @ transpose(W2) + b2; cross_entropy(s, y)"
OPTIMIZERS = {"sgd": 0.3, "momentum": 0.1, "adam": 0.02, "adagrad": 0.1, "rmsprop": 0.01}
STEPS = 6


def data(n=300, seed=4, classes=2):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 2))
    y = ((X[:, 0] * X[:, 1] > 0).astype(int) + (X[:, 0] > 1)) % classes
    return X, y.astype(float)


def init(hidden=12, seed=5, classes=2):
    rng = np.random.default_rng(seed)
    return {"W1": 0.7 * rng.standard_normal((hidden, 2)), "b1": 0.1 * rng.standard_normal(hidden),
            "W2": 0.7 * rng.standard_normal((classes, hidden)), "b2": 0.1 * rng.standard_normal(classes)}


def hand_gradients(p, X, y):
    """The loss and its gradients, derived by hand."""
    n = X.shape[0]
    z1 = X @ p["W1"].T + p["b1"]
    h = np.maximum(z1, 0)
    s = h @ p["W2"].T + p["b2"]
    s = s - s.max(axis=1, keepdims=True)
    prob = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    yi = y.astype(int)
    loss = -np.log(prob[np.arange(n), yi]).mean()
    ds = prob.copy()
    ds[np.arange(n), yi] -= 1
    ds /= n
    dh = ds @ p["W2"]
    dz1 = dh * (z1 > 0)
    return loss, {"W1": dz1.T @ X, "b1": dz1.sum(axis=0), "W2": ds.T @ h, "b2": ds.sum(axis=0)}


class HandOptimizer:
    """PyTorch's update rules (torch.optim, defaults otherwise), one dict of arrays at a time."""

    def __init__(self, name, lr):
        self.name, self.lr, self.t, self.state = name, lr, 0, {}

    def step(self, p, g):
        self.t += 1
        lr, t, out = self.lr, self.t, {}
        for k in p:
            st = self.state.setdefault(k, {})
            if self.name == "sgd":
                out[k] = p[k] - lr * g[k]
            elif self.name == "momentum":
                st["b"] = g[k].copy() if t == 1 else 0.9 * st["b"] + g[k]
                out[k] = p[k] - lr * st["b"]
            elif self.name == "adam":
                st["m"] = 0.9 * st.get("m", 0) + 0.1 * g[k]
                st["v"] = 0.999 * st.get("v", 0) + 0.001 * g[k] ** 2
                denom = np.sqrt(st["v"]) / np.sqrt(1 - 0.999 ** t) + 1e-8
                out[k] = p[k] - lr / (1 - 0.9 ** t) * st["m"] / denom
            elif self.name == "adagrad":
                st["s"] = st.get("s", 0) + g[k] ** 2
                out[k] = p[k] - lr * g[k] / (np.sqrt(st["s"]) + 1e-10)
            else:  # rmsprop
                st["s"] = 0.99 * st.get("s", 0) + 0.01 * g[k] ** 2
                out[k] = p[k] - lr * g[k] / (np.sqrt(st["s"]) + 1e-8)
        return out


def hand_training(p, X, y, optimizer, lr, steps, batches=None):
    opt = HandOptimizer(optimizer, lr)
    losses = []
    for step in range(steps):
        rows = slice(None) if batches is None else batches[step]
        loss, g = hand_gradients(p, X[rows], y[rows])
        losses.append(loss)
        p = opt.step(p, g)
    return p, losses


def assert_same(got, want, tol=1e-12):
    for k in want:
        assert np.shape(got[k]) == np.shape(want[k]), k
        np.testing.assert_allclose(got[k], want[k], rtol=tol, atol=tol, err_msg=k)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_batch_program_in_buffers_matches_hand_numpy(optimizer):
    X, y = data()
    p = init()
    r = train(BATCH, p, {"X": X, "y": y}, lr=OPTIMIZERS[optimizer], steps=STEPS, optimizer=optimizer)
    want, losses = hand_training(p, X, y, optimizer, OPTIMIZERS[optimizer], STEPS)
    assert_same(r.params, want)
    np.testing.assert_allclose(r.history.loss, losses, rtol=1e-12)
    # every step's gradient is its own array: the plan's buffers are not what history keeps
    _, g1 = hand_gradients(p, X, y)
    np.testing.assert_allclose(r.history.grads[0][0], g1["W1"], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_per_row_program_in_buffers_matches_hand_numpy(optimizer):
    X, y = data()
    p = init()
    ds = Dataset.from_columns({"x1": X[:, 0], "x2": X[:, 1], "y": y})
    r = train(ROWS, p, None, ds, lr=OPTIMIZERS[optimizer], steps=STEPS, optimizer=optimizer)
    engine = RowsEngine(Program(ROWS).graph, list(p), {}, p, ds)
    engine.evaluate(list(p.values()))
    assert isinstance(engine._plans[300], BoundArrayPlan)
    want, losses = hand_training(p, X, y, optimizer, OPTIMIZERS[optimizer], STEPS)
    assert_same(r.params, want)
    np.testing.assert_allclose(r.history.loss, losses, rtol=1e-12)


def test_three_classes_and_mini_batches_with_a_short_last_batch():
    X, y = data(n=103, classes=3)
    p = init(hidden=7, classes=3)
    ds = Dataset.from_columns({"x1": X[:, 0], "x2": X[:, 1], "y": y})
    steps, size = 8, 25        # 103 rows: batches of 25, 25, 25, 25 and 3, then a new epoch
    r = train(ROWS, p, None, ds, lr=0.2, steps=steps, batch_size=size, seed=11)
    rng, batches = np.random.default_rng(11), []
    while len(batches) < steps:
        order = rng.permutation(103)
        batches += [order[i:i + size] for i in range(0, 103, size)]
    want, losses = hand_training(p, X, y, "sgd", 0.2, steps, batches)
    assert_same(r.params, want)
    np.testing.assert_allclose(r.history.loss, losses, rtol=1e-12)


def test_a_scalar_parameter_broadcast_over_a_vector_and_the_rows():
    # c: one number added to every hidden unit of every row; v: a shared vector
    rng = np.random.default_rng(2)
    x1, x2, t = rng.standard_normal((3, 60))
    W, c, v = 0.5 * rng.standard_normal((4, 2)), 0.3, 0.5 * rng.standard_normal(4)
    ds = Dataset.from_columns({"x1": x1, "x2": x2, "t": t})
    r = train("(v @ tanh(W @ [x1, x2] + c) - t)^2", {"W": W, "c": c, "v": v}, None, ds, lr=0.1, steps=3)
    X = np.stack([x1, x2], axis=1)
    for _ in range(3):
        a = np.tanh(X @ W.T + c)
        resid = a @ v - t
        da = (2 * resid / 60)[:, None] * v * (1 - a ** 2)
        W, c, v = W - 0.1 * da.T @ X, c - 0.1 * da.sum(), v - 0.1 * (2 * resid / 60) @ a
    np.testing.assert_allclose(r.params["W"], W, rtol=1e-12, atol=1e-14)
    assert r.params["c"] == pytest.approx(c, rel=1e-12)
    np.testing.assert_allclose(r.params["v"], v, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("text", [
    "mean((sigmoid(X @ w + b) - t)^2) + 0.1 * sum(w^2)",
    "sum(log_softmax(X @ transpose(M))[0]) - mean(softmax(X @ transpose(M)), 0)[1] + logsumexp(X @ w)",
    "mean(sum(tanh(X * w), 1) / (1 + exp(-b))) + sum(transpose(M) @ M) / 7",
])
def test_programs_whose_kernels_are_called_as_they_are_match_torch(text):
    torch = oracle_torch()
    rng = np.random.default_rng(9)
    X, t = rng.standard_normal((6, 3)), rng.standard_normal(6)
    p = {"w": 0.4 * rng.standard_normal(3), "b": 0.2, "M": 0.3 * rng.standard_normal((2, 3))}
    used = {k: v for k, v in p.items() if k in Program(text).inputs}
    bound = {k: v for k, v in {"X": X, "t": t}.items() if k in Program(text).inputs}
    r = train(text, used, bound, lr=0.05, steps=3)
    engine = ArrayPointEngine(Program(text).graph, list(used), bound, used)
    engine.evaluate(list(used.values()))
    assert isinstance(engine._plan, BoundArrayPlan)       # the plan ran, not the careful passes
    tp = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in used.items()}
    Xt, tt = torch.tensor(X), torch.tensor(t)
    env = {"X": Xt, "t": tt, **tp}
    for _ in range(3):
        w, b, M = env.get("w"), env.get("b"), env.get("M")
        if text.startswith("mean((sigmoid"):
            loss = ((torch.sigmoid(Xt @ w + b) - tt) ** 2).mean() + 0.1 * (w ** 2).sum()
        elif text.startswith("sum(log_softmax"):
            s = Xt @ M.T
            loss = (torch.log_softmax(s, -1)[0].sum() - torch.softmax(s, -1).mean(0)[1]
                    + torch.logsumexp(Xt @ w, -1))
        else:
            loss = (torch.tanh(Xt * w).sum(1) / (1 + torch.exp(-b))).mean() + (M.T @ M).sum() / 7
        grads = torch.autograd.grad(loss, list(tp.values()))
        with torch.no_grad():
            for (k, v), g in zip(tp.items(), grads):
                env[k] = tp[k] = (v - 0.05 * g).requires_grad_(True)
    for k, v in tp.items():
        np.testing.assert_allclose(r.params[k], v.detach().numpy(), rtol=1e-11, atol=1e-13)


def test_the_step_runs_in_its_buffers_and_allocates_no_row_sized_array():
    X, y = data(n=4000)
    p = init(hidden=32)
    theta = list(p.values())
    point = ArrayPointEngine(Program(BATCH).graph, list(p), {"X": X, "y": y}, p)
    rows = RowsEngine(Program(ROWS).graph, list(p), {}, p,
                      Dataset.from_columns({"x1": X[:, 0], "x2": X[:, 1], "y": y}))
    one_buffer = 4000 * 32 * 8
    for engine, plan in ((point, lambda: point._plan), (rows, lambda: rows._plans[4000])):
        engine.evaluate(theta)
        assert isinstance(plan(), BoundArrayPlan)
        engine.evaluate(theta)              # warm
        tracemalloc.start()
        engine.evaluate(theta)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < one_buffer / 4, peak  # without buffers a step allocates several of them


def test_a_value_that_is_not_finite_is_still_named_by_the_careful_passes():
    X = np.array([[1.0, 2.0], [3.0, -40.0]])
    with pytest.raises(GradMathError, match=r"log.*cannot be computed"):
        train("mean(log(X @ w))", {"w": np.array([1.0, 1.0])}, {"X": X}, lr=0.1, steps=2)
    x1 = np.array([1.0, 2.0, -9.0])
    with pytest.raises(GradMathError, match=r"log.*cannot be computed at row 3|log.*cannot be computed"):
        train("sum(log(w * [x1, 1]))", {"w": np.array([1.0, 1.0])}, None,
              Dataset.from_columns({"x1": x1}), lr=0.1, steps=2)


def test_class_indices_out_of_range_in_a_later_batch_are_an_error():
    X, y = data(n=40)
    y[-1] = 2.0                            # two classes: 2 is out of range
    ds = Dataset.from_columns({"x1": X[:, 0], "x2": X[:, 1], "y": y})
    with pytest.raises(GradValueError, match="class indices"):
        train(ROWS, init(hidden=3), None, ds, lr=0.1, steps=4, batch_size=10, seed=1)
