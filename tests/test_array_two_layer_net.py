"""The CS231n two-layer network (affine – relu – affine – softmax cross-entropy, with L2
regularisation): the loss and all four gradients against a NumPy implementation
derived by hand here, as the assignment's TwoLayerNet.loss does it."""

from __future__ import annotations

import numpy as np
import pytest

import gradcli

NET = """
# CS231n assignment 1: two-layer net
z1 = X @ W1 + b1
h = relu(z1)
scores = h @ W2 + b2
L = cross_entropy(scores, y) + 0.5 * reg * (sum(W1 * W1) + sum(W2 * W2))
"""


def two_layer_by_hand(X, y, W1, b1, W2, b2, reg):
    """Forward and backward written out: softmax loss, its gradient, and back through relu."""
    N = X.shape[0]
    z1 = X.dot(W1) + b1
    h = np.maximum(0, z1)
    scores = h.dot(W2) + b2
    shifted = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(N), y]).mean() + 0.5 * reg * ((W1 ** 2).sum() + (W2 ** 2).sum())
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N
    dW2 = h.T.dot(dscores) + reg * W2
    db2 = dscores.sum(axis=0)
    dh = dscores.dot(W2.T)
    dz1 = dh * (z1 > 0)
    dW1 = X.T.dot(dz1) + reg * W1
    db1 = dz1.sum(axis=0)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2, "X": dz1.dot(W1.T)}


def rel_error(x, y):
    """CS231n's relative error."""
    return np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)))


@pytest.mark.parametrize("N,D,H,C,seed", [(5, 4, 10, 3, 0), (20, 7, 16, 5, 1), (1, 3, 4, 2, 2)])
def test_two_layer_net_loss_and_gradients_match_the_hand_derivation(N, D, H, C, seed):
    rng = np.random.default_rng(seed)
    values = {"X": rng.normal(size=(N, D)), "W1": 0.5 * rng.normal(size=(D, H)),
              "b1": 0.1 * rng.normal(size=H), "W2": 0.5 * rng.normal(size=(H, C)),
              "b2": 0.1 * rng.normal(size=C), "y": rng.integers(0, C, size=N).astype(float),
              "reg": 0.05}
    loss, grads = two_layer_by_hand(values["X"], values["y"].astype(int), values["W1"],
                                    values["b1"], values["W2"], values["b2"], values["reg"])
    r = gradcli.grad(NET, values)
    assert r.value == pytest.approx(loss, rel=1e-12)
    assert "y" not in r.gradient            # class indices have no gradient
    for name, expected in grads.items():
        assert np.shape(r.gradient[name]) == expected.shape
        assert rel_error(r.gradient[name], expected) < 1e-9, name


def test_two_layer_net_through_the_command_line(tmp_path):
    """grad --json: gradients as nested lists of the parameters' shapes."""
    import json

    from click.testing import CliRunner

    from gradcli.cli import main

    rng = np.random.default_rng(3)
    X, W1, b1 = rng.normal(size=(4, 3)), rng.normal(size=(3, 5)), rng.normal(size=5)
    W2, b2, y = rng.normal(size=(5, 2)), rng.normal(size=2), np.array([0, 1, 1, 0])
    lit = lambda a: json.dumps(a.tolist())  # noqa: E731
    run = CliRunner().invoke(main, ["grad", NET, "-X", lit(X), "-W1", lit(W1), "-b1", lit(b1),
                                    "-W2", lit(W2), "-b2", lit(b2), "-y", lit(y), "--reg", "0",
                                    "--json"])
    assert run.exit_code == 0, run.output
    out = json.loads(run.stdout)
    loss, grads = two_layer_by_hand(X, y, W1, b1, W2, b2, 0.0)
    assert out["value"] == pytest.approx(loss, rel=1e-12)
    assert sorted(out["gradient"]) == ["W1", "W2", "X", "b1", "b2", "reg"]
    for name in ("W1", "b1", "W2", "b2", "X"):
        assert rel_error(np.array(out["gradient"][name]), grads[name]) < 1e-9
