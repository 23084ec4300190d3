"""`gradcli check` on hostile keys and answer files: nesting 1,000 deep, whole numbers of
5,000 digits (beyond Python's int-to-string limit), devices such as /dev/zero, a BOM.

Each is a documented error naming the file (a key: exit 2, kind value or usage; an
answer file: reported as unreadable, exit 2, the other students still graded),
never an internal error.
"""

from __future__ import annotations

import os

import pytest
from conftest import assert_clean_error, run_cli

KEY = """
[[problem]]
id = "p1"
program = "q = x + y; f = q * z"
bindings = { x = -2, y = 5, z = -4 }
ask = ["value", "grad.x"]
"""
RIGHT = "[p1]\nvalue = -12\ngrad.x = -4\n"   # by hand: (x + y) z = 3·(-4); ∂f/∂x = z
DEEP_ARRAY = "[" * 1000 + "]" * 1000
DEEP_TABLE = "{a = " * 1000 + "1" + "}" * 1000
LONG_INT = "1" * 5000


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def graded(run, path):
    """The JSON grading of one answer file."""
    return next(s for s in run.json["students"] if s["file"] == path)


@pytest.mark.parametrize("deep", [DEEP_ARRAY, DEEP_TABLE], ids=["arrays", "tables"])
def test_an_answer_file_nested_1000_deep(tmp_path, deep):
    key = write(tmp_path, "key.toml", KEY)
    good = write(tmp_path, "ada.toml", RIGHT)
    bad = write(tmp_path, "deep.toml", f"[p1]\nvalue = {deep}\n")
    run = run_cli("check", key, good, bad, "--json")
    assert run.exit_code == 2, run.stderr
    assert graded(run, good)["score"] == 2           # the others are still graded
    student = graded(run, bad)
    assert student["readable"] is False and student["score"] == 0
    (error,) = student["errors"]
    assert "deep.toml" in error and "too deeply" in error
    human = run_cli("check", key, good, bad)
    assert human.exit_code == 2 and "internal error" not in human.stderr
    assert "could not be read" in human.stdout


@pytest.mark.parametrize("deep", [DEEP_ARRAY, DEEP_TABLE], ids=["arrays", "tables"])
def test_a_key_nested_1000_deep(tmp_path, deep):
    key = write(tmp_path, "key.toml", KEY + f"\n[problem.answer]\nvalue = {deep}\n")
    run = run_cli("check", key, write(tmp_path, "ada.toml", RIGHT), "--json")
    assert_clean_error(run, 2, "key.toml", "too deeply")
    assert run.json["error"]["kind"] == "value"


def test_an_answer_of_5000_digits(tmp_path):
    key = write(tmp_path, "key.toml", KEY)
    good = write(tmp_path, "ada.toml", RIGHT)
    bad = write(tmp_path, "big.toml", f"[p1]\ngrad.x = -4\nvalue = {LONG_INT}\n")
    run = run_cli("check", key, good, bad, "--json")
    assert run.exit_code == 2, run.stderr
    assert graded(run, good)["score"] == 2
    (error,) = graded(run, bad)["errors"]
    assert "big.toml" in error and "4300 digits" in error and "(line 3)" in error
    assert len(error) < 200  # the number is not repeated
    # As a string it is a constant expression, graded (wrong), not a crash.
    text = write(tmp_path, "text.toml", f'[p1]\ngrad.x = -4\nvalue = "{LONG_INT}"\n')
    run = run_cli("check", key, text, "--json")
    assert run.exit_code == 1, run.stderr
    marks = {m["quantity"]: m for m in graded(run, text)["marks"]}
    assert marks["grad.x"]["ok"] and not marks["value"]["ok"]


def test_a_key_binding_of_5000_digits(tmp_path):
    key = write(tmp_path, "key.toml", KEY.replace("x = -2", f"x = -{LONG_INT}"))
    run = run_cli("check", key, write(tmp_path, "ada.toml", RIGHT), "--json")
    assert_clean_error(run, 2, "key.toml", "4300 digits", "(line 5)")  # KEY starts with a blank line
    assert run.json["error"]["kind"] == "value"
    assert len(run.stderr) < 300


def test_a_long_answer_in_the_key_is_not_repeated_whole(tmp_path):
    # The key's own answer disagrees with the program: the message quotes it, shortened.
    long = "+".join(["1"] * 2000)   # = 2000, not -12
    key = write(tmp_path, "key.toml", KEY + f'\n[problem.answer]\nvalue = "{long}"\n')
    run = run_cli("check", key, write(tmp_path, "ada.toml", RIGHT))
    assert_clean_error(run, 2, "its answer for 'value'", "…", "-12")
    assert len(run.stderr) < 400


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_devices_are_refused_not_read(tmp_path):
    key = write(tmp_path, "key.toml", KEY)
    good = write(tmp_path, "ada.toml", RIGHT)
    run = run_cli("check", key, good, "/dev/zero", "--json")
    assert run.exit_code == 2
    assert graded(run, good)["score"] == 2
    (error,) = graded(run, "/dev/zero")["errors"]
    assert "/dev/zero" in error and "device" in error
    run = run_cli("check", "/dev/zero", good, "--json")
    assert_clean_error(run, 2, "/dev/zero", "device")
    assert run.json["error"]["kind"] == "usage"
    run = run_cli("check", str(tmp_path), good)  # a directory
    assert_clean_error(run, 2, "directory")


def test_a_byte_order_mark_is_allowed(tmp_path):
    key = tmp_path / "key.toml"
    key.write_bytes(b"\xef\xbb\xbf" + KEY.encode())
    answers = tmp_path / "ada.toml"
    answers.write_bytes(b"\xef\xbb\xbf" + RIGHT.encode())
    run = run_cli("check", str(key), str(answers), "--json")
    assert run.exit_code == 0, run.stdout + run.stderr
    assert run.json["students"][0]["score"] == 2
