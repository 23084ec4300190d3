"""Every `$ gradcli …` example in the README prints what the README says it prints.

An example is an indented block whose first line is `$ gradcli ARGS`; the lines
after it, up to the block's end, are the expected output (stdout, then stderr).
Blocks that elide output with "…" or pipe into another program are examples of
use, not of output, and are not collected.
"""

from __future__ import annotations

import pathlib
import shlex

import pytest

from conftest import run_cli

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def examples():
    lines = README.read_text("utf-8").splitlines()
    found = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("    $ gradcli "):
            command = line[len("    $ gradcli "):]
            out = []
            i += 1
            while i < len(lines) and lines[i].startswith("    ") and not lines[i].startswith("    $ "):
                out.append(lines[i][4:])
                i += 1
            if out and "|" not in command and not any("…" in o for o in out):
                found.append(pytest.param(command, out, id=command[:60]))
            continue
        i += 1
    return found


EXAMPLES = examples()


def test_the_readme_has_examples():
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("command, expected", EXAMPLES)
def test_readme_example(command, expected):
    run = run_cli(*shlex.split(command))
    printed = (run.stdout + run.stderr).rstrip("\n").splitlines()
    assert [p.rstrip() for p in printed] == [e.rstrip() for e in expected]
