"""--eps 0 with a zero gradient: Adam, Adagrad and RMSprop divide 0 by 0 (PyTorch makes
the parameter nan). gradcli says so as a math error, never an internal error."""

import json
import sys

import pytest

if sys.version_info >= (3, 11):
    import torch        # a test dependency: missing, these tests fail rather than skip
else:
    torch = pytest.importorskip("torch", reason="PyTorch is a test dependency from Python 3.11 on")


@pytest.mark.parametrize("optimizer,cls", [("adam", torch.optim.Adam),
                                           ("adagrad", torch.optim.Adagrad),
                                           ("rmsprop", torch.optim.RMSprop)])
def test_zero_eps_zero_gradient_is_a_math_error(cli, optimizer, cls):
    # The oracle: PyTorch's update with eps=0 at a zero gradient is not a number.
    w = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    opt = cls([w], lr=0.01, eps=0.0)
    ((w - 3) ** 2).backward()
    opt.step()
    assert torch.isnan(w).item()

    r = cli("train", "(w-3)^2", "--param", "w=3", "--optimizer", optimizer,
            "--eps", "0", "--steps", "2", "--json")
    assert r.exit_code == 3
    assert "internal error" not in r.stderr
    assert "--eps" in r.stderr and "divides by 0" in r.stderr
    err = json.loads(r.stdout)["error"]
    assert err["kind"] == "math" and "--eps" in err["message"]


def test_zero_eps_with_a_gradient_trains_as_pytorch(cli):
    w = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.RMSprop([w], lr=0.01, eps=0.0)
    for _ in range(2):
        opt.zero_grad()
        ((w - 3) ** 2).backward()
        opt.step()
    r = cli("train", "(w-3)^2", "--param", "w=0", "--optimizer", "rmsprop",
            "--eps", "0", "--steps", "2", "--json")
    assert r.exit_code == 0
    assert json.loads(r.stdout)["params"]["w"] == pytest.approx(w.item(), rel=1e-12)
