"""gradcli.train, like `gradcli train`, refuses an optimizer option that the chosen optimizer
does not read (it would be ignored without a word), and fills PyTorch's default when it is
not given: the update rules checked by hand."""

from __future__ import annotations

import pytest

import gradcli
from gradcli.errors import GradUsageError


@pytest.mark.parametrize("optimizer, option, kwargs", [
    ("sgd", "--momentum", dict(momentum=0.5)),
    ("adam", "--momentum", dict(momentum=0.5)),
    ("sgd", "--beta1", dict(betas=(0.8, None))),
    ("momentum", "--beta2", dict(betas=(None, 0.9))),
    ("sgd", "--eps", dict(eps=1e-6)),
])
def test_an_option_the_optimizer_does_not_read_is_refused(optimizer, option, kwargs):
    with pytest.raises(GradUsageError, match=f"{option} is .*: it needs --optimizer .*"
                                             f"\\(the optimizer is {optimizer}\\)"):
        gradcli.train("(w - 3)^2", {"w": 0.0}, optimizer=optimizer, steps=1, **kwargs)


def test_momentum_default_and_given_by_hand():
    # loss (w - 3)^2, g = 2(w - 3); torch.optim.SGD momentum: b = g, then b = mu*b + g; w -= lr*b
    def by_hand(mu, lr=0.1, steps=3):
        w, b = 0.0, None
        for _ in range(steps):
            g = 2 * (w - 3)
            b = g if b is None else mu * b + g
            w -= lr * b
        return w
    default = gradcli.train("(w - 3)^2", {"w": 0.0}, optimizer="momentum", lr=0.1, steps=3)
    given = gradcli.train("(w - 3)^2", {"w": 0.0}, optimizer="momentum", lr=0.1, steps=3, momentum=0.5)
    assert default.params["w"] == pytest.approx(by_hand(0.9), rel=1e-15)
    assert given.params["w"] == pytest.approx(by_hand(0.5), rel=1e-15)


def test_one_beta_given_keeps_the_other_default():
    # Adam, one step from w = 0: m = (1-b1) g, v = (1-b2) g^2, bias-corrected: the step is lr*g/(|g|+eps')
    import math
    def adam_by_hand(b1, b2, lr=0.1, eps=1e-8, steps=2):
        w, m, v = 0.0, 0.0, 0.0
        for t in range(1, steps + 1):
            g = 2 * (w - 3)
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            w -= lr * (m / (1 - b1 ** t)) / (math.sqrt(v / (1 - b2 ** t)) + eps)
        return w
    r = gradcli.train("(w - 3)^2", {"w": 0.0}, optimizer="adam", lr=0.1, steps=2, betas=(0.5, None))
    assert r.params["w"] == pytest.approx(adam_by_hand(0.5, 0.999), rel=1e-13)
