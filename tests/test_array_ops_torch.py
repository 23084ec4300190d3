"""Every array operation (SPEC §6): value and gradient against PyTorch, and against
central finite differences element by element (the differences of PyTorch's own
forward values, in float64), at random shapes including broadcast ones.

Each case is wrapped as L = sum(R * (expr)), R a fixed random array of the
expression's shape, so that the upstream gradient is not all ones.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradcli

torch.set_default_dtype(torch.float64)

RNG = np.random.default_rng(11)


def positive(shape):
    return RNG.uniform(0.5, 2.0, size=shape)


def anything(shape):
    return RNG.normal(size=shape)


def labels(n_classes, shape):
    return RNG.integers(0, n_classes, size=shape).astype(float)


F = torch.nn.functional

# (program, {name: value}, torch function of the tensors by name, names without gradient)
CASES = []


def case(text, values, fn, no_grad=()):
    CASES.append(pytest.param(text, values, fn, no_grad, id=f"{text} {[np.shape(v) for v in values.values()]}"))


BROADCASTS = [((3, 4), (4,)), ((3, 1), (1, 4)), ((2, 3, 4), (3, 1)), ((), (3,)), ((4,), ()),
              ((2, 1, 4), (3, 1)), ((3, 4), (3, 4))]
for sa, sb in BROADCASTS:
    case("a + b", {"a": anything(sa), "b": anything(sb)}, lambda t: t["a"] + t["b"])
    case("a - b", {"a": anything(sa), "b": anything(sb)}, lambda t: t["a"] - t["b"])
    case("a * b", {"a": anything(sa), "b": anything(sb)}, lambda t: t["a"] * t["b"])
    case("a / b", {"a": anything(sa), "b": positive(sb)}, lambda t: t["a"] / t["b"])
    case("a ^ b", {"a": positive(sa), "b": anything(sb)}, lambda t: t["a"] ** t["b"])
    case("max(a, b)", {"a": anything(sa), "b": anything(sb)}, lambda t: torch.maximum(t["a"], t["b"]))
    case("min(a, b)", {"a": anything(sa), "b": anything(sb)}, lambda t: torch.minimum(t["a"], t["b"]))

UNARY = {
    "exp": (anything, torch.exp), "log": (positive, torch.log), "sqrt": (positive, torch.sqrt),
    "sin": (anything, torch.sin), "cos": (anything, torch.cos), "tanh": (anything, torch.tanh),
    "sigmoid": (anything, torch.sigmoid), "relu": (anything, torch.relu),
    "softplus": (anything, F.softplus), "abs": (anything, torch.abs),
    "leaky_relu": (anything, F.leaky_relu), "atan": (anything, torch.atan),
    "log2": (positive, torch.log2), "cosh": (anything, torch.cosh),
}
for name, (draw, fn) in UNARY.items():
    case(f"{name}(a)", {"a": draw((3, 4))}, lambda t, fn=fn: fn(t["a"]))
case("-a", {"a": anything((2, 3))}, lambda t: -t["a"])
case("a^2", {"a": anything((2, 3))}, lambda t: t["a"] ** 2)
case("leaky_relu(a, s)", {"a": anything((3, 4)), "s": anything((4,))},
     lambda t: torch.where(t["a"] > 0, t["a"], t["s"] * t["a"]))

MATMULS = [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)), ((2, 3, 4), (4, 5)),
           ((2, 3, 4), (2, 4, 5)), ((1, 3, 4), (2, 4, 2)), ((4,), (2, 4, 3)), ((2, 3, 4), (4,)),
           ((5, 1), (1, 3))]
for sa, sb in MATMULS:
    case("a @ b", {"a": anything(sa), "b": anything(sb)}, lambda t: t["a"] @ t["b"])

for shape in [(3, 4), (2, 3, 4), (4,), ()]:
    case("transpose(a)", {"a": anything(shape)}, lambda t: t["a"].permute(tuple(reversed(range(t["a"].ndim)))))
    case("sum(a)", {"a": anything(shape)}, lambda t: t["a"].sum())
    case("mean(a)", {"a": anything(shape)}, lambda t: t["a"].mean())
for shape in [(3, 4), (2, 3, 4), (5,)]:
    for k in range(-len(shape), len(shape)):
        case(f"sum(a, {k})", {"a": anything(shape)}, lambda t, k=k: t["a"].sum(k))
        case(f"mean(a, {k})", {"a": anything(shape)}, lambda t, k=k: t["a"].mean(k))
    case("softmax(a)", {"a": anything(shape)}, lambda t: torch.softmax(t["a"], -1))
    case("log_softmax(a)", {"a": anything(shape)}, lambda t: torch.log_softmax(t["a"], -1))
    case("logsumexp(a)", {"a": anything(shape)}, lambda t: torch.logsumexp(t["a"], -1))

case("cross_entropy(s, y)", {"s": anything((5,)), "y": np.array(3.0)},
     lambda t: F.cross_entropy(t["s"], t["y"].long()), no_grad=("y",))
case("cross_entropy(s, y)", {"s": anything((6, 4)), "y": labels(4, (6,))},
     lambda t: F.cross_entropy(t["s"], t["y"].long()), no_grad=("y",))
case("cross_entropy(s * 100, y)", {"s": anything((3, 4)), "y": labels(4, (3,))},
     lambda t: F.cross_entropy(t["s"] * 100, t["y"].long()), no_grad=("y",))

for index, fn in [("1", lambda a: a[1]), ("-1", lambda a: a[-1]), ("1, 2", lambda a: a[1, 2]),
                  ("-3, -1", lambda a: a[-3, -1])]:
    case(f"a[{index}]", {"a": anything((3, 4))}, lambda t, fn=fn: fn(t["a"]))
case("a[1, 0, 2]", {"a": anything((2, 3, 4))}, lambda t: t["a"][1, 0, 2])
case("(a @ b)[0]", {"a": anything((2, 3)), "b": anything((3, 2))}, lambda t: (t["a"] @ t["b"])[0])

case("[x, y]", {"x": anything((3,)), "y": anything((3,))}, lambda t: torch.stack([t["x"], t["y"]]))
case("[x, y, x * y]", {"x": anything(()), "y": anything(())},
     lambda t: torch.stack([t["x"], t["y"], t["x"] * t["y"]]))
case("[[x, 1], [2, y]]", {"x": anything(()), "y": anything(())},
     lambda t: torch.stack([torch.stack([t["x"], torch.tensor(1.0)]),
                            torch.stack([torch.tensor(2.0), t["y"]])]))
case("[1, 2, 3] * a", {"a": anything((2, 3))}, lambda t: torch.tensor([1.0, 2, 3]) * t["a"])


def _torch_value(fn, values, names):
    tensors = {k: torch.tensor(v, requires_grad=k in names) for k, v in values.items()}
    return fn(tensors), tensors


@pytest.mark.parametrize("text,values,fn,no_grad", CASES)
def test_value_and_gradient_match_pytorch(text, values, fn, no_grad):
    names = [k for k in values if k not in no_grad]
    out, tensors = _torch_value(fn, values, names)
    weights = RNG.normal(size=tuple(out.shape))
    (torch.tensor(weights) * out).sum().backward()

    got = gradcli.evaluate(text, values)
    np.testing.assert_allclose(got.value, out.detach().numpy(), rtol=1e-12, atol=1e-12)
    assert np.shape(got.value) == tuple(out.shape)

    r = gradcli.grad(f"L = sum(R * ({text}))", {**values, "R": weights})
    assert set(r.gradient) == set(names) | {"R"}
    for name in names:
        expected = tensors[name].grad.numpy()
        assert np.shape(r.gradient[name]) == np.shape(values[name]), name
        np.testing.assert_allclose(r.gradient[name], expected, rtol=1e-10, atol=1e-12, err_msg=name)
    forward = gradcli.grad(f"L = sum(R * ({text}))", {**values, "R": weights}, mode="forward")
    for name in names:
        np.testing.assert_allclose(forward.gradient[name], tensors[name].grad.numpy(),
                                   rtol=1e-10, atol=1e-12, err_msg=f"forward mode, {name}")


@pytest.mark.parametrize("text,values,fn,no_grad", CASES)
def test_gradient_matches_central_differences(text, values, fn, no_grad):
    names = [k for k in values if k not in no_grad]
    out, _ = _torch_value(fn, values, [])
    weights = RNG.normal(size=tuple(out.shape))

    def loss(vals):
        with torch.no_grad():
            return float((torch.tensor(weights) * fn({k: torch.tensor(v) for k, v in vals.items()})).sum())

    r = gradcli.grad(f"L = sum(R * ({text}))", {**values, "R": weights})
    eps = 1e-6
    for name in names:
        base = np.array(values[name], dtype=float)
        numeric = np.zeros(base.shape)
        for element in np.ndindex(*base.shape):
            up, down = base.copy(), base.copy()
            up[element] += eps
            down[element] -= eps
            numeric[element] = (loss({**values, name: up}) - loss({**values, name: down})) / (2 * eps)
        analytic = np.asarray(r.gradient[name])
        rel = np.abs(analytic - numeric) / np.maximum(1e-8, np.abs(analytic) + np.abs(numeric))
        assert rel.max() < 1e-5, (name, analytic, numeric)


def test_softmax_family_does_not_overflow():
    assert gradcli.evaluate("softmax([1000, 0])").value.tolist() == [1.0, 0.0]
    np.testing.assert_allclose(gradcli.evaluate("log_softmax([1000, 0])").value, [0.0, -1000.0])
    assert gradcli.evaluate("logsumexp([1000, 1000])").value == pytest.approx(1000 + np.log(2), abs=0)
    r = gradcli.grad("cross_entropy(s, y)", s=[1000.0, 0.0, -1000.0], y=2.0)
    assert r.value == 2000.0
    np.testing.assert_allclose(r.gradient["s"], [1.0, 0.0, -1.0])


def test_scalars_keep_the_float_path():
    """A scalar program with scalar values never meets the arrays domain: plain floats out."""
    r = gradcli.grad("(x+y)*z", x=1, y=3, z=-3)
    assert type(r.value) is float and all(type(v) is float for v in r.gradient.values())
    assert not hasattr(r, "shapes")
