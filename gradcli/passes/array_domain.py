"""The arrays domain (README "Arrays: vectors and matrices"): every node's value is a NumPy array of its own shape.

The same graph and operation table as the float passes. An elementwise row
(`Op.grads`, over a, b and out) contributes its local derivative times the
adjoint, summed back to the input's shape where broadcasting stretched it
(`reduce_to`); a row that is not elementwise carries `vjp` rules (over a, b, c,
d, out and the adjoint g) and `jvp` rules (over the same names and the
input's tangent t), in gradcli's own language, compiled here once into
interpreters over the NumPy kernels. No Python `eval`.

Shapes are inferred (shapes.py) before any of this runs, so a kernel never
meets shapes that do not fit. Class indices (`cross_entropy`'s y) are checked
when their values are known, before the node is computed.

Imported only for a program with arrays, so NumPy never slows a scalar one-shot.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from gradcli.ops import arrays as kernels_np
from gradcli.ops import table as O
from gradcli.errors import GradMathError, GradValueError
from gradcli.language.graph import Graph
from gradcli.numbers import fmt
from gradcli.language.rules import local_rules

LEAVES = ("a", "b", "c", "d", "out", "g", "t")
_KERNELS = {op: getattr(kernels_np, op.kernel)
            for op in [*O.ALL_OPS, *O.ARRAY_OPS] if op.kernel}


def _kernel(op):
    found = _KERNELS.get(op)
    if found is None:    # a literal's stack of n elements: one row per n, made as met
        found = _KERNELS[op] = getattr(kernels_np, op.kernel)
    return found


# -- the domain: what the passes do with values --------------------------------

def const(v):
    return np.asarray(v, dtype=float)


def is_zero(x) -> bool:
    """Whether nothing flows: no adjoint yet, or an adjoint that is 0 everywhere."""
    return x is None or not np.any(x)


def chain(g, local):
    """g times a local derivative, elementwise; where g is 0 the product is 0 (not 0·∞)."""
    product = g * local
    if not np.isfinite(product).all():
        product = np.where(g == 0, 0.0, product)
    return product


def add(x, y):
    return y if x is None else x + y


reduce_to = kernels_np.reduce_to


def zeros(shape):
    return np.zeros(shape)


# -- the rules ------------------------------------------------------------------

class ArrayRule:
    """A vjp or jvp rule of the operation table, ready to run on arrays.

    Its graph (from gradcli's parser, with the helpers of the rules allowed) is
    run node by node on the NumPy kernels, with the leaves taken from `env`.
    """

    __slots__ = ("text", "constant", "steps", "output")

    def __init__(self, text: str, kernels=None):
        from gradcli.language.parse import parse

        g = parse(text, internal=True)
        unknown = set(g.inputs) - set(LEAVES)
        if unknown:  # a mistake in the table, not in user input
            raise ValueError(f"array rule {text!r} uses unknown names {sorted(unknown)}")
        self.text = text
        self.output = g.output
        self.constant = float(g.consts[g.output]) if g.ops[g.output] is O.CONST else None
        self.steps = []
        for i, op in enumerate(g.ops):
            if op is O.INPUT:
                self.steps.append((i, None, g.names[i]))
            elif op is O.CONST:
                self.steps.append((i, None, float(g.consts[i])))
            else:
                self.steps.append((i, _kernel(op) if kernels is None else getattr(kernels, op.kernel),
                                   g.args[i]))

    def __call__(self, env: dict):
        vals = [None] * len(self.steps)
        for i, kernel, arg in self.steps:
            if kernel is None:
                vals[i] = env[arg] if isinstance(arg, str) else arg
            else:
                vals[i] = kernel(*(vals[j] for j in arg))
        return vals[self.output]


@lru_cache(maxsize=None)
def array_rule(text: str, kernels=None) -> ArrayRule:
    return ArrayRule(text, kernels)


def _rule_text(rules: tuple[str, ...], k: int) -> str:
    return rules[k]


def _env(vals, ins, i, k):
    env = {"out": vals[i]}
    for name, j in zip("abcd", ins):
        env[name] = vals[j]
    return env


# -- the passes -----------------------------------------------------------------

def check_labels(g: Graph, i: int, vals: list) -> None:
    """Class indices must be whole numbers in range (a value error: they are data)."""
    op = g.ops[i]
    scores = np.asarray(vals[g.args[i][0]])
    classes = scores.shape[-1]
    for k in op.labels:
        j = g.args[i][k]
        y = np.atleast_1d(np.asarray(vals[j], dtype=float))
        bad = ~((y == np.floor(y)) & (y >= 0) & (y < classes))
        if bad.any():
            at = int(np.argmax(bad))
            where = f"[{at}]" if np.ndim(vals[j]) else ""
            raise GradValueError(
                f"{g.describe(i)}: the class indices {g.describe(j)} must be whole numbers from 0 to "
                f"{classes - 1} (the scores have {classes} classes), but {g.label(j)}{where} is "
                f"{fmt(float(y[at]))}")


def forward(g: Graph, inputs: dict, shapes: list, kernels=None, check: bool = True) -> list:
    """Every node's value as an array; a non-finite one is a math error naming the node.

    kernels: another table of kernels named as Op.kernel (ops/rows.py: a per-row program
    over the rows of data at once); default the array kernels, ops/arrays.py.
    check=False leaves the finiteness of each value to the caller (training checks the
    loss and the gradients, and runs again with checks to name the node that failed).
    """
    vals: list = [None] * len(g)
    for i, v in g.consts.items():
        vals[i] = const(v)
    for name, i in g.inputs.items():
        vals[i] = const(inputs[name])
    ops, args = g.ops, g.args
    with np.errstate(all="ignore"):
        for i in range(len(g)):
            ins = args[i]
            if not ins:
                continue
            op = ops[i]
            if op.labels:
                check_labels(g, i, vals)
            v = (_kernel(op) if kernels is None else getattr(kernels, op.kernel))(*(vals[j] for j in ins))
            v = np.asarray(v, dtype=float)
            if check and not np.isfinite(v).all():
                raise forward_error(g, i, vals, v)
            vals[i] = v
    return vals


def backward(g: Graph, vals: list, shapes: list, seed=1.0, kernels=None,
             needed: list[bool] | None = None) -> tuple[list, int]:
    """Every node's adjoint ∂output/∂node, of the node's shape; and the edges multiplied.

    Adjoints are summed where a node fans out (shared weights); a node that
    nothing flows into keeps a zero adjoint and passes nothing on. Each
    contribution is brought to its input's value's shape (the same as the
    inferred shape here; in ops/rows.py the row axis too: a shared value's
    contributions summed over the rows). kernels: as in forward. needed: the nodes whose
    adjoints are wanted or lead to one (training: the parameters'); the others get none.
    """
    n = len(g)
    grads: list = [None] * n
    table = kernels_np if kernels is None else kernels
    fit = reduce_to if kernels is None else kernels.reduce_to
    times = chain if kernels is None else kernels.chain
    nothing = is_zero if kernels is None else getattr(kernels, "is_zero", is_zero)
    grads[g.output] = np.broadcast_to(const(seed), np.shape(vals[g.output]))
    ops, args = g.ops, g.args
    products = 0
    with np.errstate(all="ignore"):
        for i in range(g.output, -1, -1):
            gi = grads[i]
            ins = args[i]
            if not ins or nothing(gi):
                continue
            op = ops[i]
            locs = None if op.vjp else local_rules(op, table)
            for k, j in enumerate(ins):
                if k in op.labels or needed is not None and not needed[j]:
                    continue
                if op.vjp:
                    rule = array_rule(_rule_text(op.vjp, k), kernels)
                    if rule.constant == 0:
                        continue
                    env = _env(vals, ins, i, k)
                    env["g"] = gi
                    contribution = rule(env)
                    if kernels is not None:
                        contribution = fit(contribution, np.shape(vals[j]))
                else:
                    r = locs[k]
                    if not callable(r):   # a constant (folded by NumPy: maybe a numpy float)
                        if r == 0:
                            continue
                        contribution = gi if r == 1 else gi * float(r)
                    else:
                        b = vals[ins[1]] if len(ins) > 1 else None
                        contribution = times(gi, r(vals[ins[0]], b, vals[i]))
                    contribution = fit(contribution, np.shape(vals[j]))
                products += 1
                grads[j] = add(grads[j], np.asarray(contribution, dtype=float))
    return [zeros(shapes[i]) if v is None else np.asarray(v, dtype=float)
            for i, v in enumerate(grads)], products


def tangent_pass(g: Graph, vals: list, shapes: list, seed: int, tangent, stop: int | None = None
                 ) -> tuple[list, int]:
    """Every node's tangent ∂node/∂seed·tangent (None where nothing flows), and the edges used."""
    stop = g.output if stop is None else stop
    t: list = [None] * len(g)
    t[seed] = const(tangent)
    ops, args = g.ops, g.args
    products = 0
    with np.errstate(all="ignore"):
        for i in range(seed + 1, stop + 1):
            ins = args[i]
            if not ins:
                continue
            op = ops[i]
            total = None
            for k, j in enumerate(ins):
                tj = t[j]
                if tj is None or k in op.labels:
                    continue
                if op.jvp:
                    rule = array_rule(_rule_text(op.jvp, k))
                    if rule.constant == 0:
                        continue
                    env = _env(vals, ins, i, k)
                    env["t"] = tj
                    part = rule(env)
                else:
                    r = local_rules(op, kernels_np)[k]
                    if not callable(r):
                        if r == 0:
                            continue
                        part = tj * float(r)
                    else:
                        b = vals[ins[1]] if len(ins) > 1 else None
                        part = chain(tj, r(vals[ins[0]], b, vals[i]))
                products += 1
                total = add(total, part)
            if total is not None:
                t[i] = np.broadcast_to(np.asarray(total, dtype=float), shapes[i])
    return t, products


def forward_gradients(g: Graph, vals: list, shapes: list, seeds: dict[str, int], keep: bool = False):
    """∂output/∂name for each seed, by one tangent pass per element of the seed's value.

    With keep, also every node's tangents: {name: [per node, an array of shape
    node shape + seed shape (the Jacobian ∂node/∂seed), or None where nothing flows]}.
    """
    grads, tangents, products = {}, {}, 0
    stop = len(g) - 1 if keep else g.output
    for name, seed in seeds.items():
        shape = shapes[seed]
        out = np.zeros(shape)
        per_node: list = [None] * len(g) if keep else []
        for element in np.ndindex(*shape):
            direction = np.zeros(shape)
            direction[element] = 1.0
            t, count = tangent_pass(g, vals, shapes, seed, direction, stop)
            products += count
            if t[g.output] is not None:
                out[element] = float(t[g.output])
            if keep:
                for i, ti in enumerate(t):
                    if ti is not None:
                        if per_node[i] is None:
                            per_node[i] = np.zeros(shapes[i] + shape)
                        per_node[i][(Ellipsis, *element) if element else Ellipsis] = ti
        if not np.isfinite(out).all():
            raise GradMathError(f"the gradient with respect to '{name}' is not finite (forward mode)")
        grads[name] = out
        if keep:
            tangents[name] = per_node
    return grads, tangents, products


# -- errors ---------------------------------------------------------------------

def _element(v, at: tuple) -> str:
    return fmt(float(np.asarray(v)[at])) if np.ndim(v) else fmt(float(v))


def forward_error(g: Graph, i: int, vals: list, value) -> GradMathError:
    """'log(x)' cannot be computed at [1]: log needs a positive number (it got x[1] = -2)."""
    bad = ~np.isfinite(value)
    at = np.unravel_index(int(np.argmax(bad)), value.shape) if value.ndim else ()
    where = f" at [{', '.join(str(int(n)) for n in at)}]" if at else ""
    op = g.ops[i]
    got = []
    for j in g.args[i]:
        v = vals[j]
        same = np.ndim(v) and np.shape(v) == value.shape
        label = g.label(j) + (where[4:] if same else "")
        got.append(f"{label} = {_element(v, at) if same else (fmt(float(v)) if not np.ndim(v) else 'an array')}")
    scalar_ins = tuple(float(np.asarray(vals[j])[at]) if np.shape(vals[j]) == value.shape and at
                       else float(vals[j]) if not np.ndim(vals[j]) else float("nan")
                       for j in g.args[i])
    why = op.reason(scalar_ins[:2], float(value[at]) if at else float(value)) \
        if len(scalar_ins) <= 2 else op.domain
    return GradMathError(f"{g.describe(i)} cannot be computed{where}: {why} (it got {', '.join(got)})")


def gradient_error(g: Graph, name: str, grad) -> GradMathError:
    bad = ~np.isfinite(grad)
    at = np.unravel_index(int(np.argmax(bad)), np.shape(grad)) if np.ndim(grad) else ()
    where = f"[{', '.join(str(int(n)) for n in at)}]" if at else ""
    return GradMathError(f"the gradient with respect to '{name}' is not finite "
                         f"(∂/∂{name}{where} = {_element(grad, at)})")
