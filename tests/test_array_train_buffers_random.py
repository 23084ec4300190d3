"""200 random array programs of mixed shapes, each trained two SGD steps in reused buffers
(training/array_plan.py): the parameters against PyTorch autograd's two steps.

The programs are test_array_random_programs.py's (broadcasting, @, transpose, reductions
with an axis, softmax, indexing, literals); every input is a parameter.
"""

from __future__ import annotations

import numpy as np
import pytest

from test_array_random_programs import generate, torch

from gradcli.program.program import Program
from gradcli.training.array_plan_run import BoundArrayPlan
from gradcli.training.engines import ArrayPointEngine
from gradcli.training.loop import train

LR = 0.1


@pytest.mark.parametrize("seed", range(200))
def test_random_array_program_trained_in_buffers_matches_torch(seed):
    rng = np.random.default_rng(seed)
    text, values, fn = generate(rng)
    program = Program(text)
    used = {k: np.asarray(v, dtype=float) for k, v in values.items() if k in program.inputs}
    r = train(program, used, None, lr=LR, steps=2)
    engine = ArrayPointEngine(program.graph, list(used), {}, used)
    engine.evaluate(list(used.values()))
    assert isinstance(engine._plan, BoundArrayPlan), text
    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in used.items()}
    for _ in range(2):
        grads = torch.autograd.grad(fn(tensors), list(tensors.values()), allow_unused=True)
        tensors = {k: (t - LR * (0 if g is None else g)).detach().requires_grad_(True)
                   for (k, t), g in zip(tensors.items(), grads)}
    for name, t in tensors.items():
        assert np.shape(r.params[name]) == np.shape(used[name]), (text, name)
        np.testing.assert_allclose(r.params[name], t.detach().numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=f"{text}: {name}")
