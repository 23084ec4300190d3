"""The headline examples, through the command line."""

from conftest import assert_clean_error


def test_grad_headline(cli):
    r = cli("grad", "(x+y)*z", "-x", "1", "-y", "3", "-z", "-3", "--json")
    assert r.exit_code == 0
    assert r.json == {"expression": "(x+y)*z", "inputs": {"x": 1, "y": 3, "z": -3},
                      "value": -12, "gradient": {"x": -3, "y": -3, "z": 4}}
    assert r.stdout.endswith("\n") and r.stdout.count("\n") == 1


def test_syntax_error_has_caret(cli):
    r = cli("grad", "(x+y*z", "-x", "1", "-y", "3", "-z", "-3")
    assert_clean_error(r, 2, "^", "')'")


def test_bare_gradcli_shows_the_help(cli):
    r = cli()
    assert r.exit_code == 0
    assert r.stdout.startswith("Usage: ") and "Commands:" in r.stdout and "grad" in r.stdout
    assert "error" not in r.stderr
