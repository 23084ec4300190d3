"""One-shot start-up (issue 9): what a good `grad`/`eval` loads, beyond gradcli itself.

Lark (its import and loading were a third of a one-shot command), hashlib and
importlib.resources (for the parse tables), Rich's emoji table (~10 ms, for
text that has no emoji codes) and NumPy stay unloaded. The whole-process
ratios are measured in benchmarks/bench_core.py, not asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import contextlib, io, json, sys
import gradcli  # the package itself (an editable install's finder comes with it)
before = set(sys.modules)
from gradcli.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        main(args=sys.argv[1:], prog_name="gradcli")
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "out": out.getvalue(), "new": sorted(set(sys.modules) - before)}))
"""

NEVER = ("lark", "hashlib", "importlib.resources", "rich._emoji_codes", "numpy")
EXAMPLE = ["(x+y)*z", "-x", "1", "-y", "3", "-z", "-3"]


def _run(*args: str) -> dict:
    run = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.splitlines()[-1])


@pytest.mark.parametrize("args", [
    ["grad", *EXAMPLE, "--json"],
    ["grad", *EXAMPLE],                 # the Rich table
    ["eval", *EXAMPLE],
    ["grad", "y = x^2\n# a comment\ny/2", "-x", "3"],
])
def test_a_one_shot_command_loads_none_of_the_heavy_extras(args):
    got = _run(*args)
    assert got["code"] == 0
    loaded = [m for m in got["new"] if any(m == n or m.startswith(n + ".") for n in NEVER)]
    assert loaded == []


def test_the_table_is_still_the_table():
    got = _run("grad", *EXAMPLE)
    lines = [line.split() for line in got["out"].splitlines()]
    # (x+y)*z at 1, 3, -3: value -12; ∂/∂x = ∂/∂y = z = -3, ∂/∂z = x+y = 4
    assert lines[0] == ["value", "=", "-12"]
    assert ["x", "1", "-3"] in lines and ["y", "3", "-3"] in lines and ["z", "-3", "4"] in lines
