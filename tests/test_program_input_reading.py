"""Issue 9, item 13: the program read from stdin or @FILE, whatever the bytes."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from gradcli.cli import main
from gradcli.data.files import MAX_PROGRAM_BYTES

from conftest import assert_clean_error, run_cli


def run_bytes(args, data: bytes):
    result = CliRunner().invoke(main, args, input=data, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("args", [
    ["eval", "-", "-x", "1"],
    ["grad", "-", "-x", "1", "--json"],
    ["trace", "-", "-x", "1", "--svg", "g.svg"],
    ["trace", "-", "-x", "1", "--svg", "g.svg", "--json"],
    ["hessian", "-", "-x", "1"],
    ["train", "-", "--param", "x=1", "--steps", "1"],
])
def test_invalid_utf8_on_stdin_is_a_usage_error_naming_standard_input(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_bytes(args, b"x*x \xff\xfe")
    assert code == 2, err
    assert "cannot read the program 'standard input': it is not UTF-8 text" in err
    assert "internal error" not in err and "Traceback" not in err
    assert not (tmp_path / "g.svg").exists()
    if "--json" in args:
        assert json.loads(out)["error"]["kind"] == "usage"


def test_a_byte_order_mark_at_the_start_of_a_file_is_dropped(tmp_path):
    path = tmp_path / "p.txt"
    path.write_bytes(b"\xef\xbb\xbfp = x*y\r\np + 1\r\n")
    # p + 1 = x*y + 1 at x = 2, y = 5: 11, ∂/∂x = y = 5, ∂/∂y = x = 2 (by hand).
    run = run_cli("grad", f"@{path}", "-x", "2", "-y", "5", "--json")
    assert run.exit_code == 0, run.stderr
    assert run.json["value"] == 11.0 and run.json["gradient"] == {"x": 5.0, "y": 2.0}
    assert run.json["expression"] == "p = x*y\r\np + 1\r\n"  # the text as in the file, CRLF too


def test_a_byte_order_mark_on_stdin_is_dropped():
    code, out, err = run_bytes(["eval", "-", "-x", "3", "--json"], b"\xef\xbb\xbfx^2")
    assert code == 0, err
    assert json.loads(out)["value"] == 9.0


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="a character device")
def test_a_character_device_is_refused_not_read_until_memory_runs_out():
    run = run_cli("eval", "@/dev/zero", "--json")
    assert_clean_error(run, 2, "cannot read the program file '/dev/zero': it is a device, not a file")
    assert run.json["error"]["kind"] == "usage"


def test_a_program_file_beyond_the_size_limit_is_refused(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:
        f.truncate(MAX_PROGRAM_BYTES + 1)  # sparse: no disk used
    run = run_cli("eval", f"@{path}")
    assert_clean_error(run, 2, f"cannot read the program file '{path}'", "larger than the limit of 64 MiB")
