"""Numbers in a key that no double holds: points that add up past 1.8e308, or a whole
number of 401 digits as points or a tolerance, are value errors (exit 2), not internal
errors."""

import json

import pytest

BIG = "1" + "0" * 400   # a TOML integer; float() of it overflows


def _key(tmp_path, extra, ask='["grad.x", "grad.y"]'):
    key = tmp_path / "key.toml"
    key.write_text('[[problem]]\nid = "p1"\nprogram = "f = x * y"\n'
                   f'bindings = {{ x = 2, y = 3 }}\nask = {ask}\n{extra}\n', encoding="utf-8")
    ans = tmp_path / "a.toml"
    ans.write_text('[p1]\n"grad.x" = 3\n"grad.y" = 2\n', encoding="utf-8")
    return str(key), str(ans)


@pytest.mark.parametrize("fmt", ["report", "json", "gradescope", "csv"])
def test_points_adding_up_past_a_double(cli, tmp_path, fmt):
    assert 1e308 + 1e308 == float("inf")          # each is finite; the sum is not
    key, ans = _key(tmp_path, '[problem.points]\n"grad.x" = 1e308\n"grad.y" = 1e308')
    r = cli("check", key, ans, "--format", fmt)
    assert r.exit_code == 2, (r.stdout, r.stderr)
    assert "internal error" not in r.stderr
    assert "add up to more than a double" in r.stderr
    if fmt == "json":
        assert json.loads(r.stdout)["error"]["kind"] == "value"


@pytest.mark.parametrize("entry,says", [(f"points = {BIG}", "its points must be a number >= 0"),
                                        (f"tolerance = {BIG}", "tolerance must be a number >= 0"),
                                        (f"rel_tolerance = {BIG}", "rel_tolerance must be a number >= 0")])
def test_a_whole_number_past_a_double(cli, tmp_path, entry, says):
    key, ans = _key(tmp_path, entry)
    r = cli("check", key, ans, "--json")
    assert r.exit_code == 2, (r.stdout, r.stderr)
    assert "internal error" not in r.stderr and says in r.stderr
    assert json.loads(r.stdout)["error"]["kind"] == "value"


def test_large_finite_points_still_grade(cli, tmp_path):
    key, ans = _key(tmp_path, '[problem.points]\n"grad.x" = 1e300\n"grad.y" = 2')
    r = cli("check", key, ans, "--json")
    assert r.exit_code == 0, r.stderr
    student = json.loads(r.stdout)["students"][0]
    assert student["max_points"] == 1e300 + 2 and student["points"] == 1e300 + 2
