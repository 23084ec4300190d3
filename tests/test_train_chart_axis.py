"""The loss curve of `gradcli train` tells the truth about its axis and fits the terminal.

Its top label is the highest loss plotted and its bottom label the lowest
(they used to be the means of the first and last groups of steps: 7.59 where
the first loss was 3899.9). Expected losses come from closed forms derived
here, or from the --history file (the numbers the chart is drawn from), never
from the chart's own code. No line is longer than the terminal (COLUMNS).
"""

from __future__ import annotations

import csv
import re

import pytest

from gradcli.training.loop import History
from gradcli.views.train_view import curve_block

LABEL = re.compile(r"^\s*(\S+) ┤")


def labels(lines: list[str]) -> tuple[float, float]:
    """The numbers written at the top and the bottom of the chart's axis."""
    found = [LABEL.match(line).group(1) for line in lines if LABEL.match(line)]
    assert len(found) == 2, lines
    return float(found[0]), float(found[1])


def train_lines(cli, width: int, *args: str) -> list[str]:
    r = cli("train", *args, env={"COLUMNS": str(width)})
    assert r.exit_code == 0, r.stderr
    return r.stdout.splitlines()


@pytest.mark.parametrize("width", [60, 80, 120])
def test_labels_are_the_first_and_last_loss_of_a_falling_loss(cli, width):
    # L = (w - 3)^2 from w = 0, lr 0.1: w_k = 3(1 - 0.8^k), so the loss after k steps is 9·0.64^k,
    # falling from 9 to 9·0.64^300 (log scale). 301 values in fewer columns: grouped.
    lines = train_lines(cli, width, "(w - 3)^2", "--param", "w=0", "--lr", "0.1", "--steps", "300")
    top, bottom = labels(lines)
    assert top == pytest.approx(9, rel=1e-5)
    assert bottom == pytest.approx(9 * 0.64 ** 300, rel=1e-5)
    assert any("log scale" in line for line in lines)


def test_labels_are_the_extremes_of_a_noisy_history(cli, tmp_path):
    # Mini-batches of one row: the loss jumps about, its highest step is anywhere in the run.
    data = tmp_path / "d.csv"
    data.write_text("x,y\n" + "".join(f"{k / 7:.4f},{(-1) ** k * k}\n" for k in range(40)))
    hist = tmp_path / "h.csv"
    args = ("(w*x + b - y)^2", "--data", str(data), "--param", "w=0", "--param", "b=0",
            "--lr", "0.001", "--batch-size", "1", "--seed", "3", "--steps", "500")
    lines = train_lines(cli, 80, *args, "--history", str(hist))
    final = cli("train", *args, "--json").json["loss"]  # the loss after the last step
    with open(hist, newline="") as f:
        losses = [float(row["loss"]) for row in csv.DictReader(f)] + [final]
    assert len(losses) == 501
    top, bottom = labels(lines)
    assert top == pytest.approx(max(losses), rel=1e-5)
    assert bottom == pytest.approx(min(losses), rel=1e-5)


def test_a_spike_inside_a_group_of_steps_reaches_the_top():
    # 1,000 values of 1 with one 1e4 at step 537: every column but one is at the bottom.
    history = History(["w"])
    for k in range(1000):
        history.add(1e4 if k == 537 else 1.0 + k * 1e-6, (0.0,), (0.0,), 0.0)
    lines = curve_block(history, 1.0, width=80).plain.splitlines()
    assert labels(lines) == (1e4, 1.0)
    top_row = lines[0].split("┤")[1]
    assert top_row.strip() == "█"  # one full column, the spike's
    bottom_row = lines[5].split("┤")[1]
    assert set(bottom_row) == {"▁", "█"}


def test_long_runs_keep_the_true_extremes():
    # 30,000 steps: History keeps a sample of the steps, the curve still its exact extremes.
    history = History(["w"])
    for k in range(30_000):
        history.add(5.0 + (k % 997) / 997 + (50.0 if k == 22_222 else 0) - (4.5 if k == 29_998 else 0),
                    (0.0,), (0.0,), 0.0)
    assert len(history) == 30_000 and len(history.loss) <= 10_000
    top, bottom = labels(curve_block(history, 5.0, width=80).plain.splitlines())
    assert top == pytest.approx(55 + 22_222 % 997 / 997, rel=1e-5)
    assert bottom == pytest.approx(0.5 + 29_998 % 997 / 997, rel=1e-5)


RUNS = {
    "falling": ("(w - 3)^2", "--param", "w=0", "--lr", "0.1", "--steps", "300"),
    # (w - 3) doubles in size and flips sign each step: 9·4^k, labels as long as 1.07374e+19.
    "growing": ("(w - 3)^2", "--param", "w=0", "--lr", "1.5", "--steps", "30"),
    "negative": ("(w - 3)^2 - 123456789", "--param", "w=0", "--lr", "0.1", "--steps", "1000"),
    "data": ("(w*x + b - y)^2", "--data", "examples/points.csv", "--param", "w=0", "--param", "b=0",
             "--lr", "0.05", "--epochs", "200", "--tol", "1e-6"),
}


@pytest.mark.parametrize("width", [60, 80])
@pytest.mark.parametrize("run", RUNS)
def test_nothing_is_wider_than_the_terminal(cli, width, run, monkeypatch):
    import pathlib

    monkeypatch.chdir(pathlib.Path(__file__).resolve().parent.parent)
    lines = train_lines(cli, width, *RUNS[run])
    assert max(len(line) for line in lines) <= width, "\n".join(lines)
    # The step axis is one line, from step 0 to the last step.
    axis = [line for line in lines if "step 0" in line]
    assert len(axis) == 1 and re.search(r"step 0 +\d+$", axis[0])
    chart = [line for line in lines if "┤" in line]
    assert len(chart) == 6
