"""A key's misspelt entry is an error that names it, not a silently ignored line."""

import json


def _key(tmp_path, extra_problem="", extra_top=""):
    key = tmp_path / "key.toml"
    key.write_text(f'{extra_top}[[problem]]\nid = "a"\nprogram = "x*y"\n'
                   f'bindings = {{ x = 1, y = 2 }}\n{extra_problem}', "utf-8")
    answers = tmp_path / "s.toml"
    answers.write_text('student = "s"\n[a]\nvalue = 2\n', "utf-8")
    return str(key), str(answers)


def test_a_misspelt_problem_entry_is_named_with_the_likely_one(cli, tmp_path):
    key, answers = _key(tmp_path, "tolerence = 0.1\n")
    r = cli("check", key, answers)
    assert r.exit_code == 2
    assert "unknown entry 'tolerence'" in r.stderr and "did you mean 'tolerance'?" in r.stderr


def test_a_misspelt_key_entry_is_named_too_and_in_json(cli, tmp_path):
    key, answers = _key(tmp_path, extra_top='titel = "HW 3"\n')
    r = cli("check", key, answers, "--json")
    assert r.exit_code == 2
    error = json.loads(r.stdout)["error"]
    assert error["kind"] == "value" and "'titel'" in error["message"] and "'title'" in error["message"]


def test_every_documented_entry_is_accepted(cli, tmp_path):
    key, answers = _key(tmp_path, 'ask = ["value"]\ntolerance = 0.1\nrel_tolerance = 0.01\n'
                                  'sig_figs = 3\npoints = 2\n',
                        extra_top='title = "HW"\ntolerance = 0.001\n')
    r = cli("check", key, answers)
    assert r.exit_code == 0, r.stderr
