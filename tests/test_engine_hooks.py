"""The engine's hooks for ops that arrays need, each with a tiny op made for the test.

- any number of inputs: a three-input op whose rules read a, b and c;
- `vjp` rules (the contribution given directly, over a, b, out and the adjoint g)
  and `jvp` rules (over the input's tangent t), as matmul will have, here a dot
  product of vectors;
- `reduce_to`: an elementwise op between a vector and a scalar sums the
  scalar's contribution back to its shape;
- a domain's own error from a kernel (ShapeMismatch) tagged with the node, and
  the SHAPES domain inferring shapes by an ordinary forward pass.

Oracles: derivatives written by hand from calculus, and central finite differences.
"""

from __future__ import annotations

import types
from fractions import Fraction

import numpy as np
import pytest

from gradcli.ops import arrays as kernels_np, floats as float_kernels, rationals as rational_kernels, table as ops
from gradcli.passes.arrays import NumpyRows
from gradcli.passes.domains import FLOATS, RATIONALS, SHAPES, ShapeMismatch, Shapes
from gradcli.passes.engine import backward, forward, tangents
from gradcli.language.expr import from_graph
from gradcli.language.graph import Graph
from gradcli.ops.table import CONST, INPUT, MUL, Op
from gradcli.symbolic.derivative_graph import differentiate

# mad(a, b, c) = a*b*c: its kernel is built from mul, so every domain has it.
MAD = Op("mad", 3, "mad", ("b * c", "a * c", "a * b"))


def _with_mad(module):
    return types.SimpleNamespace(**{k: getattr(module, k) for k in dir(module) if not k.startswith("__")},
                                 mad=lambda a, b, c: module.mul(module.mul(a, b), c))


def _graph(build) -> Graph:
    g = Graph("")
    build(g)
    g.output = len(g) - 1
    return g


def _input(g: Graph, name: str) -> int:
    i = g.add(INPUT, (), 0, 0)
    g.names[i] = name
    g.inputs[name] = i
    return i


def _const(g: Graph, v: float) -> int:
    i = g.add(CONST, (), 0, 0)
    g.consts[i] = v
    return i


def _mad_program() -> Graph:
    """out = mad(x, y, x) * z: ∂/∂x = 2xyz, ∂/∂y = x²z, ∂/∂z = x²y."""
    def build(g):
        x, y, z = _input(g, "x"), _input(g, "y"), _input(g, "z")
        m = g.add(MAD, (x, y, x), 0, 0)
        g.add(MUL, (m, z), 0, 0)
    return _graph(build)


def _domain(base, module):
    """A domain of base's kind whose kernels include mad."""
    return type(base)(_with_mad(module))


def test_an_op_with_three_inputs_in_floats_fractions_rows_and_formulas():
    g = _mad_program()
    x, y, z = 1.5, -2.0, 3.0
    want = {"x": 2 * x * y * z, "y": x * x * z, "z": x * x * y}
    floats = _domain(FLOATS, float_kernels)
    vals = forward(g, {"x": x, "y": y, "z": z}, floats)
    adj = backward(g, vals, floats).adjoints
    assert {n: adj[i] for n, i in g.inputs.items()} == want
    # forward mode, the same rules pushed upwards: one pass per input
    for name, i in g.inputs.items():
        t, _ = tangents(g, vals, floats, i)
        assert t[g.output] == want[name]
    # exact fractions: the same numbers exactly
    rationals = _domain(RATIONALS, rational_kernels)
    fx, fy, fz = Fraction(3, 2), Fraction(-2), Fraction(3)
    vals = forward(g, {"x": fx, "y": fy, "z": fz}, rationals)
    adj = backward(g, vals, rationals).adjoints
    assert adj[g.inputs["x"]] == 2 * fx * fy * fz and adj[g.inputs["z"]] == fx * fx * fy
    # rows: three points at once, each row its own derivative
    rows = _domain(NumpyRows(kernels_np), kernels_np)
    xs = np.array([1.5, 0.5, -1.0])
    vals = forward(g, {"x": xs, "y": y, "z": z}, rows)
    adj = backward(g, vals, rows).adjoints
    np.testing.assert_array_equal(adj[g.inputs["x"]], 2 * xs * y * z)


def test_an_op_with_three_inputs_in_formulas():
    """The derivative graph of a three-input op, built by the same pass, then evaluated."""
    g = _mad_program()
    e, where = from_graph(g)
    found = differentiate(e, where[g.output], [where[i] for i in g.inputs.values()])
    floats = _domain(FLOATS, float_kernels)
    vals = forward(e, {"x": 1.5, "y": -2.0, "z": 3.0}, floats)
    assert vals[found[where[g.inputs["x"]]]] == 2 * 1.5 * -2.0 * 3.0
    assert vals[found[where[g.inputs["y"]]]] == 1.5 * 1.5 * 3.0
    assert vals[found[where[g.inputs["z"]]]] == 1.5 * 1.5 * -2.0


# -- a dot product of vectors, with vjp and jvp rules -------------------------------------

VSUM = Op("vsum", 1, "vsum", ("1",), doc="test: the sum of a vector's entries")
DOT = Op("dot", 2, "dot", (), vjp=("g * b", "g * a"), jvp=("vsum(t * b)", "vsum(a * t)"))


class Vectors(NumpyRows):
    """Vectors: an elementwise contribution is summed back to its input's shape."""

    def reduce_to(self, contribution, value, out):
        shape = np.shape(value)
        c = np.asarray(contribution)
        if c.shape == shape:
            return contribution
        extra = c.ndim - len(shape)
        c = c.sum(axis=tuple(range(extra))) if extra else c
        axes = tuple(k for k, n in enumerate(shape) if n == 1 and c.shape[k] != 1)
        return c.sum(axis=axes, keepdims=True).reshape(shape) if axes else c.reshape(shape)


VECTOR_KERNELS = types.SimpleNamespace(**{k: getattr(kernels_np, k) for k in dir(kernels_np)
                                          if not k.startswith("__")}, dot=np.dot, vsum=np.sum)


@pytest.fixture
def vector_ops():
    ops.FUNCTIONS["vsum"] = {1: VSUM}     # the jvp rules call vsum()
    yield
    del ops.FUNCTIONS["vsum"]


def _dot_program() -> Graph:
    """out = dot(x * k, w) + k: ∂/∂x = k·w, ∂/∂w = k·x, ∂/∂k = x·w + 1."""
    def build(g):
        x, w, k = _input(g, "x"), _input(g, "w"), _input(g, "k")
        xk = g.add(MUL, (x, k), 0, 0)
        d = g.add(DOT, (xk, w), 0, 0)
        g.add(ops.ADD, (d, k), 0, 0)
    return _graph(build)


def test_vjp_rules_give_the_contribution_and_reduce_to_sums_a_broadcast(vector_ops):
    g = _dot_program()
    domain = Vectors(VECTOR_KERNELS)
    x, w, k = np.array([1.0, -2.0, 0.5]), np.array([3.0, 0.25, -1.0]), 1.5
    vals = forward(g, {"x": x, "w": w, "k": k}, domain)
    assert vals[g.output] == pytest.approx(np.dot(x * k, w) + k)
    found = backward(g, vals, domain)
    adj = found.adjoints
    np.testing.assert_allclose(adj[g.inputs["x"]], k * w)
    np.testing.assert_allclose(adj[g.inputs["w"]], k * x)
    assert np.shape(adj[g.inputs["k"]]) == ()           # summed back to the scalar's shape
    assert float(adj[g.inputs["k"]]) == pytest.approx(np.dot(x, w) + 1)
    # against central differences of the forward pass
    h = 1e-6
    for name, base in (("x", x), ("w", w)):
        for e in range(3):
            bump = np.zeros(3)
            bump[e] = h
            up = forward(g, {"x": x, "w": w, "k": k, name: base + bump}, domain)[g.output]
            down = forward(g, {"x": x, "w": w, "k": k, name: base - bump}, domain)[g.output]
            assert adj[g.inputs[name]][e] == pytest.approx((up - down) / (2 * h), rel=1e-6)
    assert found.products == 6          # two inputs each of add, dot (vjp) and mul


def test_jvp_rules_push_tangents_forward(vector_ops):
    g = _dot_program()
    domain = Vectors(VECTOR_KERNELS)
    x, w, k = np.array([1.0, -2.0, 0.5]), np.array([3.0, 0.25, -1.0]), 1.5
    vals = forward(g, {"x": x, "w": w, "k": k}, domain)
    t, products = tangents(g, vals, domain, g.inputs["k"])
    assert float(t[g.output]) == pytest.approx(np.dot(x, w) + 1)   # ∂out/∂k
    # the seed 1 on a vector is the direction (1, 1, 1): the sum of the gradient
    t, _ = tangents(g, vals, domain, g.inputs["x"])
    assert float(t[g.output]) == pytest.approx(np.sum(k * w))


def test_the_shapes_domain_infers_shapes_and_names_the_node_that_does_not_fit():
    domain = Shapes()
    domain.rules_by_kernel["dot"] = lambda a, b: () if a == b and len(a) == 1 else _refuse(a, b)
    g = _dot_program()
    shapes = forward(g, {"x": (3,), "w": (3,), "k": ()}, domain)
    assert shapes[g.output] == () and shapes[3] == (3,)
    with pytest.raises(ShapeMismatch) as info:
        forward(g, {"x": (3,), "w": (4,), "k": ()}, domain)
    assert info.value.node == 4 and info.value.shapes == ((3,), (4,))
    with pytest.raises(ShapeMismatch) as info:
        forward(g, {"x": (3,), "w": (3,), "k": (2,)}, domain)   # x * k: (3,) and (2,)
    assert info.value.node == 3
    assert SHAPES.kernel(MUL)((2, 1), (3,)) == (2, 3)          # NumPy's broadcasting


def _refuse(a, b):
    raise ShapeMismatch(f"dot of {a} and {b}", (a, b))
