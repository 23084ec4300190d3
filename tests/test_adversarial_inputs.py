"""Adversarial input files (tests/adversarial/): a value or a documented error, always.

Each file is a program, read through @FILE; a first line `#! ARGS` (a comment
to the parser) gives the bindings and options. Every file runs through eval,
grad and trace with --json (trace only for the smaller ones): exit 0, 2 or
3, one JSON object on stdout, and never a traceback or an internal error.
Huge numbers, deep nesting (100,000 levels), NUL bytes, control characters,
unbalanced brackets and very long names are here; cases that belong to
other parts of issue 9 (devices, full disks, data files) are tested beside
their fixes.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from conftest import run_cli

FILES = sorted((Path(__file__).parent / "adversarial").glob("*.txt"))


def args_of(path: Path) -> list[str]:
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    return shlex.split(first[2:]) if first.startswith("#!") else []


def test_the_directory_has_its_cases():
    names = {p.stem for p in FILES}
    for kind in ("huge", "deep", "nul", "control", "unbalanced", "long_name"):
        assert any(n.startswith(kind) for n in names), kind


# trace prints every node: the big graphs go through eval and grad only (test_trace_big has its own).
CASES = [(command, path) for path in FILES for command in ("eval", "grad", "trace")
         if command != "trace" or path.stat().st_size <= 20_000]


@pytest.mark.parametrize("command, path", CASES, ids=lambda c: getattr(c, "stem", c))
def test_an_adversarial_file_gives_a_value_or_a_documented_error(command, path):
    extra = args_of(path)
    if command != "grad":  # --exact is grad's (and hessian's) option
        extra = [a for a in extra if a != "--exact"]
    run = run_cli(command, f"@{path}", *extra, "--json")
    for stream in (run.stdout, run.stderr):
        assert "Traceback" not in stream and "internal error" not in stream, stream[-400:]
    assert run.exit_code in (0, 2, 3), (run.exit_code, run.stderr[-400:])
    obj = json.loads(run.stdout)
    if run.exit_code:
        assert obj["error"]["kind"] in ("syntax", "name", "value", "shape", "math", "usage")
        assert run.stderr.startswith("gradcli: ")
    else:
        assert "value" in obj
