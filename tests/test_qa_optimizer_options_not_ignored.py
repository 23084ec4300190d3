"""--momentum, --beta1, --beta2 and --eps given to an optimizer that does not read them
are usage errors (README: "an option given to ... an optimizer it does not belong to
... is a usage error"), not silently ignored."""

import json

import pytest


@pytest.mark.parametrize("optimizer,option,value", [
    ("rmsprop", "--beta1", "0.5"),
    ("adagrad", "--beta2", "0.5"),
    ("rmsprop", "--momentum", "0.5"),
    ("sgd", "--momentum", "0.5"),
    ("adam", "--momentum", "0.5"),
    ("sgd", "--eps", "0.5"),
    ("momentum", "--eps", "0.5"),
    ("momentum", "--beta1", "0.5"),
])
def test_option_of_another_optimizer(cli, optimizer, option, value):
    r = cli("train", "(w-3)^2", "--param", "w=0", "--optimizer", optimizer, option, value,
            "--steps", "1", "--json")
    assert r.exit_code == 2, (r.stdout, r.stderr)
    err = json.loads(r.stdout)["error"]
    assert err["kind"] == "usage"
    assert option in err["message"] and f"the optimizer is {optimizer}" in err["message"]


@pytest.mark.parametrize("optimizer,option,value,w", [
    # By hand, one step from w = 0 (gradient -6), lr 0.1:
    ("momentum", "--momentum", "0.5", 0.6),            # the first step: b = g
    ("adam", "--beta1", "0.5", 0.1 * 6 / (6 + 1e-8)),  # m̂ = -6, v̂ = 36
    ("rmsprop", "--eps", "1", 0.1 * 6 / (0.6 + 1)),    # s = 0.01·36, √s = 0.6
    ("adagrad", "--eps", "1", 0.1 * 6 / (6 + 1)),      # s = 36
])
def test_option_of_its_own_optimizer_still_works(cli, optimizer, option, value, w):
    r = cli("train", "(w-3)^2", "--param", "w=0", "--optimizer", optimizer, option, value,
            "--lr", "0.1", "--steps", "1", "--json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["params"]["w"] == pytest.approx(w, rel=1e-12)
