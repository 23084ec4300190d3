"""The table's predicates (kinks, PyTorch's masks, causes of a non-finite value) are data,
and the one interpreter reads them the same way in every kind of number.

The oracle is a truth table written by hand at chosen points (the kinks a = 0,
a = b, b = 0, and a = 0 with b >= 0 among them), keyed by where each predicate
sits in the operation table, so that a predicate changed or added in the table
without its truth table fails here.
"""

from __future__ import annotations

import inspect
import math
import pathlib
import random
from fractions import Fraction

import numpy as np
import pytest

import gradcli
from gradcli.ops import table as O
from gradcli.ops import predicates as P
from gradcli.training.plan import compile_plan
from gradcli.language.parse import parse

T, F, M = True, False, P.MAYBE
INF, NAN = math.inf, math.nan

# (a, b, out): out is the operation's value where an `explain` predicate reads it.
POINTS = [
    (0, 0, 1.0),       # 0^0: every kink at once
    (0, 2, 0.0),
    (0, -1, INF),
    (1, 1, 1.0),       # a tie
    (2, 0, 1.0),
    (-1, 0.5, NAN),    # (-1)^0.5
    (3, -2, 0.125),
    (-2, -2, 0.25),    # a tie, both negative
]

A_IS_0 = [T, T, T, F, F, F, F, F]
A_IS_B = [T, F, F, T, F, F, F, T]
B_IS_0 = [T, F, F, F, T, F, F, F]
A_IS_0_B_NOT_NEG = [T, T, F, F, F, F, F, F]
OUT_IS_NAN = [F, F, F, F, F, T, F, F]
ALWAYS = [T] * len(POINTS)

UNARY_KINK = {name: A_IS_0 for name in ("relu", "leaky_relu", "abs", "sign", "step")}
TRUTH = {
    **{(name, 1, "kink"): row for name, row in UNARY_KINK.items()},
    ("leaky_relu", 2, "kink"): A_IS_0,
    ("max", 2, "kink"): A_IS_B,
    ("min", 2, "kink"): A_IS_B,
    ("pow", 2, "kink"): A_IS_0,
    ("pow", 2, "zero_where", 0): B_IS_0,             # ∂/∂base is 0 where the exponent is 0
    ("pow", 2, "zero_where", 1): A_IS_0_B_NOT_NEG,   # ∂/∂exponent is 0 at base 0, exponent >= 0
    ("div", 2, "explain", 0): B_IS_0,                # "division by zero"
    ("div", 2, "explain", 1): ALWAYS,                # else: an overflow
    ("pow", 2, "explain", 0): A_IS_0,                # 0 to a negative power
    ("pow", 2, "explain", 1): OUT_IS_NAN,            # a negative base, a fractional power
    ("pow", 2, "explain", 2): ALWAYS,                # else: an overflow
}


def table_predicates():
    """(key, predicate, arity) for every predicate the operation table holds."""
    found = []
    for op in O.ALL_OPS:
        if op.kink is not None:
            found.append(((op.name, op.arity, "kink"), op.kink, op.arity))
        for k, pred in enumerate(op.zero_where):
            if pred is not None:
                found.append(((op.name, op.arity, "zero_where", k), pred, op.arity))
        for k, (pred, _cause) in enumerate(op.explain):
            found.append(((op.name, op.arity, "explain", k), pred, op.arity))
    return found


FOUND = table_predicates()
IDS = ["/".join(map(str, key)) for key, _, _ in FOUND]


def test_every_predicate_of_the_table_has_a_hand_truth_table():
    assert sorted(key for key, _, _ in FOUND) == sorted(TRUTH)


@pytest.mark.parametrize("key, pred, arity", FOUND, ids=IDS)
def test_predicates_are_data_over_the_operation_names(key, pred, arity):
    assert not callable(pred)
    P.parts(pred)  # well formed
    allowed = {"a", "b"}.intersection(("a", "b")[:arity]) | ({"out"} if key[2] == "explain" else set())
    assert P.reads(pred) <= allowed


def points_for(arity):
    return [(a, b if arity == 2 else None, out) for a, b, out in POINTS]


@pytest.mark.parametrize("key, pred, arity", FOUND, ids=IDS)
def test_floats(key, pred, arity):
    got = [P.holds(pred, float(a), None if b is None else float(b), out) for a, b, out in points_for(arity)]
    assert got == TRUTH[key]


@pytest.mark.parametrize("key, pred, arity", FOUND, ids=IDS)
def test_exact_rationals(key, pred, arity):
    for (a, b, out), want in zip(points_for(arity), TRUTH[key]):
        if not math.isfinite(out):
            continue  # no rational is nan or inf
        exact = [Fraction(a), None if b is None else Fraction(b), Fraction(out)]
        assert P.holds(pred, *exact) == want, (a, b, out)


@pytest.mark.parametrize("key, pred, arity", FOUND, ids=IDS)
def test_numpy_arrays_element_by_element(key, pred, arity):
    a, b, out = (np.array(col, dtype=float) for col in zip(*POINTS))
    got = np.broadcast_to(P.mask(pred, a, b if arity == 2 else None, out), a.shape)
    assert got.tolist() == TRUTH[key]


@pytest.mark.parametrize("key, pred, arity", FOUND, ids=IDS)
def test_three_valued_with_everything_known_is_two_valued(key, pred, arity):
    got = [P.verdict(pred, Fraction(a), None if b is None else Fraction(b), out)
           for a, b, out in points_for(arity)]
    assert got == TRUTH[key]


# Three-valued answers where a value is not known (None), by hand.
@pytest.mark.parametrize("pred, a, b, want", [
    (("b", "==", 0), None, 0, T),
    (("b", "==", 0), None, 2, F),
    (("b", "==", 0), 3, None, M),
    ((("a", "==", 0), ("b", ">=", 0)), None, -1, F),   # one false test decides
    ((("a", "==", 0), ("b", ">=", 0)), 1, None, F),
    ((("a", "==", 0), ("b", ">=", 0)), None, 2, M),
    ((("a", "==", 0), ("b", ">=", 0)), 0, None, M),
    ((("a", "==", 0), ("b", ">=", 0)), None, None, M),
    ((("a", "==", 0), ("b", ">=", 0)), 0, 0, T),
    (("a", "==", "b"), None, 1, M),
    (("a", "==", "b"), 1, 1, T),
    ((), None, None, T),
])
def test_three_valued_with_unknowns(pred, a, b, want):
    assert P.verdict(pred, a, b) is want


def test_maybe_is_not_a_truth_value():
    with pytest.raises(TypeError):
        bool(P.MAYBE)


def test_random_points_agree_in_every_domain():
    rng = random.Random(10)
    # Small integers make ties and zeros common; the rest are plain floats.
    pick = [lambda: float(rng.randint(-2, 2)), lambda: rng.uniform(-3, 3), lambda: rng.choice([0.0, -0.0])]
    cols = [[rng.choice(pick)() for _ in range(400)] for _ in range(3)]
    arrays = [np.array(c) for c in cols]
    for key, pred, arity in FOUND:
        b_arr = arrays[1] if arity == 2 else None
        masked = np.broadcast_to(P.mask(pred, arrays[0], b_arr, arrays[2]), arrays[0].shape)
        for i, (a, b, out) in enumerate(zip(*cols)):
            b = b if arity == 2 else None
            on_float = bool(P.holds(pred, a, b, out))
            exact = [Fraction(a), None if b is None else Fraction(b), Fraction(out)]
            assert on_float == bool(masked[i]) == P.holds(pred, *exact) == P.verdict(pred, *exact), (key, a, b)


def test_the_mask_wording_is_generated_from_the_predicate():
    assert O.POW.zero_where_text == ("{b} = 0", "{a} = 0 and {b} ≥ 0")
    assert P.words(("a", "==", "b")) == "{a} = {b}"
    assert P.words(("out", "!=", "out")) == "{out} ≠ {out}"


def test_the_causes_of_a_non_finite_value_come_from_the_table():
    assert O.DIV.reason((1.0, 0.0), INF) == "division by zero"
    assert O.DIV.reason((1e308, 1e-10), INF) == O.OVERFLOW
    assert O.POW.reason((0.0, -1.0), INF) == "0 to a negative power is infinite"
    assert O.POW.reason((-1.0, 0.5), NAN) == ("a negative number to a power that is not a whole "
                                              "number is not real")
    assert O.POW.reason((10.0, 400.0), INF) == O.OVERFLOW
    log = O.FUNCTIONS["log"][1]
    assert log.reason((-1.0,), NAN) == log.domain


@pytest.mark.parametrize("bad", [("c", "==", 0), ("a", "=", 0), ("a", "==", "z"), (("a", "==", 0), ("b",))])
def test_a_mistake_in_the_table_fails_loudly(bad):
    with pytest.raises(ValueError):
        P.parts(bad)


def test_no_bytecode_reading_and_no_lambda_predicates_in_the_package():
    for path in pathlib.Path(inspect.getsourcefile(gradcli)).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import dis" not in text and "dis.get_instructions" not in text, path
    assert "lambda" not in inspect.getsource(O)


def test_the_plan_decides_a_mask_that_one_constant_settles():
    # 2^(w*x): ∂/∂exponent is 0 only where the base is 0 (and the exponent >= 0); the base
    # is 2, so no mask is computed row by row. Its gradient still matches the hand rule.
    plan = compile_plan(parse("2^(w*x)"), ["w"], {}, ["x"])
    assert "zero_where" not in plan.describe() and "masked_zero" not in plan.describe()
    # Still masked where the rows decide: x^w at x = 0.
    assert "zero_where" in compile_plan(parse("x^w"), ["w"], {}, ["x"]).describe()


def test_the_plan_gradient_of_a_settled_mask_is_the_hand_derivative():
    from gradcli.data.dataset import Dataset
    from gradcli.training.engines import ColumnEngine

    x = [0.0, 0.5, -1.0, 2.0]
    w = 0.75
    engine = ColumnEngine(parse("2^(w*x)"), ["w"], {}, Dataset.from_columns({"x": x}))
    loss, grads = engine.evaluate([w])
    # d/dw mean(2^(w x)) = mean(log(2) x 2^(w x)), by hand.
    assert loss == pytest.approx(sum(2 ** (w * v) for v in x) / len(x), rel=1e-12)
    assert grads[0] == pytest.approx(sum(math.log(2) * v * 2 ** (w * v) for v in x) / len(x), rel=1e-12)
