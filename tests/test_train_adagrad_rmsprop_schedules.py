"""Adagrad, RMSprop and learning-rate schedules against PyTorch.

Two oracles: the first steps written out here by hand from PyTorch's
documented formulas (torch.optim.Adagrad, torch.optim.RMSprop, StepLR,
ExponentialLR, CosineAnnealingLR), and real PyTorch run on the same problem.
"""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest
from conftest import assert_clean_error

from gradcli.training.loop import train

# L(w, v) = (w - 3)^2 + 10 (v + 1)^2: ∂L/∂w = 2(w - 3), ∂L/∂v = 20(v + 1).
LOSS = "(w - 3)^2 + 10*(v + 1)^2"
START = {"w": 0.5, "v": 0.25}


def _grad(w, v):
    return [2 * (w - 3), 20 * (v + 1)]


def _path(r):
    return [list(q) for q in r.history.params] + [[r.params["w"], r.params["v"]]]


# ---- by hand, from the documented formulas -------------------------------------------------

@pytest.mark.parametrize("lr, lr_decay", [(None, None), (0.5, None), (0.5, 0.1)])
def test_adagrad_three_steps_by_hand(lr, lr_decay):
    # torch.optim.Adagrad: state_sum_t = state_sum_{t-1} + g_t^2 (from 0);
    # clr = lr / (1 + (t - 1) lr_decay); p_t = p_{t-1} - clr · g_t / (sqrt(state_sum_t) + eps), eps 1e-10.
    rate, decay, eps = 0.01 if lr is None else lr, lr_decay or 0.0, 1e-10
    p, s = [0.5, 0.25], [0.0, 0.0]
    expected = [list(p)]
    for t in range(1, 4):
        g = _grad(*p)
        s = [si + gi * gi for si, gi in zip(s, g)]
        clr = rate / (1 + (t - 1) * decay)
        p = [pi - clr * gi / (math.sqrt(si) + eps) for pi, gi, si in zip(p, g, s)]
        expected.append(p)
    r = train(LOSS, START, lr=lr, steps=3, optimizer="adagrad", lr_decay=lr_decay)
    np.testing.assert_allclose(_path(r), expected, rtol=1e-14)
    assert r.config["lr"] == rate


@pytest.mark.parametrize("lr, alpha, eps", [(None, None, None), (0.1, 0.9, 1e-3)])
def test_rmsprop_three_steps_by_hand(lr, alpha, eps):
    # torch.optim.RMSprop: v_t = α v_{t-1} + (1 - α) g_t^2 (from 0); p_t = p_{t-1} - lr · g_t / (sqrt(v_t) + eps).
    # Defaults: lr 0.01, α 0.99, eps 1e-8.
    rate, a, e = lr or 0.01, alpha or 0.99, eps or 1e-8
    p, v = [0.5, 0.25], [0.0, 0.0]
    expected = [list(p)]
    for _ in range(3):
        g = _grad(*p)
        v = [a * vi + (1 - a) * gi * gi for vi, gi in zip(v, g)]
        p = [pi - rate * gi / (math.sqrt(vi) + e) for pi, gi, vi in zip(p, g, v)]
        expected.append(p)
    r = train(LOSS, START, lr=lr, steps=3, optimizer="rmsprop", alpha=alpha, eps=eps)
    np.testing.assert_allclose(_path(r), expected, rtol=1e-14)


def test_rmsprop_first_step_is_ten_times_lr():
    # v_1 = 0.01 g², so g / sqrt(v_1) = 10 sign(g): the first step moves each parameter by 10 lr.
    r = train(LOSS, START, lr=0.001, steps=1, optimizer="rmsprop")
    assert r.params["w"] == pytest.approx(0.5 + 0.01, rel=1e-9)
    assert r.params["v"] == pytest.approx(0.25 - 0.01, rel=1e-9)


def _sgd_with_rates(rates):
    p = [0.5, 0.25]
    out = [list(p)]
    for lr in rates:
        g = _grad(*p)
        p = [p[0] - lr * g[0], p[1] - lr * g[1]]
        out.append(p)
    return out


def test_step_schedule_by_hand():
    # StepLR(step_size=2, gamma=0.5): lr at last_epoch e is lr0 · 0.5^⌊e/2⌋; step k uses e = k - 1.
    lr0 = 0.02
    rates = [lr0 * 0.5 ** (e // 2) for e in range(5)]   # 0.02, 0.02, 0.01, 0.01, 0.005
    r = train(LOSS, START, lr=lr0, steps=5, schedule="step", step_size=2, gamma=0.5)
    assert r.history.lr == pytest.approx(rates, rel=1e-15)
    np.testing.assert_allclose(_path(r), _sgd_with_rates(rates), rtol=1e-14)
    assert [h["lr"] for h in r.to_json()["history"]] == r.history.lr
    unscheduled = train(LOSS, START, lr=lr0, steps=2).to_json()["history"]
    assert [list(h) for h in unscheduled] == [["step", "loss"]] * 2


def test_step_schedule_default_gamma_is_a_tenth():
    r = train(LOSS, START, lr=0.02, steps=4, schedule="step", step_size=1)
    assert r.history.lr == pytest.approx([0.02, 0.002, 0.0002, 0.00002], rel=1e-14)


def test_exponential_schedule_by_hand():
    # ExponentialLR(gamma): lr0 · γ^e.
    lr0, gamma = 0.03, 0.8
    rates = [lr0 * gamma ** e for e in range(3)]
    r = train(LOSS, START, lr=lr0, steps=3, schedule="exponential", gamma=gamma)
    assert r.history.lr == pytest.approx(rates, rel=1e-15)
    np.testing.assert_allclose(_path(r), _sgd_with_rates(rates), rtol=1e-14)


@pytest.mark.parametrize("t_max, eta_min", [(None, None), (2, 0.001)])
def test_cosine_schedule_by_hand(t_max, eta_min):
    # CosineAnnealingLR: η_e = η_min + (η_0 - η_min)(1 + cos(π e / T_max)) / 2, T_max = --steps by
    # default. Past T_max PyTorch's cosine rises again: with T_max 2, e = 3 gives the value at e = 1.
    lr0, steps = 0.04, 4
    T, lo = t_max or steps, eta_min or 0.0
    rates = [lo + (lr0 - lo) * (1 + math.cos(math.pi * e / T)) / 2 for e in range(steps)]
    r = train(LOSS, START, lr=lr0, steps=steps, schedule="cosine", t_max=t_max, eta_min=eta_min)
    np.testing.assert_allclose(r.history.lr, rates, rtol=1e-13, atol=1e-17)
    np.testing.assert_allclose(_path(r), _sgd_with_rates(rates), rtol=1e-13)


def test_adagrad_with_an_exponential_schedule_by_hand():
    # The schedule sets the group's lr; Adagrad divides it by 1 + (t - 1) lr_decay on top.
    lr0, gamma, decay = 0.5, 0.9, 0.2
    p, s = [0.5, 0.25], [0.0, 0.0]
    expected = [list(p)]
    for t in range(1, 4):
        g = _grad(*p)
        s = [si + gi * gi for si, gi in zip(s, g)]
        clr = lr0 * gamma ** (t - 1) / (1 + (t - 1) * decay)
        p = [pi - clr * gi / (math.sqrt(si) + 1e-10) for pi, gi, si in zip(p, g, s)]
        expected.append(p)
    r = train(LOSS, START, lr=lr0, steps=3, optimizer="adagrad", lr_decay=decay,
              schedule="exponential", gamma=gamma)
    np.testing.assert_allclose(_path(r), expected, rtol=1e-14)


# ---- real PyTorch ----------------------------------------------------------------------------

def _torch_run(make_opt, make_sched, steps, loss_fn):
    torch = pytest.importorskip("torch")
    w = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    v = torch.tensor(0.25, dtype=torch.float64, requires_grad=True)
    opt = make_opt(torch, [w, v])
    sched = make_sched(torch, opt) if make_sched else None
    path, rates = [], []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(w, v)
        loss.backward()
        path.append([w.item(), v.item()])
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        if sched is not None:
            sched.step()
    path.append([w.item(), v.item()])
    return path, rates


OPTIMIZERS = {
    "adagrad": (lambda t, ps: t.optim.Adagrad(ps), {}),
    "adagrad-decay": (lambda t, ps: t.optim.Adagrad(ps, lr=0.3, lr_decay=0.05),
                      {"optimizer": "adagrad", "lr": 0.3, "lr_decay": 0.05}),
    "rmsprop": (lambda t, ps: t.optim.RMSprop(ps), {}),
    "rmsprop-alpha": (lambda t, ps: t.optim.RMSprop(ps, lr=0.05, alpha=0.9, eps=1e-6),
                      {"optimizer": "rmsprop", "lr": 0.05, "alpha": 0.9, "eps": 1e-6}),
}
SCHEDULES = {
    None: (None, {}),
    "step": (lambda t, o: t.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5),
             {"schedule": "step", "step_size": 7, "gamma": 0.5}),
    "exponential": (lambda t, o: t.optim.lr_scheduler.ExponentialLR(o, gamma=0.97),
                    {"schedule": "exponential", "gamma": 0.97}),
    "cosine": (lambda t, o: t.optim.lr_scheduler.CosineAnnealingLR(o, T_max=40),
               {"schedule": "cosine"}),
    "cosine-restart": (lambda t, o: t.optim.lr_scheduler.CosineAnnealingLR(o, T_max=15, eta_min=0.001),
                       {"schedule": "cosine", "t_max": 15, "eta_min": 0.001}),
}


@pytest.mark.parametrize("sched", list(SCHEDULES))
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_against_pytorch_at_one_point(name, sched):
    make_opt, opt_kw = OPTIMIZERS[name]
    make_sched, sched_kw = SCHEDULES[sched]
    steps = 40
    expected, rates = _torch_run(make_opt, make_sched, steps,
                                 lambda w, v: (w - 3) ** 2 + 10 * (v + 1) ** 2)
    kw = {"optimizer": name, **opt_kw, **sched_kw}
    r = train(LOSS, START, steps=steps, **kw)
    if sched is not None:
        assert r.history.lr == rates  # the same floats, from the same operations
    np.testing.assert_allclose(_path(r), expected, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name, sched", [("adagrad", "cosine"), ("rmsprop", "step"),
                                         ("rmsprop", "exponential"), ("adagrad-decay", None)])
def test_against_pytorch_with_data(name, sched):
    # The mean over rows of (w x + v - y)^2, in the compiled plan (--data) and in PyTorch.
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x = rng.uniform(-2, 2, 64)
    y = 1.5 * x - 0.5 + rng.normal(0, 0.3, 64)
    tx, ty = torch.tensor(x), torch.tensor(y)
    make_opt, opt_kw = OPTIMIZERS[name]
    make_sched, sched_kw = SCHEDULES[sched]
    steps = 40  # = the cosine's T_max, its default
    expected, rates = _torch_run(make_opt, make_sched, steps,
                                 lambda w, v: torch.mean((w * tx + v - ty) ** 2))
    kw = {"optimizer": name.split("-")[0], **opt_kw, **sched_kw}
    r = train("(w*x + v - y)^2", START, data={"x": x, "y": y}, steps=steps, **kw)
    if sched is not None:
        assert r.history.lr == rates
    np.testing.assert_allclose(_path(r), expected, rtol=1e-11, atol=1e-13)


# ---- the command line --------------------------------------------------------------------

def test_json_history_has_the_rate_of_each_step(cli):
    r = cli("train", "(w - 3)^2", "--param", "w=0", "--lr", "0.1", "--steps", "3",
            "--schedule", "exponential", "--gamma", "0.5", "--json")
    assert r.exit_code == 0, r.stderr
    assert [h["lr"] for h in r.json["history"]] == [0.1, 0.05, 0.025]
    assert list(r.json["history"][0]) == ["step", "loss", "lr"]
    # w: 0 → 0.6 (g = -6) → 0.6 + 0.05·4.8 = 0.84 → 0.84 + 0.025·4.32 = 0.948
    assert r.json["params"]["w"] == pytest.approx(0.948, rel=1e-14)


def test_history_file_has_an_lr_column(cli, tmp_path):
    csv_path, jsonl_path = tmp_path / "h.csv", tmp_path / "h.jsonl"
    for path in (csv_path, jsonl_path):
        r = cli("train", "(lr - 3)^2", "--param", "lr=0", "--lr", "0.1", "--steps", "4",
                "--schedule", "step", "--step-size", "2", "--history", str(path))
        assert r.exit_code == 0, r.stderr
    rows = list(csv.DictReader(csv_path.open()))
    assert list(rows[0]) == ["step", "loss", "param_lr", "grad_lr", "grad_norm", "lr"]
    assert [float(row["lr"]) for row in rows] == pytest.approx([0.1, 0.1, 0.01, 0.01], rel=1e-15)
    lines = [json.loads(line) for line in jsonl_path.read_text().splitlines()]
    assert [line["lr"] for line in lines] == [float(row["lr"]) for row in rows]


def test_human_summary_names_the_schedule(cli):
    r = cli("train", "(w - 3)^2", "--param", "w=0", "--optimizer", "rmsprop",
            "--schedule", "cosine", "--steps", "20")
    assert r.exit_code == 0, r.stderr
    flat = " ".join(r.stdout.split())
    assert "of rmsprop (lr 0.01, cosine to 0 over 20 steps" in flat
    # The last step (e = 19) uses 0.01 (1 + cos(19π/20)) / 2.
    last = 0.01 * (1 + math.cos(19 * math.pi / 20)) / 2
    assert f"lr {float(f'{last:.6g}'):g}" in flat


def test_default_lr_follows_the_optimizer(cli):
    r = cli("train", "(w - 3)^2", "--param", "w=0", "--optimizer", "adagrad", "--steps", "1", "--json")
    # Adagrad's first step is lr · g / |g| = lr · sign(g), with PyTorch's lr 0.01.
    assert r.json["params"]["w"] == pytest.approx(0.01, rel=1e-9)


@pytest.mark.parametrize("args, fragments", [
    (["--schedule", "cosin"], ["'cosin' is not one of"]),
    (["--schedule", "step"], ["--schedule step needs --step-size"]),
    (["--schedule", "step", "--step-size", "0"], ["--step-size must be 1 or more"]),
    (["--schedule", "step", "--step-size", "2", "--gamma", "0"], ["--gamma must be a finite number more than 0"]),
    (["--schedule", "exponential", "--gamma", "-0.5"], ["--gamma must be a finite number more than 0"]),
    (["--schedule", "exponential", "--gamma", "nan"], ["--gamma must be a finite number"]),
    (["--schedule", "exponential"], ["--schedule exponential needs --gamma"]),
    (["--schedule", "cosine", "--t-max", "0"], ["--t-max must be 1 or more"]),
    (["--schedule", "cosine", "--eta-min", "-1"], ["--eta-min must be a finite number at least 0"]),
    (["--schedule", "cosine", "--lr", "-0.1"], ["--lr must be a finite number at least 0"]),
    (["--schedule", "cosine", "--gamma", "0.5"], ["--gamma applies to --schedule step or exponential, not cosine"]),
    (["--gamma", "0.5"], ["--gamma applies to --schedule step or exponential"]),
    (["--step-size", "3"], ["--step-size applies to --schedule step"]),
    (["--schedule", "exponential", "--gamma", "0.9", "--t-max", "3"], ["--t-max applies to --schedule cosine"]),
    (["--optimizer", "rmsprop", "--alpha", "1"], ["--alpha must be in [0, 1)"]),
    (["--optimizer", "adam", "--alpha", "0.9"], ["--alpha is RMSprop's", "the optimizer is adam"]),
    (["--optimizer", "adagrad", "--lr-decay", "-1"], ["--lr-decay must be a finite number at least 0"]),
    (["--optimizer", "sgd", "--lr-decay", "0.1"], ["--lr-decay is Adagrad's"]),
    (["--optimizer", "rmsprop", "--eps", "-1"], ["--eps must be a finite number at least 0"]),
    (["--optimizer", "adagrd"], ["'adagrd' is not one of"]),
])
def test_bad_values_are_usage_errors(cli, args, fragments):
    base = ["train", "(w - 3)^2", "--param", "w=0", "--steps", "3"]
    assert_clean_error(cli(*base, *args), 2, *fragments)
    r = cli(*base, *args, "--json")
    assert r.exit_code == 2
    assert r.json["error"]["kind"] == "usage"


def test_the_library_refuses_an_unknown_schedule():
    from gradcli.errors import GradUsageError

    with pytest.raises(GradUsageError, match="unknown schedule 'linear'"):
        train("(w - 3)^2", {"w": 0}, schedule="linear")
