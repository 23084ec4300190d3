"""Issue 9, item 13: stdout on a full disk, and a reader that leaves (`| head`).

Run as real processes: the failures happen in the operating system's pipes
and devices, which an in-process runner does not have.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

GRADCLI = [sys.executable, "-m", "gradcli"]
ENV = {**os.environ, "NO_COLOR": "1"}

needs_dev_full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="Linux's /dev/full")


def run_into(path: str, *args: str) -> subprocess.CompletedProcess:
    with open(path, "w") as out:
        return subprocess.run([*GRADCLI, *args], stdout=out, stderr=subprocess.PIPE, text=True,
                              env=ENV, timeout=120)


@needs_dev_full
@pytest.mark.parametrize("args", [
    ["grad", "x*y", "-x", "1", "-y", "2", "--json"],
    ["grad", "x*y", "-x", "1", "-y", "2"],
    ["trace", "x*y", "-x", "1", "-y", "2"],
    ["exercise", "--seed", "1"],
])
def test_a_full_disk_is_a_clear_write_error(args):
    done = run_into("/dev/full", *args)
    assert done.returncode == 2, done.stderr
    assert "cannot write the output to standard output: No space left on device" in done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr


@needs_dev_full
def test_an_error_with_json_on_a_full_disk_still_reports_on_stderr():
    done = run_into("/dev/full", "grad", "x*y", "--json")  # no values: a name error
    assert done.returncode == 2, done.stderr
    assert "no value for variables 'x' and 'y'" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("pipe") / "big.csv"
    path.write_text("x,y\n" + "".join(f"{i},{i + 1}\n" for i in range(50_000)))
    return str(path)


@pytest.fixture(scope="module")
def big_program(tmp_path_factory):
    path = tmp_path_factory.mktemp("pipe") / "big.txt"
    path.write_text(" + ".join(f"x{i}*x{i}" for i in range(2_000)))
    return "@" + str(path)


def head(args, nbytes: int) -> subprocess.CompletedProcess:
    """`gradcli ARGS | head -c NBYTES`: read a little, then leave."""
    p = subprocess.Popen([*GRADCLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    got = p.stdout.read(nbytes)
    p.stdout.close()
    err = p.stderr.read().decode()
    p.stderr.close()
    return subprocess.CompletedProcess(args, p.wait(timeout=120), got, err)


@pytest.mark.parametrize("command", ["grad", "eval"])
def test_a_reader_that_leaves_a_batch_is_quiet_and_exit_0(command, big_csv):
    done = head([command, "x*y", "--batch", big_csv], 100)
    assert len(done.stdout) == 100
    assert done.returncode == 0 and done.stderr == ""


def test_a_reader_that_leaves_a_big_trace_is_quiet_and_exit_0(big_program):
    values = [w for i in range(2_000) for w in (f"-x{i}", "1")]
    for extra in ([], ["--json"], ["--format", "dot"]):
        done = head(["trace", big_program, *values, *extra], 100)
        assert done.returncode == 0, (extra, done.stderr)
        assert "Error" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("args", [
    ["grad", "x*y", "-x", "1", "-y", "2"],                 # Rich's table
    ["trace", "x*y", "-x", "1", "-y", "2"],                # Rich's tree
    ["grad", "x*y", "-x", "1", "-y", "2", "--json"],
    ["exercise", "--seed", "1", "--count", "100"],
    ["hessian", "x^2*y + y^3", "--symbolic"],
])
def test_a_reader_that_left_before_anything_was_written_is_no_error(args):
    done = head(args, 0)  # the pipe is closed before the first write
    assert done.returncode == 0 and done.stderr == "", done.stderr
