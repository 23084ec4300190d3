"""A value that cannot be computed (-x 1/0) names the value once, not
"'1/0', cannot be computed: '1/0' cannot be computed: …"."""

import json

import pytest


@pytest.mark.parametrize("value,why", [
    ("1/0", "division by zero"),
    ("log(-1)", "log needs a positive number"),
    ("exp(1000)", "exp overflows"),
])
def test_whole_value_named_once(cli, value, why):
    r = cli("grad", "x", "-x", value, "--json")
    assert r.exit_code == 2
    message = json.loads(r.stdout)["error"]["message"]
    assert message.startswith(f"the value of 'x', '{value}', cannot be computed: {why}"), message
    assert message.count("cannot be computed") == 1


def test_a_part_of_the_value_is_still_named(cli):
    r = cli("grad", "x", "-x", "2 + log(-1)", "--json")
    assert r.exit_code == 2
    message = json.loads(r.stdout)["error"]["message"]
    assert "'2 + log(-1)', cannot be computed: 'log(-1)' cannot be computed: log needs" in message


def test_check_answer_named_once(cli, tmp_path):
    key = tmp_path / "key.toml"
    key.write_text('[[problem]]\nid = "p1"\nprogram = "f = x * y"\nbindings = { x = 2, y = 3 }\n'
                   'ask = ["grad.x"]\n', encoding="utf-8")
    ans = tmp_path / "a.toml"
    ans.write_text('[p1]\n"grad.x" = "1/0"\n', encoding="utf-8")
    r = cli("check", str(key), str(ans), "--format", "csv")
    assert r.exit_code == 1
    assert "'1/0', cannot be computed: division by zero" in r.stdout
