"""Ctrl-C during `gradcli train`: the finished steps are in --history, the rest is said on stderr.

A real process gets a real SIGINT once its history file has rows. The rows
are checked against the closed form of L = (w - 3)^2 from w = 0 with lr 0.1:
w_k = 3(1 - 0.8^k) before step k + 1, gradient 2(w - 3).
"""

from __future__ import annotations

import csv
import math
import re
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def interrupt_training(tmp_path, *extra: str):
    """Start a run of 10^8 steps, send SIGINT once the history file has rows, return the result."""
    path = tmp_path / "run.csv"
    command = [sys.executable, "-m", "gradcli", "train", "(w - 3)^2", "--param", "w=0", "--lr", "0.1",
               "--steps", "100000000", "--history", str(path), *extra]
    # SIGINT as at a terminal, even where this test runs with it ignored (a background job).
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 30
        while not (path.exists() and path.stat().st_size > 0):
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "no step reached the history file"
            time.sleep(0.05)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:  # a failed test does not leave 10^8 steps running
            child.kill()
            child.wait()
    return child.returncode, out, err, path


def check_rows(path, err):
    with open(path, newline="") as f:
        text = f.read()
    assert text.endswith("\n")  # no half-written row
    rows = list(csv.DictReader(text.splitlines()))
    assert rows, text[:200]
    for k, row in enumerate(rows):
        assert int(row["step"]) == k + 1
        w = float(row["w"])
        assert w == pytest.approx(3 * (1 - 0.8 ** k), rel=1e-12, abs=1e-14)
        # Near w = 3 the closed form's rounding dominates (w - 3): the loss and the gradient
        # are checked at the row's own w.
        assert float(row["loss"]) == pytest.approx((w - 3) ** 2, rel=1e-15)
        assert float(row["grad_w"]) == pytest.approx(2 * (w - 3), rel=1e-15)
        assert math.isfinite(float(row["grad_norm"]))
    # stderr says how far it got and where the steps are.
    m = re.search(r"interrupted after step (\d+) of 100000000", err)
    assert m, err
    assert int(m.group(1)) in (len(rows), len(rows) - 1)  # Ctrl-C may land between the two
    assert f"the {len(rows)} finished steps are in {path}" in err
    assert "Traceback" not in err


def test_ctrl_c_keeps_the_finished_steps(tmp_path):
    code, out, err, path = interrupt_training(tmp_path)
    assert code == 130, err
    check_rows(path, err)
    assert out == ""


def test_ctrl_c_with_json_prints_no_partial_object(tmp_path):
    code, out, err, path = interrupt_training(tmp_path, "--json")
    assert code == 130, err
    check_rows(path, err)
    assert out == ""  # the run has no result: stdout stays empty
