"""A long `gradcli train` run does not keep every step in memory.

History keeps every step up to FULL_HISTORY steps and an evenly spaced sample
past that (with the first and the latest step); --history FILE and --json's
"history" get every step, written as the steps are done. Expected losses are
the closed form of L = (w - 3)^2 from w = 0 with lr 0.1: 9·0.64^k before step k + 1.
"""

from __future__ import annotations

import csv

import pytest

from gradcli.training.loop import FULL_HISTORY, History, train


def test_history_keeps_a_bounded_evenly_spaced_sample():
    h = History(["w"])
    for k in range(1, 100_001):
        h.add(float(k), (k * 0.5,), (-float(k),), float(k))
        assert len(h.steps) <= FULL_HISTORY
    assert len(h) == 100_000
    assert h.steps[0] == 1 and h.steps[-1] == 100_000
    stride = h.steps[1] - h.steps[0]
    assert stride > 1 and all(b - a == stride for a, b in zip(h.steps, h.steps[1:-1]))
    assert len(h.steps) >= FULL_HISTORY // 2
    # Each kept step keeps its own numbers.
    for s, loss, p, g, n in zip(h.steps, h.loss, h.params, h.grads, h.norm):
        assert (loss, p, g, n) == (float(s), (s * 0.5,), (-float(s),), float(s))
    assert list(h.rows())[-1] == [100_000, 100_000.0, 50_000.0, -100_000.0, 100_000.0]


def test_a_short_run_keeps_every_step():
    r = train("(w - 3)^2", {"w": 0}, lr=0.1, steps=FULL_HISTORY)
    assert r.history.steps == list(range(1, FULL_HISTORY + 1))
    assert r.history.loss[:50] == pytest.approx([9 * 0.64 ** k for k in range(50)], rel=1e-12)


def test_a_long_run_is_sampled_but_every_step_is_seen():
    seen = []
    r = train("(w - 3)^2", {"w": 0}, lr=0.1, steps=3 * FULL_HISTORY, on_record=seen.append)
    assert r.steps == len(r.history) == 3 * FULL_HISTORY
    assert len(r.history.loss) <= FULL_HISTORY
    assert [row[0] for row in seen] == list(range(1, 3 * FULL_HISTORY + 1))
    assert r.history.grads[-1] == tuple(seen[-1][3:4])  # the table's "last gradient"
    j = r.to_json()  # the Python API's JSON: the kept steps, each with its own number
    assert [h["step"] for h in j["history"]] == r.history.steps


def test_json_and_history_file_have_every_step_of_a_long_run(cli, tmp_path):
    # 40,000 steps: more than History keeps, and more than --json holds in memory (1 MB).
    n = 4 * FULL_HISTORY
    path = tmp_path / "h.csv"
    r = cli("train", "(w - 3)^2", "--param", "w=0", "--lr", "0.1", "--steps", str(n),
            "--json", "--history", str(path))
    assert r.exit_code == 0, r.stderr
    assert r.stdout.endswith("}\n") and r.stdout.count("\n") == 1
    j = r.json
    assert list(j) == ["expression", "params", "loss", "steps", "history"]
    assert j["steps"] == n
    assert [h["step"] for h in j["history"]] == list(range(1, n + 1))
    for k in range(0, 200):
        assert j["history"][k]["loss"] == pytest.approx(9 * 0.64 ** k, rel=1e-12)
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [int(row["step"]) for row in rows] == list(range(1, n + 1))
    assert [float(row["loss"]) for row in rows] == [h["loss"] for h in j["history"]]
