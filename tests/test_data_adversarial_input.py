"""Adversarial data for `train --data` and `--batch`: each a documented error, never a
traceback, an internal error, a silent success or a read until memory runs out."""

from __future__ import annotations

import json
import os

import pytest
from conftest import assert_clean_error, run_cli

from gradcli.data import points as batch_io

TRAIN = ("train", "(w*x - y)^2", "--param", "w=0", "--steps", "1")
DEEP = '{"x": ' + "[" * 5000 + "]" * 5000 + ', "y": 1}\n'


def lines_of(run):
    return [json.loads(line) for line in run.stdout.splitlines()]


def test_deeply_nested_json_for_train_names_file_and_line(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text('{"x": 1, "y": 2}\n' + DEEP)
    r = run_cli(*TRAIN, "--data", str(path), "--json")
    assert_clean_error(r, 2, "deep.jsonl", "line 2", "nested too deeply")
    assert r.json["error"]["kind"] == "value"


def test_deeply_nested_json_for_batch_is_that_points_error(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text('{"x": 3}\n' + DEEP)
    r = run_cli("grad", "x^2", "--batch", str(path))
    out = lines_of(r)
    assert out[0]["gradient"] == {"x": 6}
    assert out[1]["error"]["kind"] == "value" and out[1]["error"]["line"] == 2
    assert "nested too deeply" in out[1]["error"]["message"]
    assert_clean_error(r, 2, "line 2")


def test_a_binary_batch_file_names_the_file_and_line(tmp_path):
    path = tmp_path / "blob.jsonl"
    path.write_bytes(b'{"x": 1}\n{"x": 2}\n\x89PNG\xff\xfe\x00\x01\n')
    r = run_cli("eval", "x", "--batch", str(path))
    assert_clean_error(r, 2, "blob.jsonl", "line 3", "not UTF-8")
    assert r.stdout.splitlines()[-1] == json.dumps(
        {"error": {"kind": "usage", "message": json.loads(r.stdout.splitlines()[-1])["error"]["message"]}},
        separators=(",", ":"))


@pytest.mark.parametrize("data", [b"\xff", b"\xff\xfe\n", b'{"x": 1}\n\xc3\x28\n', b"x\n\xff\n"])
def test_invalid_utf8_on_stdin_for_batch_is_an_error(data):
    r = run_cli("eval", "x", "--batch", "-", input=data)
    assert_clean_error(r, 2, "standard input", "not UTF-8")
    assert json.loads(r.stdout.splitlines()[-1])["error"]["kind"] == "usage"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_devices_are_refused():
    r = run_cli(*TRAIN, "--data", "/dev/zero")
    assert_clean_error(r, 2, "/dev/zero", "device")
    r = run_cli("grad", "x", "--batch", "/dev/zero")
    assert_clean_error(r, 2, "/dev/zero", "device")


def test_one_line_of_a_batch_is_bounded(monkeypatch):
    monkeypatch.setattr(batch_io, "MAX_LINE_BYTES", 1000)
    r = run_cli("eval", "x", "--batch", "-", input='{"x": 1}\n' + "0" * 5000)  # no line break
    assert_clean_error(r, 2, "standard input", "line 2", "longer than the limit")
    assert lines_of(r)[-1]["error"]["kind"] == "usage"


def test_the_line_limit_is_one_mebibyte():
    assert batch_io.MAX_LINE_BYTES == 1024 * 1024  # as README, Limits, says
    big = '{"x": 1, "note": "' + "a" * (1024 * 1024) + '"}\n'
    r = run_cli("eval", "x", "--batch", "-", input='{"x": 2}\n' + big)
    assert_clean_error(r, 2, "line 2", "1 MiB")


def test_an_unclosed_quote_in_training_data_is_an_error(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('x,y,note\n1,2,ok\n3,4,"never closed\n5,6,lost\n7,8,lost\n')
    r = run_cli(*TRAIN, "--data", str(path), "--json")
    assert_clean_error(r, 2, "q.csv", "line 3", "never closed")
    assert r.json["error"]["kind"] == "value"


def test_an_unclosed_quote_in_a_batch_is_an_error(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('x,note\n1,ok\n3,"never closed\n5,lost\n')
    r = run_cli("eval", "x", "--batch", str(path))
    assert_clean_error(r, 2, "line 3", "never closed")
    assert lines_of(r)[-1]["error"]["kind"] == "value"


def test_a_huge_bad_cell_is_quoted_short(tmp_path):
    cell = "9" * 100_000 + "z"
    path = tmp_path / "d.csv"
    path.write_text(f"x,y\n1,2\n{cell},3\n")
    r = run_cli(*TRAIN, "--data", str(path), "--json")
    assert_clean_error(r, 2, "d.csv", "line 3", "column 'x'", "…")
    assert len(r.stderr) < 500 and len(r.stdout) < 500
    # --batch binds a cell as the one-point commands do, whose parse of a bad value is
    # slow beyond a few thousand characters: a shorter cell here
    path.write_text("x,y\n1,2\n" + "9" * 3000 + "z,3\n")
    r = run_cli("eval", "x*y", "--batch", str(path))
    assert r.exit_code == 2 and lines_of(r)[1]["error"]["line"] == 3
    assert "…" in r.stderr and len(r.stderr) < 1000 and len(r.stdout) < 2000


def test_a_huge_bad_json_value_is_quoted_short(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"x": "a" * 100_000, "y": 1}) + "\n")
    r = run_cli(*TRAIN, "--data", str(path))
    assert_clean_error(r, 2, "line 1", "column 'x'", "is not a number")
    assert len(r.stderr) < 500
    path.write_text(json.dumps({"x": list(range(100_000)), "y": 1}) + "\n")
    r = run_cli(*TRAIN, "--data", str(path))
    assert_clean_error(r, 2, "an array is not a number")
