"""QA: `gradcli check` of an array program where a student's scalar answer is wrong.

The value of a two-layer network's loss, or ∂L/∂reg, is a number even though the
program works on matrices. A wrong one used to stop the whole class's grading with
"internal error" (exit 70): the likely-mistakes search took every node's value as a
number. Now the wrong answer is marked wrong (exit 1), the others are graded, and the
mistakes that need no local derivatives are still named (the loss without its
regularization, a flipped sign). Oracle: PyTorch (float64).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from torch_oracle import oracle_torch

from conftest import run_cli

torch = oracle_torch()   # below 3.11 these tests skip (torch_oracle.py)

BINDINGS = {"X": [[1, 2], [3, -4], [0.5, 1]], "W1": [[1, -1, 0.5], [0.2, 0.3, -0.4]],
            "b1": [0.1, 0, -0.1], "W2": [[1, 0], [0, 1], [1, 1]], "b2": [0, 0.5], "y": [0, 1, 1],
            "reg": 0.1}
PROGRAM = ("z1 = X @ W1 + b1; h = relu(z1); s = h @ W2 + b2; data_loss = cross_entropy(s, y); "
           "L = data_loss + reg * (sum(W1 * W1) + sum(W2 * W2))")


def torch_answers():
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=k != "y") for k, v in BINDINGS.items()}
    scores = torch.relu(t["X"] @ t["W1"] + t["b1"]) @ t["W2"] + t["b2"]
    data_loss = torch.nn.functional.cross_entropy(scores, t["y"].long())
    loss = data_loss + t["reg"] * ((t["W1"] ** 2).sum() + (t["W2"] ** 2).sum())
    loss.backward()
    return loss.item(), data_loss.item(), {k: v.grad.numpy() for k, v in t.items() if k != "y"}


def toml_value(v) -> str:
    return json.dumps(np.asarray(v).tolist())


@pytest.fixture
def key(tmp_path):
    bindings = ", ".join(f"{k} = {toml_value(v)}" for k, v in BINDINGS.items())
    path = tmp_path / "key.toml"
    path.write_text(f'[[problem]]\nid = "net"\nprogram = "{PROGRAM}"\nbindings = {{ {bindings} }}\n'
                    'ask = ["value", "grad.reg", "grad.b2", "grad.W2"]\n')
    return path


def answers(tmp_path, name, **given):
    path = tmp_path / f"{name}.toml"
    path.write_text(f'student = "{name}"\n[net]\n' + "".join(
        f"{q.replace('__', '.')} = {toml_value(v)}\n" for q, v in given.items()))
    return path


def test_a_wrong_scalar_answer_in_an_array_problem_is_graded_and_diagnosed(key, tmp_path):
    loss, data_loss, grads = torch_answers()
    forgot_reg = answers(tmp_path, "forgot", value=data_loss, grad__reg=-grads["reg"],
                         grad__b2=grads["b2"], grad__W2=grads["W2"])
    right = answers(tmp_path, "right", value=loss, grad__reg=grads["reg"],
                    grad__b2=grads["b2"], grad__W2=grads["W2"])
    run = run_cli("check", str(key), str(forgot_reg), str(right), "--json")
    assert run.exit_code == 1, (run.exit_code, run.stderr)
    students = {s["student"]: s for s in run.json["students"]}
    marks = {m["quantity"]: m for m in students["forgot"]["marks"]}
    assert [marks[q]["ok"] for q in ("value", "grad.reg", "grad.b2", "grad.W2")] == [False, False, True, True]
    assert marks["value"]["diagnosis"]["kind"] == "step"
    assert "data_loss" in marks["value"]["diagnosis"]["message"]
    assert marks["grad.reg"]["diagnosis"]["kind"] == "sign"
    assert all(m["ok"] for m in students["right"]["marks"])


def test_a_wrong_scalar_answer_that_matches_no_mistake_is_just_wrong(key, tmp_path):
    loss, _, grads = torch_answers()
    path = answers(tmp_path, "off", value=loss + 0.5, grad__reg=grads["reg"] * 3,
                   grad__b2=grads["b2"], grad__W2=grads["W2"])
    run = run_cli("check", str(key), str(path))
    assert run.exit_code == 1, (run.exit_code, run.stderr)
    assert "internal error" not in run.stderr
