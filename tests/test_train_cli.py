"""`gradcli train` through the command line: SPEC §3's seed example, --json, --history, errors.

Expected numbers are derived by hand in each test (or by plain-float
simulations written here), never copied from gradcli's output.
"""

from __future__ import annotations

import csv
import json
import math

import pytest
from conftest import assert_clean_error

SEED = ("train", "(x*w - target)^2", "-x", "2", "--target", "2", "--param", "w=3",
        "--lr", "0.1", "--steps", "1")


def test_seed_example_json(cli):
    r = cli(*SEED, "--json")
    assert r.exit_code == 0, r.stderr
    j = r.json
    # L = (2w - 2)^2 at w = 3 is 16; dL/dw = 2(2w - 2)·2 = 16; w = 3 - 0.1·16 = 1.4.
    assert list(j) == ["expression", "params", "loss", "steps", "history"]
    assert j["expression"] == "(x*w - target)^2"
    assert j["params"]["w"] == pytest.approx(1.4, rel=1e-15)
    assert j["steps"] == 1
    assert j["history"] == [{"step": 1, "loss": 16.0}]
    # The loss at the returned w = 1.4: (2.8 - 2)^2 = 0.64.
    assert j["loss"] == pytest.approx(0.64, rel=1e-12)
    assert r.stdout.endswith("\n") and r.stdout.count("\n") == 1
    assert r.stderr == ""  # no terminal: no progress bar


def test_seed_example_human(cli):
    r = cli(*SEED)
    assert r.exit_code == 0, r.stderr
    assert "w" in r.stdout and "1.4" in r.stdout and "16" in r.stdout
    assert "initial" in r.stdout and "final" in r.stdout and "last gradient" in r.stdout
    assert "\x1b[" not in r.stdout  # no colour codes in a pipe


def test_human_summary_has_a_loss_curve(cli):
    r = cli("train", "(w - 3)^2", "--param", "w=0", "--lr", "0.1", "--steps", "30")
    assert r.exit_code == 0, r.stderr
    assert "┤" in r.stdout and "step 0" in r.stdout and "30" in r.stdout
    # The loss starts at 9 = (0 - 3)^2.
    assert "9" in r.stdout.splitlines()[3]


def test_json_history_is_the_sequence_of_w_minus_3_squared(cli):
    # L = (w - 3)^2 from w = 0 with lr 0.1: w_k = 3(1 - 0.8^k), L before step k+1 = (w_k - 3)^2 = 9·0.64^k.
    r = cli("train", "(w - 3)^2", "--param", "w=0", "--lr", "0.1", "--steps", "20", "--json")
    j = r.json
    assert j["params"]["w"] == pytest.approx(3 * (1 - 0.8 ** 20), rel=1e-13)
    assert [h["step"] for h in j["history"]] == list(range(1, 21))
    for k, h in enumerate(j["history"]):
        assert h["loss"] == pytest.approx(9 * 0.64 ** k, rel=1e-12)
    assert j["loss"] == pytest.approx(9 * 0.64 ** 20, rel=1e-12)


@pytest.mark.parametrize("ext", ["csv", "jsonl"])
def test_history_file(cli, tmp_path, ext):
    path = tmp_path / f"run.{ext}"
    r = cli("train", "(w - 3)^2 + (v + 1)^2", "--param", "w=0", "--param", "v=0", "--lr", "0.1",
            "--steps", "3", "--history", str(path), "--json")
    assert r.exit_code == 0, r.stderr
    if ext == "csv":
        with open(path, newline="") as f:
            rows = [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]
    else:
        rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert list(rows[0]) == ["step", "loss", "w", "v", "grad_w", "grad_v", "grad_norm"]
    # w_k = 3(1 - 0.8^k), v_k = -(1 - 0.8^k); gradients 2(w - 3), 2(v + 1).
    for k, row in enumerate(rows):
        w, v = 3 * (1 - 0.8 ** k), -(1 - 0.8 ** k)
        assert row["step"] == k + 1
        assert row["w"] == pytest.approx(w, rel=1e-14, abs=1e-15)
        assert row["v"] == pytest.approx(v, rel=1e-14, abs=1e-15)
        assert row["loss"] == pytest.approx((w - 3) ** 2 + (v + 1) ** 2, rel=1e-13)
        assert row["grad_w"] == pytest.approx(2 * (w - 3), rel=1e-13)
        assert row["grad_v"] == pytest.approx(2 * (v + 1), rel=1e-13)
        assert row["grad_norm"] == pytest.approx(math.sqrt(4 * (w - 3) ** 2 + 4 * (v + 1) ** 2), rel=1e-13)


def test_history_names_that_collide_are_prefixed(cli, tmp_path):
    path = tmp_path / "h.csv"
    r = cli("train", "(loss - 1)^2", "--param", "loss=0", "--steps", "1", "--history", str(path))
    assert r.exit_code == 0, r.stderr
    header = path.read_text().splitlines()[0]
    assert header == "step,loss,param_loss,grad_loss,grad_norm"


def test_history_bad_extension_fails_before_training(cli, tmp_path):
    r = cli("train", "(w - 3)^2", "--param", "w=0", "--history", str(tmp_path / "h.txt"))
    assert_clean_error(r, 2, ".csv", ".jsonl")


def test_data_from_stdin_jsonl_and_csv(cli):
    # Mean of (w - y)^2 over y = 1, 3: gradient at w = 0 is mean(2(w - y)) = -4; w = 0.4 with lr 0.1.
    for text in ('{"y": 1}\n{"y": 3}\n', "y\n1\n3\n"):
        r = cli("train", "(w - y)^2", "--param", "w=0", "--data", "-", "--lr", "0.1", "--steps", "1",
                "--json", input=text)
        assert r.exit_code == 0, r.stderr
        assert r.json["params"]["w"] == pytest.approx(0.4, rel=1e-15)
        assert r.json["history"][0]["loss"] == pytest.approx(5.0, rel=1e-15)  # (1 + 9) / 2


def test_expression_and_data_cannot_both_come_from_stdin(cli):
    r = cli("train", "-", "--param", "w=0", "--data", "-", input="(w-y)^2")
    assert_clean_error(r, 2, "standard input")


def test_divergence_exit_3_names_the_step(cli):
    # One point: w ← w − 1.5·2(w − 3) makes |w − 3| double at each step; the loss (w − 3)^2
    # overflows a double at the first step where it is computed with |w − 3| > 1.34e154.
    w = 0.0
    for step in range(1, 5001):
        d = w - 3
        if not math.isfinite(d * d):
            break
        w = w - 1.5 * 2 * d
    assert step < 5000
    r = cli("train", "(w - 3)^2", "--param", "w=0", "--lr", "1.5", "--steps", "5000", "--json")
    assert_clean_error(r, 3, f"at step {step}", "--lr", "--clip")
    assert r.json["error"]["kind"] == "math"


def test_divergence_with_data_writes_the_steps_done(cli, tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("x,y\n1,2\n3,1\n2,0.5\n")
    xs, ys = [1.0, 3.0, 2.0], [2.0, 1.0, 0.5]
    # Simulate plain gradient descent on mean((w x - y)^2) with lr 1 until it is not finite:
    # w ← w − 2·mean(x(wx − y)) multiplies the error by 1 − 2·mean(x²) = −25/3 at each step.
    w = 0.0
    for step in range(1, 10001):
        r_ = [w * x - y for x, y in zip(xs, ys)]
        loss = sum(v * v for v in r_) / 3
        grad = sum(2 * v * x for v, x in zip(r_, xs)) / 3
        if not (math.isfinite(loss) and math.isfinite(grad)):
            break
        w -= 1.0 * grad
    assert step < 10000
    hist = tmp_path / "h.jsonl"
    r = cli("train", "(w*x - y)^2", "--param", "w=0", "--data", str(data), "--lr", "1",
            "--steps", "10000", "--history", str(hist))
    assert_clean_error(r, 3, f"at step {step}", "smaller --lr", str(hist))
    assert len(hist.read_text().splitlines()) == step - 1


def test_a_loss_that_fails_at_the_start(cli):
    r = cli("train", "log(w - 1)", "--param", "w=0", "--steps", "3")
    assert_clean_error(r, 3, "initial parameters", "log")


@pytest.mark.parametrize("args, fragments", [
    (("(w-3)^2",), ("--param",)),
    (("(w-3)^2", "--param", "w"), ("NAME=INIT",)),
    (("(w-3)^2", "--param", "w=0", "--param", "w=1"), ("twice",)),
    (("(w-3)^2", "--param", "v=0"), ("'v'",)),
    (("(w-3)^2", "--param", "w=abc"), ("abc",)),
    (("(w-3)^2", "--param", "w=0", "--epochs", "3"), ("--data",)),
    (("(w-3)^2", "--param", "w=0", "--steps", "3", "--epochs", "3"), ("--steps", "--epochs")),
    (("(w-3)^2", "--param", "w=0", "--lr", "-1"), ("--lr",)),
    (("(w-3)^2", "--param", "w=0", "--lr", "nan"), ("--lr",)),
    (("(w-3)^2", "--param", "w=0", "--clip", "0"), ("--clip",)),
    (("(w-3)^2", "--param", "w=0", "--steps", "-2"), ("--steps",)),
    (("(w-3)^2", "--param", "w=0", "--optimizer", "lbfgs"), ("lbfgs",)),  # rmsprop exists since issue 13
    (("(w-3)^2", "--param", "w=0", "--beta1", "1"), ("--beta1",)),
    (("(w-3)^2", "--param", "w=0", "--batch-size", "4"), ("--data",)),
    (("(w-3)^2", "--param", "w=0", "--data", "/nonexistent/points.csv"), ("/nonexistent/points.csv",)),
    (("(w-3)^2", "--param", "w=0", "-w", "1"), ("'w'",)),
])
def test_usage_errors(cli, args, fragments):
    r = cli("train", *args, "--json")
    assert r.exit_code == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    for fragment in fragments:
        assert fragment in r.stderr, (fragment, r.stderr)
    assert r.json["error"]["kind"] in ("usage", "name", "value")


def test_missing_input_without_data_is_a_name_error(cli):
    r = cli("train", "(w*x - y)^2", "--param", "w=0", "-x", "1", "--json")
    assert_clean_error(r, 2, "'y'", "--data")
    assert r.json["error"]["kind"] == "name"


def test_help_shows_an_example(cli):
    r = cli("train", "--help")
    assert r.exit_code == 0
    assert "gradcli train" in r.stdout and "--param" in r.stdout


def test_human_output_snapshot(cli):
    r = cli(*SEED)
    assert r.stdout == ("trained w: 1 step of sgd (lr 0.1)\n"
                        "param  initial  final  last gradient\n"
                        "w            3    1.4             16\n"
                        "loss 0.64 (at the start 16)\n")


def test_progress_bar_only_when_asked_for(capsys):
    from gradcli.views.progress import training_progress

    with training_progress(enabled=False) as on_step:
        assert on_step is None
    with training_progress(enabled=True) as on_step:
        for step in range(1, 4):
            on_step(step, 3, 1.0 / step)
    assert capsys.readouterr().out == ""  # never on stdout


def test_minibatch_errors_name_a_row_of_the_data_set(cli, tmp_path):
    # Every batch of 3 rows out of 4 holds a negative x; whichever it is, the message names
    # row 2, the first row of the file where log(w x) fails, not a row of the batch.
    data = tmp_path / "d.csv"
    data.write_text("x\n1\n-2\n3\n-4\n")
    for seed in range(4):
        r = cli("train", "log(w*x)", "--param", "w=1", "--data", str(data), "--batch-size", "3",
                "--seed", str(seed))
        assert_clean_error(r, 3, "row 2", "initial parameters")


def test_optimizer_options_reach_the_optimizer(cli):
    # (w - 3)^2 from w = 0, lr 0.1, momentum 0.5: g = -6, b = -6, w = 0.6; g = -4.8,
    # b = 0.5·(-6) - 4.8 = -7.8, w = 0.6 + 0.78 = 1.38.
    r = cli("train", "(w - 3)^2", "--param", "w=0", "--optimizer", "momentum", "--momentum", "0.5",
            "--lr", "0.1", "--steps", "2", "--json")
    assert r.json["params"]["w"] == pytest.approx(1.38, rel=1e-14)
    # Adam, β = (0.5, 0.9), ε = 0.1: m = 0.5·(-6)... m̂ = -6, v̂ = 36: w = 0.1·6/(6 + 0.1).
    r = cli("train", "(w - 3)^2", "--param", "w=0", "--optimizer", "adam", "--beta1", "0.5",
            "--beta2", "0.9", "--eps", "0.1", "--lr", "0.1", "--steps", "1", "--json")
    assert r.json["params"]["w"] == pytest.approx(0.1 * 6 / 6.1, rel=1e-14)
