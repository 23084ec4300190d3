"""QA: a gradient of an array program that is not finite names where it became so.

`grad "sum(sqrt(X))" -X "[0, 1]"` said only "∂/∂X[0] = inf"; the scalar command names the
node whose derivative is infinite (`sqrt(x)` where x = 0), and so does the array one now.
The oracle is PyTorch: its gradient is inf at the same element.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from torch_oracle import oracle_torch

from conftest import assert_clean_error, run_cli

torch = oracle_torch()   # below 3.11 these tests skip (torch_oracle.py)


@pytest.mark.parametrize("program, X, fn, node, where", [
    ("sum(sqrt(X))", [0.0, 1.0], lambda X: torch.sqrt(X).sum(), "'sqrt(X)'", "X[0] = 0"),
    ("sum(X ^ 0.5)", [4.0, 0.0], lambda X: (X ** 0.5).sum(), "'X ^ 0.5'", "X[1] = 0"),
])
def test_the_node_whose_derivative_is_infinite_is_named(program, X, fn, node, where):
    t = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    fn(t).backward()
    bad = int(np.argmax(~np.isfinite(t.grad.numpy())))
    run = run_cli("grad", program, "-X", json.dumps(X), "--json")
    assert_clean_error(run, 3, f"∂/∂X[{bad}] = inf", f"the derivative of {node} with respect to 'X'",
                       f"not finite at [{bad}]", where)
    assert run.json["error"]["kind"] == "math"


def test_an_intermediate_node_is_named_by_its_name_and_its_text():
    X, w = [[1.0, 2.0], [3.0, 4.0]], [2.0, -1.0]
    tX = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    torch.sqrt(tX @ torch.tensor(w, dtype=torch.float64)).sum().backward()
    assert not torch.isfinite(tX.grad[0]).all()       # row 0 of X @ w is 0
    run = run_cli("grad", "h = sqrt(X @ w); sum(h)", "-X", json.dumps(X), "-w", json.dumps(w))
    assert_clean_error(run, 3, "the derivative of 'h' (sqrt(X @ w)) with respect to 'X @ w'",
                       "(X @ w)[0] = 0")
