"""The Python API: an unknown mode is a usage error (it ran reverse mode quietly), and a
string wrt is a name, or names joined by commas as --wrt (list("xy") asked for x and y)."""

import pytest

import gradcli
from gradcli.errors import GradUsageError


@pytest.mark.parametrize("call", [gradcli.grad, gradcli.trace])
def test_unknown_mode(call):
    with pytest.raises(GradUsageError, match="mode must be 'reverse' or 'forward'"):
        call("x*y", {"x": 1, "y": 2}, mode="sideways")


def test_string_wrt():
    # f = xy·y: ∂f/∂xy = y = 2, ∂f/∂y = xy = 1 by hand.
    assert gradcli.grad("xy*y", xy=1, y=2, wrt="xy").gradient == {"xy": 2.0}
    assert gradcli.grad("xy*y", xy=1, y=2, wrt="xy, y").gradient == {"xy": 2.0, "y": 1.0}
    assert gradcli.grad("xy*y", xy=1, y=2, wrt=["y"]).gradient == {"y": 1.0}
    assert gradcli.trace("xy*y", {"xy": 1, "y": 2}, wrt="xy").result.gradient == {"xy": 2.0}
