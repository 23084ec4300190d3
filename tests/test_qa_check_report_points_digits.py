"""The report shows points to 4 decimals (a third is 0.3333), where it printed
0.333333333333/0.333333333333, folded over two lines; JSON keeps full precision."""

import json


def _files(tmp_path, points):
    key = tmp_path / "key.toml"
    key.write_text('[[problem]]\nid = "p1"\nprogram = "f = x * y"\nbindings = { x = 2, y = 3 }\n'
                   f'ask = ["value", "grad.x", "grad.y"]\npoints = {points}\n', encoding="utf-8")
    ans = tmp_path / "a.toml"
    ans.write_text('[p1]\nvalue = 6\n"grad.x" = 3\n"grad.y" = 3\n', encoding="utf-8")
    return str(key), str(ans)


def test_thirds_of_a_point(cli, tmp_path):
    key, ans = _files(tmp_path, 1)          # 1 point shared by 3 quantities: 1/3 each
    r = cli("check", key, ans, env={"COLUMNS": "400"})   # wide: a long tmp path must not wrap the line
    assert r.exit_code == 1
    assert "2/3, 0.6667/1 points" in r.stdout
    assert "0.3333/0.3333" in r.stdout and "0/0.3333" in r.stdout
    assert "0.333333" not in r.stdout and "0.666666" not in r.stdout
    assert "mean points 0.6667 of 1" in r.stdout
    j = json.loads(cli("check", key, ans, "--json").stdout)
    assert j["students"][0]["marks"][0]["points"] == 1 / 3


def test_whole_digits_are_kept(cli, tmp_path):
    key, ans = _files(tmp_path, 3703.5)     # 1234.5 each: no digit of the whole part lost
    r = cli("check", key, ans, env={"COLUMNS": "400"})   # wide: a long tmp path must not wrap the line
    assert "1234.5/1234.5" in r.stdout and "2469/3703.5 points" in r.stdout
