"""Plain one-point `grad` and `eval` calls are answered without click (gradcli/cli/quick.py).

The oracle is the click command itself: every call runs both as the gradcli command
(`python -m gradcli`, which may take the quick path) and through click (gradcli.cli.main
called from `python -c`, which never does), and stdout, stderr and the exit code must
agree byte for byte, for answers and for every kind of failure the quick path leaves
to click. Then: the quick path really runs without click, and only for plain calls.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from gradcli.cli import quick

CLICK_WAY = "import sys; from gradcli.cli import main; main(prog_name='gradcli')"
QUIET = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "GRADCLI_DEBUG", "NO_COLOR")}


def _run(argv, env, cwd, quick_way: bool):
    command = [sys.executable, "-m", "gradcli"] if quick_way else [sys.executable, "-c", CLICK_WAY]
    return subprocess.run(command + argv, capture_output=True, env=env, cwd=cwd, timeout=60)


def _same(argv, cwd, **env):
    env = {**QUIET, **env}
    fast, slow = _run(argv, env, cwd, True), _run(argv, env, cwd, False)
    assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr), argv
    return fast


ANSWERS = [
    ["grad", "(x+y)*z", "-x", "1", "-y", "3", "-z", "-3"],
    ["grad", "(x+y)*z", "-x", "1", "-y", "3", "-z", "-3", "--json"],
    ["grad", "(x+y)*z", "--json", "-x", "1", "-y", "3", "-z", "-3"],
    ["grad", "y = x*w; L = (y - t)^2", "-x", "2", "-w", "3", "-t", "2.5e0"],
    ["grad", "1/(1+exp(-(w*x + b)))", "-w", "-.5", "-x", "+2.", "-b", "1E-3"],
    ["grad", "x + x/x", "-x", "1e-17"],            # a warning on stderr (cancellation)
    ["grad", "x + x/x", "-x", "1e-17", "--json"],
    ["grad", "sum(ones(3) * x)", "-x", "2"],         # an array inside, a scalar input
    ["grad", "x^2 + 1"],                             # no input given: no gradient asked
    ["eval", "(x+y)*z", "-x", "1", "-y", "3", "-z", "-3"],
    ["eval", "x/y", "-x", "1", "-y", "3", "--json"],
    ["eval", "ones(40) * x", "-x", "0.1"],           # an array, wrapped at the width
    ["eval", "2^0.5"],
]
FAILURES = [
    ["grad", "x+", "-x", "1"],                        # syntax
    ["grad", "x*y", "-x", "1"],                       # a missing value
    ["grad", "x", "-x", "1", "-q", "2"],              # a name the program does not use
    ["grad", "x", "-x", "1", "-x", "2"],              # twice
    ["grad", "log(x)", "-x", "-1"],                   # mathematics
    ["grad", "x^y", "-x", "0", "-y", "-1", "--json"],
    ["eval", "1/x", "-x", "0"],
    ["grad", "prog.grad", "-x", "1"],                 # a file of that name: the @ hint
    ["grad", "x", "-x", "1e999"],
    ["eval", "sinn(x)", "-x", "1"],
]


@pytest.mark.parametrize("argv", ANSWERS + FAILURES)
def test_the_quick_path_prints_what_click_prints(argv, tmp_path):
    (tmp_path / "prog.grad").write_text("x^2\n")
    _same(argv, tmp_path)
    _same(argv, tmp_path, NO_COLOR="1", COLUMNS="50")


def test_a_full_disk_is_the_same_usage_error(tmp_path):
    argv = ["grad", "(x+y)*z", "-x", "1", "-y", "3", "-z", "-3", "--json"]
    for way in (True, False):
        with open("/dev/full", "wb") as full:
            run = subprocess.run(([sys.executable, "-m", "gradcli"] if way else
                                  [sys.executable, "-c", CLICK_WAY]) + argv,
                                 stdout=full, stderr=subprocess.PIPE, env=QUIET, timeout=60)
        assert run.returncode == 2
        assert b"cannot write the output to standard output: No space left on device" in run.stderr


def _modules(argv, tmp_path) -> str:
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "gradcli"] + argv,
                         capture_output=True, text=True, env=QUIET, cwd=tmp_path, timeout=60)
    return "\n".join(line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines()
                     if line.startswith("import time:"))


def test_plain_calls_load_no_click(tmp_path):
    json_call = _modules(["grad", "(x+y)*z", "-x", "1", "-y", "3", "-z", "-3", "--json"], tmp_path)
    assert "gradcli.program.program" in json_call and "click" not in json_call.split()
    assert "rich" not in json_call.split()
    table = _modules(["grad", "(x+y)*z", "-x", "1", "-y", "3", "-z", "-3"], tmp_path).split()
    assert "rich.table" in table and "click" not in table
    # a failure goes to click, which says it
    assert "click" in _modules(["grad", "x+", "-x", "1"], tmp_path).split()


@pytest.mark.parametrize("args", [
    ["grad"], ["trace", "x", "-x", "1"], ["grad", "-", "-x", "1"], ["grad", "@f", "-x", "1"],
    ["grad", "-x", "1"], ["grad", "x", "-x"], ["grad", "x", "-x", "pi"], ["grad", "x", "--x", "1"],
    ["grad", "x", "x=1"], ["grad", "x", "-xy", "1"], ["grad", "x", "-x", "1_0"], ["grad", "x", "-x", "١"],
    ["grad", "x", "-x", "1", "--wrt", "x"], ["grad", "x", "-x", "1", "--jsn"], ["eval", "x", "-x", "[1]"],
    ["grad", ""],
])
def test_anything_but_a_plain_call_goes_to_click(args):
    assert quick.plain_call(args) is None


def test_what_a_plain_call_is():
    assert quick.plain_call(["grad", "x*y", "-x", "1", "--json", "-y", "-2e-3"]) == \
        ("grad", "x*y", ["-x", "1", "-y", "-2e-3"], True)
    assert quick.plain_call(["eval", "2"]) == ("eval", "2", [], False)
