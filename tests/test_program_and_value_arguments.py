"""The program argument (text or @FILE) and binding values: kept exactly, or a clear error."""

from __future__ import annotations

from conftest import assert_clean_error


def test_a_binding_value_is_one_constant_expression(cli):
    for value in ("1;2", "p = 2; p"):
        r = cli("eval", "x", "-x", value, "--json")
        assert_clean_error(r, 2, "not one constant expression")
        assert r.json["error"]["kind"] == "value"


def test_bare_at_sign_is_a_usage_error(cli):
    r = cli("eval", "@", "--json")
    assert_clean_error(r, 2, "needs a file name")
    assert r.json["error"]["kind"] == "usage"


def test_expression_keeps_the_file_text_exactly(cli, tmp_path):
    program = tmp_path / "crlf.txt"
    program.write_bytes(b"p = x + 1\r\np * 2\r\n")
    r = cli("eval", f"@{program}", "-x", "1", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json["expression"] == "p = x + 1\r\np * 2\r\n" and r.json["value"] == 4
