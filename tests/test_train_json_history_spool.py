"""--json's history is kept in memory while short and in a temporary file past
SPOOL_CHARS, without loading tempfile for a short run; either way every step comes out.

Expected losses: the closed form of L = (w - 3)^2 from w = 0 with lr 0.1, 9·0.64^k
before step k + 1 (as tests/test_train_history_memory.py).
"""

from __future__ import annotations

import sys

import pytest

from conftest import run_cli
import gradcli.views
from gradcli.views import history_file


def _history(run) -> list[dict]:
    assert run.exit_code == 0, run.stderr
    return run.json["history"]


@pytest.mark.parametrize("spool_chars", [history_file.SPOOL_CHARS, 100])
def test_every_step_comes_out_in_memory_or_spilled(monkeypatch, spool_chars):
    spools = []
    real = history_file.JsonHistory.echo

    def echo(self, obj):
        spools.append(self.in_memory)
        return real(self, obj)

    monkeypatch.setattr(history_file, "SPOOL_CHARS", spool_chars)
    monkeypatch.setattr(history_file.JsonHistory, "echo", echo)
    steps = 300
    history = _history(run_cli("train", "(w - 3)^2", "--param", "w=0", "--lr", "0.1",
                               "--steps", str(steps), "--json"))
    assert spools == [spool_chars > 10_000]  # 300 steps: about 10 KB of JSON
    assert [h["step"] for h in history] == list(range(1, steps + 1))
    assert [h["loss"] for h in history[:60]] == pytest.approx([9 * 0.64 ** k for k in range(60)],
                                                              rel=1e-12)


class _Unloaded:
    """Stands in sys.modules for a module that must not be used: any use raises."""

    def __init__(self, name):
        self.name = name

    def __getattr__(self, attr):
        raise AssertionError(f"{self.name}.{attr} was used")


def test_a_short_json_run_on_plain_csv_uses_neither_tempfile_nor_csv(tmp_path, monkeypatch):
    data = tmp_path / "d.csv"
    data.write_text("x,y\n1,3\n2,5\n3,7\n")
    for name in ("tempfile", "csv"):
        monkeypatch.setitem(sys.modules, name, _Unloaded(name))
    # history_file is imported afresh by the command, with these in sys.modules
    monkeypatch.delitem(sys.modules, "gradcli.views.history_file")
    monkeypatch.setattr(gradcli.views, "history_file", history_file)
    run = run_cli("train", "(w*x + b - y)^2", "--data", str(data), "--param", "w=0", "--param", "b=0",
                  "--steps", "3", "--json")
    assert [h["step"] for h in _history(run)] == [1, 2, 3]
    # the first step is taken at w = b = 0: the mean of y^2 = (9 + 25 + 49) / 3
    assert run.json["history"][0]["loss"] == pytest.approx(83 / 3, rel=1e-15)
