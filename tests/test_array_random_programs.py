"""200 random array programs of mixed shapes: every gradient against torch.autograd.

A generator in this file grows each program from inputs of random shapes by
operations whose shapes fit (broadcasting, @, transpose, reductions with an
axis, softmax, indexing, literals), building beside its text the same
computation as PyTorch closures; the program ends in sum, mean or logsumexp.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradcli

torch.set_default_dtype(torch.float64)

SHAPES = [(), (3,), (2, 3), (3, 1), (1, 3), (3, 3), (2,)]
# Text templates and their PyTorch twins (exp of a tanh: values stay moderate).
UNARY = {"tanh({})": torch.tanh, "sigmoid({})": torch.sigmoid, "sin({})": torch.sin,
         "softplus({})": torch.nn.functional.softplus, "exp(tanh({}))": lambda t: torch.exp(torch.tanh(t))}


def _broadcast(a, b):
    try:
        return tuple(np.broadcast_shapes(a, b))
    except ValueError:
        return None


def _matmul_shape(a, b):
    if not a or not b or len(a) > 2 or len(b) > 2:
        return None
    inner_b = b[0] if len(b) == 1 else b[0]
    if a[-1] != inner_b:
        return None
    return tuple(a[:-1]) + tuple(b[1:])


def generate(rng):
    """(program text, {input: value}, torch function of the inputs)."""
    n_inputs = int(rng.integers(2, 5))
    values, pool = {}, []
    for k in range(n_inputs):
        shape = SHAPES[int(rng.integers(len(SHAPES)))]
        name = f"x{k}"
        values[name] = rng.normal(size=shape)
        pool.append((name, lambda env, name=name: env[name], shape))
    for _ in range(int(rng.integers(2, 7))):
        kind = rng.choice(["binary", "binary", "unary", "matmul", "transpose", "reduce", "softmax",
                           "index", "stack"])
        a = pool[int(rng.integers(len(pool)))]
        b = pool[int(rng.integers(len(pool)))]
        made = None
        if kind == "binary":
            shape = _broadcast(a[2], b[2])
            if shape is not None:
                sym = rng.choice(["+", "-", "*"])
                fn = {"+": torch.add, "-": torch.sub, "*": torch.mul}[sym]
                made = (f"({a[0]} {sym} {b[0]})", lambda env, a=a, b=b, fn=fn: fn(a[1](env), b[1](env)), shape)
        elif kind == "unary":
            name = rng.choice(list(UNARY))
            made = (name.format(a[0]), lambda env, a=a, f=UNARY[name]: f(a[1](env)), a[2])
        elif kind == "matmul":   # any pair of the pool whose shapes fit
            pairs = [(p, q) for p in pool for q in pool if _matmul_shape(p[2], q[2]) is not None]
            if pairs:
                a, b = pairs[int(rng.integers(len(pairs)))]
                shape = _matmul_shape(a[2], b[2])
                made = (f"({a[0]} @ {b[0]})", lambda env, a=a, b=b: a[1](env) @ b[1](env), shape)
        elif kind == "transpose" and len(a[2]) == 2:
            made = (f"transpose({a[0]})", lambda env, a=a: a[1](env).T, a[2][::-1])
        elif kind == "reduce" and a[2]:
            k = int(rng.integers(-len(a[2]), len(a[2])))
            fname = rng.choice(["sum", "mean"])
            shape = list(a[2])
            del shape[k]
            f = torch.sum if fname == "sum" else torch.mean
            made = (f"{fname}({a[0]}, {k})", lambda env, a=a, k=k, f=f: f(a[1](env), k), tuple(shape))
        elif kind == "softmax" and a[2]:
            fname = rng.choice(["softmax", "log_softmax"])
            f = torch.softmax if fname == "softmax" else torch.log_softmax
            made = (f"{fname}({a[0]})", lambda env, a=a, f=f: f(a[1](env), -1), a[2])
        elif kind == "index" and a[2]:
            i = int(rng.integers(-a[2][0], a[2][0]))
            made = (f"{a[0]}[{i}]", lambda env, a=a, i=i: a[1](env)[i], a[2][1:])
        elif kind == "stack" and a[2] == b[2]:
            made = (f"[{a[0]}, {b[0]}]", lambda env, a=a, b=b: torch.stack([a[1](env), b[1](env)]),
                    (2,) + a[2])
        if made is not None:
            pool.append(made)
    last = pool[-1]
    end = rng.choice(["sum", "mean", "logsumexp"] if last[2] and len(last[2]) == 1 else ["sum", "mean"])
    f = {"sum": torch.sum, "mean": torch.mean, "logsumexp": lambda t: torch.logsumexp(t, -1)}[end]
    text = f"L = {end}({last[0]})"
    return text, values, lambda env: f(last[1](env))


@pytest.mark.parametrize("seed", range(200))
def test_random_array_program_matches_torch_autograd(seed):
    rng = np.random.default_rng(seed)
    text, values, fn = generate(rng)
    program = gradcli.compile(text)
    used = {k: v for k, v in values.items() if k in program.inputs}
    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in used.items()}
    out = fn(tensors)
    out.backward()
    r = program.grad(used)
    assert r.value == pytest.approx(float(out.detach()), rel=1e-12, abs=1e-12), text
    for name, t in tensors.items():
        assert np.shape(r.gradient[name]) == np.shape(used[name]), (text, name)
        np.testing.assert_allclose(r.gradient[name], t.grad.numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=f"{text}: ∂/∂{name}")
