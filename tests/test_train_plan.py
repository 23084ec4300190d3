"""The compiled training plan against the reference passes (arrays.py), and its shape.

The reference is the naive node-by-node interpreter of the same graph and
rules; the plan folds, shares, simplifies and reassociates, so the two agree
to rounding. Many random programs (every function, parameters in every
position, data columns, bound values and constants) are compared.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from gradcli.ops import arrays as kernels_np
from gradcli.data.dataset import Dataset
from gradcli.training.engines import ColumnEngine
from gradcli.errors import GradMathError
from gradcli.training.plan import Plan, compile_plan
from gradcli.training.plan_ir import IR, reads
from gradcli.language.parse import parse

PARAMS = ["w1", "w2"]
UNARY = ["exp", "sin", "cos", "tan", "atan", "sinh", "cosh", "tanh", "sech", "sigmoid", "softplus",
         "relu", "leaky_relu", "abs", "sign", "step", "-"]
POSITIVE = ["log", "log2", "log10", "sqrt"]   # given a positive argument
UNIT = ["asin", "acos"]                       # given an argument in (-1, 1)
BINARY = ["+", "-", "*", "/", "max", "min", "leaky_relu", "^"]


def random_program(rng: random.Random, depth: int) -> str:
    """Program text from a random expression tree (built bottom-up, no recursion)."""
    leaves = ["w1", "w2", "x", "y", "c", "w1", "x", "2", "0.5", "3", "pi"]
    stack = [rng.choice(leaves) for _ in range(2 ** depth)]
    while len(stack) > 1:
        a, b = stack.pop(), stack.pop()
        kind = rng.random()
        if kind < 0.35:
            f = rng.choice(UNARY)
            stack.append(f"(-({a}))" if f == "-" else f"{f}({a})")
        elif kind < 0.45:
            stack.append(f"{rng.choice(POSITIVE)}(1.5 + ({a})^2)")
        elif kind < 0.5:
            stack.append(f"{rng.choice(UNIT)}(sigmoid({a}) - 0.5)")
        else:
            op = rng.choice(BINARY)
            if op in ("max", "min", "leaky_relu"):
                stack.append(f"{op}({a}, {b})")
            elif op == "^":
                stack.append(rng.choice([f"({a})^2", f"({a})^3", f"(1 + sigmoid({a}))^({b})",
                                         f"x^({b})", f"({a})^0", f"({a})^-1"]))
            elif op == "/":
                stack.append(f"({a}) / (2 + sin({b}))")
            else:
                stack.append(f"({a}) {op} ({b})")
        if len(stack) == 1:
            break
        rng.shuffle(stack)
    text = stack[0]
    return text if "w" in text else f"({text}) * w1"  # something to train


def _data(rows=64, seed=0):
    rng = np.random.default_rng(seed)
    return Dataset.from_columns({"x": rng.uniform(0.2, 1.5, rows), "y": rng.uniform(-1, 1, rows)})


def _compare(text: str, theta, data, scalars=None, chunk=None):
    """The plan's loss and gradient, and the reference's; None if the reference fails.

    chunk: rows per chunk of the plan's row-sized work (None: the default).
    """
    g = parse(text)
    scalars = scalars if scalars is not None else ({"c": -0.7} if "c" in g.inputs else {})
    params = [p for p in PARAMS if p in g.inputs] or []
    if not params:
        return None
    engine = ColumnEngine(g, params, scalars, data)
    theta = theta[:len(params)]
    try:
        want = engine.reference(theta)
    except GradMathError:
        return None
    got = engine.plan.bind(data.rows, chunk)
    got.load(engine.columns)
    return got.run(theta), want


@pytest.mark.parametrize("seed, chunk", [(1234, None), (99, 7)])
def test_random_programs_agree_with_the_reference(seed, chunk):
    # chunk 7: the 64 rows go through in 10 chunks, the last one shorter.
    rng = random.Random(seed)
    data = _data(seed=seed)
    compared = 0
    for case in range(400):
        text = random_program(rng, rng.randint(1, 5))
        pair = _compare(text, [rng.uniform(-1, 1), rng.uniform(-1, 1)], data, chunk=chunk)
        if pair is None:
            continue
        (loss, grads), (want_loss, want_grads) = pair
        scale = 1 + abs(want_loss) + max(map(abs, want_grads))
        np.testing.assert_allclose(loss, want_loss, rtol=1e-9, atol=1e-12 * scale, err_msg=text)
        np.testing.assert_allclose(grads, want_grads, rtol=1e-8, atol=1e-11 * scale, err_msg=text)
        compared += 1
    assert compared > 320  # most programs are computable at these values


@pytest.mark.parametrize("text", [
    "(w1*x + w2 - y)^2",
    "-(y*log(sigmoid(w1*x + w2*y + 0.5)) + (1-y)*log(1 - sigmoid(w1*x + w2*y + 0.5)))",
    "p = sigmoid(w1*x + w2); q = p; -(y*log(q) + (1-y)*log(1-p))",
    "softplus(w1*x) - sigmoid(w1*x) + relu(w2 - x) + leaky_relu(w1 - y) + leaky_relu(w2*x, 0.2)",
    "leaky_relu(w1 - y, w2)",       # a slope that is a parameter: the kernel itself
    "x^w1 + (1 + w2^2)^x + (w1*w2)^2",  # pow with a parameter exponent: zero_where at run time
    "exp(w1) * x + w2^2",           # scalar sub-expressions of parameters
    "(w1 - 3)^2 + w2",              # no column at all: the mean of one number
    "w1 * x * x * y - w1 * (x * y) * x + w2 * c",
    "max(w1*x, w2) + min(w1, w2*y) + abs(w1 - x) + sign(w2)",
    "tanh(w1)^2 + sech(w2*x) + cosh(w1 - 1) + sqrt(1 + (w2*x)^2)",
    # Once, a sum over rows of one number escaped the rewrites' depth limit unlowered.
    "leaky_relu(tan(2), leaky_relu(w1, (cosh(c)) + ((x) + (0.5))))",
])
@pytest.mark.parametrize("chunk", [None, 5, 64])
def test_chosen_programs_agree_with_the_reference(text, chunk):
    pair = _compare(text, [0.4, -0.3], _data(seed=3), chunk=chunk)
    assert pair is not None
    (loss, grads), (want_loss, want_grads) = pair
    np.testing.assert_allclose(loss, want_loss, rtol=1e-12)
    np.testing.assert_allclose(grads, want_grads, rtol=1e-11, atol=1e-15)


def test_pow_at_base_zero_takes_pytorchs_convention():
    # d(x^w)/dw = x^w log(x), taken as 0 where x = 0 (PyTorch): the mean over x = 0, 1, e.
    x = np.array([0.0, 1.0, np.e])
    data = Dataset.from_columns({"x": x})
    engine = ColumnEngine(parse("x^w"), ["w"], {}, data)
    loss, grads = engine.evaluate([2.0])
    assert loss == pytest.approx((0 + 1 + np.e ** 2) / 3, rel=1e-15)
    assert grads[0] == pytest.approx((0 + 0 + np.e ** 2 * 1) / 3, rel=1e-15)


def test_deep_programs_compile_without_recursion():
    n = 20000
    text = "(" * n + "w1*x" + " + x)" * n
    pair = _compare(text, [0.5], _data(rows=8))
    (loss, grads), (want_loss, want_grads) = pair
    np.testing.assert_allclose([loss, *grads], [want_loss, *want_grads], rtol=1e-10)
    text = "sin(" * 3000 + "w1*x" + ")" * 3000
    (loss, grads), (want_loss, want_grads) = _compare(text, [0.5], _data(rows=8))
    np.testing.assert_allclose([loss, *grads], [want_loss, *want_grads], rtol=1e-10)


SPECIAL = np.array([0.0, -0.0, 1e-310, -1e-310, 0.5, -0.5, 1.0, -1.0, 3.7, -3.7, 30.0, -30.0,
                    709.0, -709.0, 745.0, -745.0, 1000.0, -1000.0, 1e300, -1e300,
                    np.inf, -np.inf, np.nan])


@pytest.mark.parametrize("name, extra", [
    ("sigmoid", ()), ("softplus", ()), ("relu", ()), ("step", ()), ("sech", ()), ("identity", ()),
    ("leaky_relu", ()), ("leaky_relu", (0.2,)), ("leaky_relu", (0.0,)), ("leaky_relu", (1.0,)),
    ("leaky_relu", (-0.5,)), ("leaky_relu", (2.0,)),
])
def test_expansions_give_what_the_kernels_give(name, extra):
    ir = IR()
    a = ir.column("a")
    out = ir.kernel(name, [a, *(ir.const(v) for v in extra)])
    bound = Plan(ir, out, [], [], ["a"]).bind(len(SPECIAL))
    bound.load({"a": SPECIAL})
    got = bound.vals[out]
    with np.errstate(all="ignore"):
        want = getattr(kernels_np, name)(SPECIAL, *extra)
    np.testing.assert_array_equal(got, want)  # equal values (nan equals nan; the sign of a zero aside)


def test_linear_regression_plan_is_three_row_operations():
    plan = compile_plan(parse("(w*x + b - y)^2"), ["w", "b"], {}, ["x", "y"])
    body = plan.describe().split("every step:")[1]
    row_ops = [line for line in body.splitlines() if line.endswith("[rows]")]
    # w*x, + b, - y; the square, the 2 of its derivative and the adjoints are never row-sized.
    assert len(row_ops) == 3
    assert "1.0" not in body and "neg" not in body and "power" not in body
    assert body.count("dot(") == 2


def test_logistic_plan_shares_the_sigmoids():
    text = "-(y*log(sigmoid(w1*x1 + w2*x2 + b)) + (1-y)*log(1 - sigmoid(w1*x1 + w2*x2 + b)))"
    plan = compile_plan(parse(text), ["w1", "w2", "b"], {}, ["x1", "x2", "y"])
    text = plan.describe()
    # Both copies of the sigmoid and the sigmoid(-z) of its derivative share one exp(-|z|).
    assert text.count("exp(") == 1 and text.count("log(") == 2
    assert text.count("mul(w1, x1)") == 1
    once = text.split("every step:")[0]
    assert "sub(1.0, y)" in once  # data-only values: once per batch


def test_bound_values_are_folded():
    plan = compile_plan(parse("(w*x - t*2)^2"), ["w"], {"t": 1.5}, ["x"])
    assert "sub(%2, 3.0)" in plan.describe()
    assert "t" not in plan.ir.extra


def test_zero_where_reads():
    from gradcli.ops.table import POW

    assert reads(POW.zero_where[0]) == {"b"}
    assert reads(POW.zero_where[1]) == {"a", "b"}


def test_plan_falls_back_to_the_reference_on_infinities():
    # max(sqrt(w x - 1), 5) at w x = 1 takes 5: sqrt's infinite slope at 0 meets a zero adjoint.
    # The reference passes skip it (0·∞ is 0 there); the plan's arithmetic gives nan and
    # falls back to them. Loss 5 + w, gradient 0 + 1.
    data = Dataset.from_columns({"x": [1.0, 1.0]})
    engine = ColumnEngine(parse("max(sqrt(w*x - 1), 5) + w"), ["w"], {}, data)
    bound = engine.plan.bind(2)
    bound.load(engine.columns)
    assert np.isnan(bound.run([1.0])[1][0])  # the plan alone
    loss, grads = engine.evaluate([1.0])
    assert loss == 6.0 and grads == [1.0]


def test_training_in_chunks_gives_what_training_in_one_piece_gives(monkeypatch):
    from gradcli.training import plan_run
    from gradcli.training.loop import train

    rng = np.random.default_rng(5)
    x1, x2 = rng.normal(size=300), rng.normal(size=300)
    data = {"x1": x1, "x2": x2, "y": (x1 + x2 > 0).astype(float)}
    text = "p = sigmoid(w1*x1 + w2*x2 + b); -(y*log(p) + (1-y)*log(1-p))"
    params = {"w1": 0, "w2": 0, "b": 0}
    whole = train(text, params, data=data, lr=0.5, steps=30, batch_size=128, seed=2)
    monkeypatch.setattr(plan_run, "CHUNK_ROWS", 37)
    chunked = train(text, params, data=data, lr=0.5, steps=30, batch_size=128, seed=2)
    np.testing.assert_allclose(chunked.history.loss, whole.history.loss, rtol=1e-12)
    np.testing.assert_allclose(list(chunked.params.values()), list(whole.params.values()), rtol=1e-11)
