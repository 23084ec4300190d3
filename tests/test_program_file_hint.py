"""Issue 9, item 10: an expression that is the name of a file hints at @FILE."""

from __future__ import annotations

import pytest

from conftest import assert_clean_error, run_cli


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "staged.grad").write_text("q = x + y\nf = q * z\n")
    (tmp_path / "model").write_text("w*x\n")
    return tmp_path


def test_a_file_name_that_does_not_parse_hints_at_the_at_sign(in_tmp):
    run = run_cli("grad", "staged.grad")
    assert_clean_error(run, 2, "syntax error",
                       "a file named staged.grad exists: did you mean @staged.grad?")
    run = run_cli("grad", "staged.grad", "--json")
    assert run.json["error"]["kind"] == "syntax"
    assert "did you mean @staged.grad?" in run.json["error"]["message"]


def test_the_file_hint_comes_alone_for_a_syntax_error(in_tmp):
    # `grad` is no function of the language: "write grad(staged)" would mislead (QA).
    run = run_cli("grad", "staged.grad")
    assert "grad(staged)" not in run.stderr and "methods" not in run.stderr
    assert run.stderr.rstrip().endswith("a file named staged.grad exists: did you mean @staged.grad?")


def test_a_method_hint_names_only_a_real_function():
    assert "write sum(W), not W.sum()" in run_cli("eval", "W.sum()", "-W", "[1, 2]").stderr
    run = run_cli("eval", "W.frobnicate()", "-W", "[1, 2]")
    assert "write f(a), not a.f()" in run.stderr and "frobnicate(W)" not in run.stderr


def test_a_file_name_read_as_a_variable_with_no_value_hints_too(in_tmp):
    run = run_cli("eval", "model")
    assert_clean_error(run, 2, "no value for variable 'model'",
                       "a file named model exists: did you mean @model?")
    run = run_cli("trace", "model", "-x", "1")  # the values meant for the file's program
    assert_clean_error(run, 2, "a file named model exists: did you mean @model?")


def test_with_the_at_sign_the_file_is_read(in_tmp):
    # (x + y)*z at 1, 3, -3: -12 (by hand).
    run = run_cli("grad", "@staged.grad", "-x", "1", "-y", "3", "-z", "-3", "--json")
    assert run.exit_code == 0, run.stderr
    assert run.json["value"] == -12.0


def test_no_hint_without_such_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = run_cli("grad", "staged.grad")
    assert_clean_error(run, 2, "syntax error")
    assert "exists" not in run.stderr


def test_a_program_that_works_is_not_disturbed_by_a_file_of_its_name(in_tmp):
    (in_tmp / "x").write_text("1 +")
    run = run_cli("eval", "x", "-x", "4")
    assert run.exit_code == 0 and run.stdout.strip() == "4", run.stderr
