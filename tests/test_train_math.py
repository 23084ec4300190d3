"""Training against independent answers: closed forms, least squares, optimizer formulas by hand.

Every expected number comes from a formula written out in the test (or
NumPy's least squares), never from gradcli itself.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradcli.training.loop import train


def test_seed_step():
    r = train("(x*w - target)^2", {"w": 3}, {"x": 2, "target": 2}, lr=0.1, steps=1)
    assert r.history.loss == [16.0]
    assert r.history.grads == [(16.0,)]
    assert r.params["w"] == pytest.approx(1.4, rel=1e-15)


def test_w_minus_3_squared_closed_form():
    # w_k = 3(1 - 0.8^k): 0.6, 1.08, 1.464, ...
    r = train("(w - 3)^2", {"w": 0}, lr=0.1, steps=10)
    ws = [p[0] for p in r.history.params] + [r.params["w"]]
    assert ws[:4] == pytest.approx([0, 0.6, 1.08, 1.464], rel=1e-15)
    for k, w in enumerate(ws):
        assert w == pytest.approx(3 * (1 - 0.8 ** k), rel=1e-14, abs=1e-15)


def _regression_data(n=500, seed=7):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, n)
    y = 1.7 * x - 0.4 + rng.normal(0, 0.5, n)
    return x, y


def test_linear_regression_reaches_least_squares():
    x, y = _regression_data()
    (w_star, b_star), *_ = np.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y, rcond=None)
    r = train("(w*x + b - y)^2", {"w": 0, "b": 0}, data={"x": x, "y": y}, lr=0.2, steps=2000)
    assert r.params["w"] == pytest.approx(w_star, rel=1e-9)
    assert r.params["b"] == pytest.approx(b_star, rel=1e-9)
    assert r.loss == pytest.approx(np.mean((w_star * x + b_star - y) ** 2), rel=1e-9)


def test_linear_regression_from_a_csv_file(cli, tmp_path):
    x, y = _regression_data(200, seed=3)
    path = tmp_path / "points.csv"
    rows = "".join(f"{float(a)!r},{float(b)!r},row{i}\n" for i, (a, b) in enumerate(zip(x, y)))
    path.write_text("x,y,note\n" + rows)
    (w_star, b_star), *_ = np.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y, rcond=None)
    r = cli("train", "(w*x + b - y)^2", "--data", str(path), "--param", "w=0", "--param", "b=0",
            "--lr", "0.2", "--epochs", "2000", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json["params"]["w"] == pytest.approx(w_star, rel=1e-9)
    assert r.json["params"]["b"] == pytest.approx(b_star, rel=1e-9)
    assert r.json["steps"] == 2000


def test_first_gradient_is_the_mean_over_rows():
    x, y = _regression_data(50)
    r = train("(w*x + b - y)^2", {"w": 0.5, "b": -1}, data={"x": x, "y": y}, lr=0.1, steps=1)
    res = 0.5 * x - 1 - y
    assert r.history.loss[0] == pytest.approx(np.mean(res ** 2), rel=1e-13)
    assert r.history.grads[0][0] == pytest.approx(np.mean(2 * res * x), rel=1e-12)
    assert r.history.grads[0][1] == pytest.approx(np.mean(2 * res), rel=1e-12)


# L(w, v) = (w - 3)^2 + 10 (v + 1)^2: ∂L/∂w = 2(w - 3), ∂L/∂v = 20(v + 1).
LOSS = "(w - 3)^2 + 10*(v + 1)^2"


def _grad(w, v):
    return [2 * (w - 3), 20 * (v + 1)]


def test_sgd_three_steps_by_hand():
    lr, p = 0.01, [0.5, 0.25]
    expected = [list(p)]
    for _ in range(3):
        g = _grad(*p)
        p = [p[0] - lr * g[0], p[1] - lr * g[1]]
        expected.append(p)
    r = train(LOSS, {"w": 0.5, "v": 0.25}, lr=lr, steps=3, optimizer="sgd")
    got = [list(q) for q in r.history.params] + [[r.params["w"], r.params["v"]]]
    np.testing.assert_allclose(got, expected, rtol=1e-14)


def test_momentum_three_steps_by_hand():
    # PyTorch's SGD with momentum μ: b_1 = g_1, b_t = μ b_{t-1} + g_t; p -= lr b_t.
    lr, mu, p = 0.01, 0.9, [0.5, 0.25]
    b = None
    expected = [list(p)]
    for _ in range(3):
        g = _grad(*p)
        b = g if b is None else [mu * b[0] + g[0], mu * b[1] + g[1]]
        p = [p[0] - lr * b[0], p[1] - lr * b[1]]
        expected.append(p)
    r = train(LOSS, {"w": 0.5, "v": 0.25}, lr=lr, steps=3, optimizer="momentum")
    got = [list(q) for q in r.history.params] + [[r.params["w"], r.params["v"]]]
    np.testing.assert_allclose(got, expected, rtol=1e-14)


@pytest.mark.parametrize("betas, eps", [((0.9, 0.999), 1e-8), ((0.5, 0.9), 0.1)])
def test_adam_three_steps_by_hand(betas, eps):
    # Kingma & Ba with PyTorch's defaults: m_t = β1 m + (1-β1) g, v_t = β2 v + (1-β2) g²,
    # p -= lr · (m_t / (1 - β1^t)) / (sqrt(v_t / (1 - β2^t)) + ε).
    lr, (b1, b2), p = 0.1, betas, [0.5, 0.25]
    m, v = [0.0, 0.0], [0.0, 0.0]
    expected = [list(p)]
    for t in range(1, 4):
        g = _grad(*p)
        m = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, g)]
        v = [b2 * vi + (1 - b2) * gi * gi for vi, gi in zip(v, g)]
        p = [pi - lr * (mi / (1 - b1 ** t)) / (math.sqrt(vi / (1 - b2 ** t)) + eps)
             for pi, mi, vi in zip(p, m, v)]
        expected.append(p)
    r = train(LOSS, {"w": 0.5, "v": 0.25}, lr=lr, steps=3, optimizer="adam", betas=betas, eps=eps)
    got = [list(q) for q in r.history.params] + [[r.params["w"], r.params["v"]]]
    np.testing.assert_allclose(got, expected, rtol=1e-13)


def test_adam_first_step_moves_each_parameter_by_lr():
    # With bias correction, Adam's first step is lr · g/(|g| + ε/...) ≈ lr · sign(g).
    r = train(LOSS, {"w": 0.5, "v": 0.25}, lr=0.01, steps=1, optimizer="adam")
    assert r.params["w"] == pytest.approx(0.5 + 0.01, rel=1e-9)
    assert r.params["v"] == pytest.approx(0.25 - 0.01, rel=1e-9)


def test_clipping_by_the_global_norm():
    # At w = 0, v = 0: g = (-6, 20), |g| = sqrt(436). clip_grad_norm_(max 2): g · 2/(|g| + 1e-6).
    r = train(LOSS, {"w": 0, "v": 0}, lr=0.1, steps=1, clip=2.0)
    norm = math.sqrt(6 ** 2 + 20 ** 2)
    assert r.history.norm[0] == pytest.approx(norm, rel=1e-15)
    coef = 2.0 / (norm + 1e-6)
    assert r.params["w"] == pytest.approx(0 - 0.1 * (-6 * coef), rel=1e-14)
    assert r.params["v"] == pytest.approx(0 - 0.1 * (20 * coef), rel=1e-14)
    assert r.history.grads[0] == pytest.approx((-6, 20))  # the history keeps the gradient before clipping


def test_clipping_leaves_small_gradients_alone():
    # |g| = 2·0.1 at w = 2.9 is below the clip of 1: the factor is min(1, 1/(0.2 + 1e-6)) = 1.
    r = train("(w - 3)^2", {"w": 2.9}, lr=0.5, steps=1, clip=1.0)
    assert r.params["w"] == pytest.approx(2.9 - 0.5 * 2 * (2.9 - 3), rel=1e-15)


def test_tol_stops_when_the_loss_changes_little():
    # Losses before each step: 9·0.64^k. Stop at the first k with 9·0.64^(k-1)·0.36 < 1e-3.
    r = train("(w - 3)^2", {"w": 0}, lr=0.1, steps=1000, tol=1e-3)
    k = next(k for k in range(1, 100) if 9 * 0.64 ** (k - 1) * 0.36 < 1e-3)
    assert r.stopped == "tol"
    assert r.steps == k  # the step that saw the small change made no update
    assert r.params["w"] == pytest.approx(3 * (1 - 0.8 ** k), rel=1e-13)
    assert r.loss == pytest.approx(9 * 0.64 ** k, rel=1e-12)


def test_epochs_and_batches():
    x = np.arange(10.0)
    r = train("(w*x - 2*x)^2", {"w": 0}, data={"x": x}, lr=0.001, epochs=3, batch_size=4, seed=0)
    assert r.steps == 3 * 3  # ⌈10 / 4⌉ steps per epoch
    # Each epoch visits every row once: its batches are a permutation of the rows.
    r2 = train("(w*x - 2*x)^2", {"w": 0}, data={"x": x}, lr=0.001, epochs=3, batch_size=4, seed=0)
    assert r2.params == r.params and r2.history.loss == r.history.loss
    r3 = train("(w*x - 2*x)^2", {"w": 0}, data={"x": x}, lr=0.001, epochs=3, batch_size=4, seed=1)
    assert r3.history.loss != r.history.loss


def test_minibatch_losses_are_means_of_their_batches():
    # Batch size 1 with a seed: each step's loss is (w x_i - 2 x_i)^2 for one row i, and over an
    # epoch every row appears once. With lr 0 the parameters stay put.
    x = np.array([1.0, 2.0, 3.0, 4.0])
    r = train("(w*x - 2*x)^2", {"w": 0}, data={"x": x}, lr=0.0, epochs=1, batch_size=1, seed=5)
    assert sorted(r.history.loss) == pytest.approx(sorted(4 * x ** 2))
    assert r.loss == pytest.approx(np.mean(4 * x ** 2))


def test_bound_values_and_columns_together():
    # mean over rows of (w x - t)^2 with t bound to 1: gradient 2·mean(x (w x - 1)).
    x = np.array([1.0, 2.0, 4.0])
    r = train("(w*x - t)^2", {"w": 0.25}, {"t": 1}, data={"x": x}, lr=0.1, steps=1)
    g = np.mean(2 * x * (0.25 * x - 1))
    assert r.history.grads[0][0] == pytest.approx(g, rel=1e-14)
    assert r.params["w"] == pytest.approx(0.25 - 0.1 * g, rel=1e-14)


def test_a_loss_that_does_not_use_the_data_is_its_own_mean():
    r = train("(w - 3)^2", {"w": 0}, data={"x": [1.0, 2.0]}, lr=0.1, steps=2)
    assert r.params["w"] == pytest.approx(1.08, rel=1e-14)


def test_logistic_regression_gradient_is_p_minus_y():
    # The hand-derived gradient of the mean cross-entropy: mean((σ(z) - y) x).
    rng = np.random.default_rng(11)
    x1, x2 = rng.normal(size=300), rng.normal(size=300)
    y = (x1 - x2 + rng.normal(size=300) > 0).astype(float)
    text = "p = sigmoid(w1*x1 + w2*x2 + b); -(y*log(p) + (1-y)*log(1-p))"
    r = train(text, {"w1": 0.3, "w2": -0.2, "b": 0.1}, data={"x1": x1, "x2": x2, "y": y}, steps=1)
    p = 1 / (1 + np.exp(-(0.3 * x1 - 0.2 * x2 + 0.1)))
    assert r.history.loss[0] == pytest.approx(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)), rel=1e-12)
    np.testing.assert_allclose(r.history.grads[0],
                               [np.mean((p - y) * x1), np.mean((p - y) * x2), np.mean(p - y)], rtol=1e-11)


def test_api_checks_the_columns():
    from gradcli.errors import GradValueError

    with pytest.raises(GradValueError, match="no column 'y'"):
        train("(w*x - y)^2", {"w": 0}, data={"x": [1.0, 2.0]})
