"""--symbolic stays linear on towers x^x^…^x and long products (issue 9, item 13).

The simplifier used to copy every shared product's factor list into each of its
users, so a tower of 1,000 levels took 7 s and a product of 1,000 factors 17 s
(and held 10^6 nodes). No timing is asserted here (benchmarks/bench_symbolic.py
prints the times); the tests count the simplifier's work (factor entries handed
to its product builder), the printed text, and check the formulas' values:
against SymPy at small sizes, against the derivative worked out by hand
(a recurrence, or a sum of 1/(k + x)) at large ones.
"""

from __future__ import annotations

import math

import pytest
import sympy as sp

import gradcli
from formula_oracle import symbol, to_sympy, value_at
from gradcli.symbolic import simplify as S
from gradcli.symbolic.formulas import gradient_formulas


def tower(n: int) -> str:
    return "^".join(["x"] * n)


def product(n: int) -> str:
    return "*".join(f"(1 + x/{k})" for k in range(1, n + 1))


def inputs_product(n: int) -> str:
    return "*".join(f"x{k}" for k in range(n))


def tower_derivative(n: int, x: float) -> float:
    """d/dx of x^x^…^x (n levels): T' = T·(T_below'·log x + T_below/x)."""
    t, d = x, 1.0
    for _ in range(n - 1):
        t, d = x ** t, x ** t * (d * math.log(x) + t / x)
    return d


def product_derivative(n: int, x: float) -> float:
    p = math.prod(1 + x / k for k in range(1, n + 1))
    return p * math.fsum(1 / (k + x) for k in range(1, n + 1))


def value(formulas, name: str, point: dict) -> float:
    program = gradcli.compile(formulas.program(name))
    return program.evaluate({n: point[n] for n in program.inputs}).value


def simplifier_work(text: str) -> int:
    """Factor entries handed to the simplifier's product builder while formatting text."""
    count = [0]
    original = S._Builder.product

    def counted(self, coef, factors):
        count[0] += len(factors)
        return original(self, coef, factors)

    S._Builder.product = counted
    try:
        gradient_formulas(text)
    finally:
        S._Builder.product = original
    return count[0]


@pytest.mark.parametrize("family", [tower, product, inputs_product])
@pytest.mark.parametrize("n", [2, 3, 4, 6])
def test_small_sizes_match_sympy(family, n):
    text = family(n)
    f = gradient_formulas(text)
    point = {name: 1.1 + 0.05 * i for i, name in enumerate(gradcli.compile(text).inputs)}
    expr = to_sympy(text)
    for name in gradcli.compile(text).inputs:
        want = value_at(sp.diff(expr, symbol(name)), point)
        assert math.isclose(value(f, name, point), want, rel_tol=1e-9), (text, name)


@pytest.mark.parametrize("n", [1000, 4000])
def test_big_towers_and_products_are_right_and_linear(n):
    for text, want in ((tower(n), tower_derivative(n, 1.1)), (product(n), product_derivative(n, 0.5))):
        f = gradient_formulas(text)
        x = 1.1 if text.startswith("x^") else 0.5
        assert math.isclose(value(f, "x", {"x": x}), want, rel_tol=1e-9)
        assert len(f.program("x")) <= 150 * n           # linear: was 5·10^6 characters at n = 1000
    assert simplifier_work(tower(n)) <= 30 * n          # was about 1.5·n² entries
    assert simplifier_work(product(n)) <= 60 * n        # was about 4·n²


def test_a_product_of_many_inputs():
    n = 1000
    f = gradient_formulas(inputs_product(n))
    point = {f"x{k}": 1 + (k % 7) / 100 for k in range(n)}
    whole = math.prod(point.values())
    for k in (0, 1, n // 2, n - 1):
        assert math.isclose(value(f, f"x{k}", point), whole / point[f"x{k}"], rel_tol=1e-9)
    assert sum(len(t) for t in f.text.values()) + sum(len(t) for t in f.definitions.values()) <= 100 * n
    assert simplifier_work(inputs_product(n)) <= 60 * n
