"""The array examples (issue 11, item 5): examples/two_layer.gc and examples/rnn.gc.

Oracles, never gradcli: CS231n's published toy loss (1.30378789133), the two-layer
network's four gradients derived by hand in NumPy (CS231n's backward pass), PyTorch
autograd, and for the recurrent cell a hand-written backprop through time in NumPy.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

import numpy as np
import pytest

from conftest import run_cli
from torch_oracle import oracle_torch

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def rel_error(a, b):
    """CS231n's relative error, elementwise maximum."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def npz(name):
    with np.load(EXAMPLES / name) as f:
        return {k: f[k] for k in f.files}


# -- the two-layer network ----------------------------------------------------------------

def two_layer_by_hand(X, y, W1, b1, W2, b2, reg):
    """CS231n's TwoLayerNet.loss, forward and backward written out."""
    n = X.shape[0]
    z1 = X @ W1 + b1
    h = np.maximum(0, z1)
    s = h @ W2 + b2
    s = s - s.max(axis=1, keepdims=True)
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    yi = y.astype(int)
    loss = -np.log(p[np.arange(n), yi]).mean() + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    ds = p.copy()
    ds[np.arange(n), yi] -= 1
    ds /= n
    grads = {"W2": h.T @ ds + 2 * reg * W2, "b2": ds.sum(axis=0)}
    dz1 = (ds @ W2.T) * (z1 > 0)
    grads["W1"] = X.T @ dz1 + 2 * reg * W1
    grads["b1"] = dz1.sum(axis=0)
    grads["reg"] = np.sum(W1 * W1) + np.sum(W2 * W2)
    return loss, grads


def test_two_layer_inputs_are_cs231n_toy_model():
    d = npz("two_layer.npz")
    assert d["X"].shape == (5, 4) and d["W1"].shape == (4, 10) and d["W2"].shape == (10, 3)
    loss, _ = two_layer_by_hand(**d)
    assert abs(loss - 1.30378789133) < 1e-10   # the notebook's number


def test_two_layer_loss_and_gradients_against_hand_numpy_and_torch():
    torch = oracle_torch()

    d = npz("two_layer.npz")
    run = run_cli("grad", f"@{EXAMPLES / 'two_layer.gc'}", "--inputs", str(EXAMPLES / "two_layer.npz"),
                  "--json")
    assert run.exit_code == 0, run.stderr
    out = run.json
    loss, grads = two_layer_by_hand(**d)
    assert abs(out["value"] - 1.30378789133) < 1e-10
    assert set(out["gradient"]) == {"X", "W1", "b1", "W2", "b2", "reg"}   # y: class indices only
    for name, g in grads.items():
        assert np.shape(out["gradient"][name]) == np.shape(d[name])
        assert rel_error(out["gradient"][name], g) < 1e-9, name
    t = {k: torch.tensor(v, requires_grad=k != "y") for k, v in d.items()}
    h = torch.relu(t["X"] @ t["W1"] + t["b1"])
    L = torch.nn.functional.cross_entropy(h @ t["W2"] + t["b2"], t["y"].long()) \
        + t["reg"] * ((t["W1"] ** 2).sum() + (t["W2"] ** 2).sum())
    L.backward()
    for name in ("X", "W1", "b1", "W2", "b2", "reg"):
        assert rel_error(out["gradient"][name], t[name].grad.numpy()) < 1e-9, name


def test_readme_jq_line():
    run = run_cli("grad", f"@{EXAMPLES / 'two_layer.gc'}", "--inputs", str(EXAMPLES / "two_layer.npz"),
                  "--json")
    assert len(run.json["gradient"]["W1"]) == 4   # `jq '.gradient.W1 | length'`


# -- backprop through time ----------------------------------------------------------------

def bptt_by_hand(W, U, b, h0, x1, x2, x3, x4, target):
    """The unrolled cell's forward pass, then backprop through time: ∂W summed over steps."""
    xs, hs = [x1, x2, x3, x4], [h0]
    for x in xs:
        hs.append(np.tanh(W @ hs[-1] + U @ x + b))
    loss = 0.5 * np.sum((hs[-1] - target) ** 2)
    dW, dU, db = np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    dh = hs[-1] - target
    per_step = []
    for t in range(4, 0, -1):
        dz = dh * (1 - hs[t] ** 2)
        per_step.append(np.outer(dz, hs[t - 1]))
        dW += per_step[-1]
        dU += np.outer(dz, xs[t - 1])
        db += dz
        dh = W.T @ dz
    return loss, {"W": dW, "U": dU, "b": db, "h0": dh}, per_step


def test_rnn_gradient_is_the_sum_over_time_steps():
    d = npz("rnn.npz")
    run = run_cli("grad", f"@{EXAMPLES / 'rnn.gc'}", "--inputs", str(EXAMPLES / "rnn.npz"), "--json")
    assert run.exit_code == 0, run.stderr
    loss, grads, per_step = bptt_by_hand(**d)
    assert abs(run.json["value"] - loss) < 1e-12
    for name, g in grads.items():
        assert rel_error(run.json["gradient"][name], g) < 1e-9, name
    # shared weights: no single step's contribution is the gradient, their sum is
    assert all(rel_error(step, grads["W"]) > 1e-3 for step in per_step)
    np.testing.assert_allclose(sum(per_step), run.json["gradient"]["W"], rtol=1e-10, atol=1e-14)


def test_rnn_against_torch():
    torch = oracle_torch()

    d = {k: torch.tensor(v, requires_grad=True) for k, v in npz("rnn.npz").items()}
    h = d["h0"]
    for t in range(1, 5):
        h = torch.tanh(d["W"] @ h + d["U"] @ d[f"x{t}"] + d["b"])
    (0.5 * ((h - d["target"]) ** 2).sum()).backward()
    run = run_cli("grad", f"@{EXAMPLES / 'rnn.gc'}", "--inputs", str(EXAMPLES / "rnn.npz"), "--json")
    for name in ("W", "U", "b", "h0", "x1", "x4", "target"):
        assert rel_error(run.json["gradient"][name], d[name].grad.numpy()) < 1e-9, name


def test_example_inputs_are_reproducible(tmp_path):
    # the committed files are what the committed script makes
    script = EXAMPLES / "make_array_examples.py"
    code = (f"import runpy, pathlib; m = runpy.run_path({str(script)!r}); "
            "import numpy as np\n"
            "for name, make in (('two_layer.npz', m['two_layer']), ('rnn.npz', m['rnn'])):\n"
            f"    d = np.load(pathlib.Path({str(EXAMPLES)!r}) / name)\n"
            "    new = make()\n"
            "    assert set(d.files) == set(new), name\n"
            "    for k in new: assert np.array_equal(d[k], new[k]), (name, k)\n")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("name", ["two_layer.gc", "rnn.gc"])
def test_examples_trace_with_shapes(name):
    inputs = name.replace(".gc", ".npz")
    run = run_cli("trace", f"@{EXAMPLES / name}", "--inputs", str(EXAMPLES / inputs), "--json")
    assert run.exit_code == 0, run.stderr
    for node in run.json["nodes"]:
        assert list(np.shape(node["value"])) == node["shape"]
