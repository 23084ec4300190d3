"""The training engine's working form: a DAG of NumPy micro-operations.

`plan.py` writes a program's forward pass *and* its derivative rules into one
of these, and every node goes through `IR.node`, which does the work that a
node-by-node interpreter would repeat at every step, once:

- constant folding: a node whose inputs are all constants becomes a constant;
- sharing: the same operation on the same inputs is one node (the two copies
  of `sigmoid(w1*x1 + w2*x2 + b)` in a logistic loss, or `exp(-|a|)` in
  sigmoid(a) and in sigmoid(-a), are computed once);
- trivial adjoints disappear: `x*1`, `x+0`, `x^1`, `-(-x)` are `x`, `x*(-1)`
  is `-x`, and a negation moves into its consumer (`a + -b` is `a - b`);
- scalar factors float out of row-sized products, so that a sum over rows
  of `c*u*v` becomes `c * dot(u, v)` and the row-sized `c*u*v` is never made.

Each node knows whether it holds one number per row (`vec`) and when its
value is known (`when`): at compile time (AT_COMPILE), once per batch of rows
(PER_BATCH: data columns and what depends only on them, such as `1 - y`) or at
every step (PER_STEP: what depends on a parameter).

Composite kernels of `kernels_np` (sigmoid, softplus, relu, ...) are written
here as the micro-operations they are made of, so that they run in reusable
buffers and share parts; each expansion gives the same numbers as its
kernel (tests/test_train_plan.py checks them against `kernels_np`).
Rewrites may reassociate products and sums, which changes results by
rounding only. A rewrite calls `node` again, but only to a fixed depth: no
recursion grows with the program.
"""

from __future__ import annotations

import numpy as np

from gradcli.ops import arrays as kernels_np
from gradcli.language.nodes import Nodes
from gradcli.ops.predicates import reads

# When a node's value is known.
AT_COMPILE, PER_BATCH, PER_STEP = 0, 1, 2

# Micro-operations that are NumPy ufuncs (they write into a buffer with out=):
# every ufunc kernel of kernels_np under its kernel name, and a few used by
# the expansions below. Comparisons give 0.0 or 1.0.
UFUNCS: dict[str, np.ufunc] = {
    name: fn for name, fn in vars(kernels_np).items() if isinstance(fn, np.ufunc)}
COMPARISONS = {"ge": np.greater_equal, "gt": np.greater, "le": np.less_equal}
UFUNCS.update(log1p=np.log1p, fmax=np.fmax, **COMPARISONS)
# Reductions over rows; their result is one number.
REDUCTIONS = {"sum": np.add.reduce, "dot": np.dot}
_COMMUTATIVE = {"add", "mul"}
# Rewrites call node() again for their parts; this bounds how deep that goes.
_MAX_REWRITE_DEPTH = 6


class IR(Nodes):
    """Nodes as parallel lists, in creation order (a topological order)."""

    def __init__(self):
        super().__init__()
        self.op: list[str] = self.ops            # micro-op name, or a leaf kind
        self.vec: list[bool] = []                # one value per row?
        self.when: list[int] = []                # AT_COMPILE, PER_BATCH or PER_STEP
        self.extra: list = []                    # a leaf's name; the function of a "call"
        self.value: dict[int, float] = {}        # the value of each "const" node
        self._memo: dict = {}
        self._depth = 0

    def _add(self, key, op, args, vec, when, extra=None) -> int:
        found = self._memo.get(key)
        if found is not None:
            return found
        i = len(self.op)
        self.op.append(op)
        self.args.append(args)
        self.vec.append(vec)
        self.when.append(when)
        self.extra.append(extra)
        self._memo[key] = i
        return i

    # -- leaves -------------------------------------------------------------
    def const(self, v: float) -> int:
        v = float(v)
        i = self._add(("const", v.hex()), "const", (), False, AT_COMPILE)
        self.value[i] = v
        return i

    def column(self, name: str) -> int:
        """A data column: one value per row, known once the batch is."""
        return self._add(("column", name), "column", (), True, PER_BATCH, name)

    def param(self, name: str) -> int:
        """A parameter: one number, new at every step."""
        return self._add(("param", name), "param", (), False, PER_STEP, name)

    def rows(self) -> int:
        """The number of rows of the batch."""
        return self._add(("rows",), "rows", (), False, PER_BATCH)

    # -- operations ---------------------------------------------------------
    def kernel(self, name: str, args) -> int:
        """The forward rule of a kernels_np kernel applied to nodes."""
        expand = EXPANSIONS.get(name)
        if expand is not None:
            built = expand(self, *args)
            if built is not None:
                return built
        if name in UFUNCS:
            return self.node(name, *args)
        return self.call(getattr(kernels_np, name), *args)

    def call(self, fn, *args) -> int:
        """A kernel that is not a ufunc: called as is, it returns a new array."""
        if all(a in self.value for a in args):
            return self.const(self._fold(fn, args))
        vec = any(self.vec[a] for a in args)
        when = max(self.when[a] for a in args)
        return self._add(("call", fn, args), "call", args, vec, when, fn)

    def node(self, op: str, *args: int) -> int:
        """A micro-operation on nodes: folded, simplified and shared where possible."""
        if op not in REDUCTIONS and all(a in self.value for a in args):
            return self.const(self._fold(UFUNCS[op], args))
        if op == "sum" and not self.vec[args[0]]:    # the same number in every row (not optional)
            return self.node("mul", args[0], self.rows())
        if self._depth < _MAX_REWRITE_DEPTH:
            self._depth += 1
            try:
                found = self._rewrite(op, args)
            finally:
                self._depth -= 1
            if found is not None:
                return found
        if op in _COMMUTATIVE:
            x, y = args
            # Canonical order: a scalar factor first (see _mul), else by id.
            if (self.vec[x], x) > (self.vec[y], y):
                args = (y, x)
        vec = op not in REDUCTIONS and any(self.vec[a] for a in args)
        when = max(self.when[a] for a in args)
        return self._add((op, args), op, args, vec, when)

    def _fold(self, fn, args) -> float:
        with np.errstate(all="ignore"):
            return float(fn(*(self.value[a] for a in args)))

    # -- rewrites: each returns an equivalent node, or None -----------------
    def _rewrite(self, op, args):
        rule = getattr(self, "_rw_" + op, None)
        return rule(*args) if rule is not None else None

    def _is(self, i: int, op: str) -> bool:
        return self.op[i] == op

    def _const_is(self, i: int, v: float) -> bool:
        return self.value.get(i) == v

    def _scaled(self, i: int):
        """(s, r) when node i is s*r with s one number and r a row-sized node."""
        if self.op[i] == "mul" and self.vec[i]:
            s, r = self.args[i]
            if not self.vec[s]:
                return s, r
        return None

    def _rw_add(self, x, y):
        if self._const_is(x, 0):
            return y
        if self._const_is(y, 0):
            return x
        if self._is(y, "neg"):                        # x + -r = x - r
            return self.node("sub", x, self.args[y][0])
        if self._is(x, "neg"):
            return self.node("sub", y, self.args[x][0])
        return None

    def _rw_sub(self, x, y):
        if self._const_is(y, 0):
            return x
        if self._const_is(x, 0):
            return self.node("neg", y)
        if self._is(y, "neg"):                        # x - -r = x + r
            return self.node("add", x, self.args[y][0])
        if self._is(x, "neg"):                        # -r - y = -(r + y)
            return self.node("neg", self.node("add", self.args[x][0], y))
        return None

    def _rw_neg(self, x):
        if self._is(x, "neg"):
            return self.args[x][0]
        if self._is(x, "sub"):                        # -(u - v) = v - u
            u, v = self.args[x]
            return self.node("sub", v, u)
        scaled = self._scaled(x)
        if scaled is not None and scaled[0] in self.value:   # the sign goes into the factor
            s, r = scaled
            return self.node("mul", self.node("neg", s), r)
        return None

    def _rw_mul(self, x, y):
        if self.vec[x] and not self.vec[y]:
            x, y = y, x                               # the scalar first
        for one, other in ((x, y), (y, x)):
            if self._const_is(one, 1):
                return other
            if self._const_is(one, -1):
                return self.node("neg", other)
        if not self.vec[y]:
            return None                               # one number times one number
        if not self.vec[x]:                           # a scalar times rows
            if self._scaled(y) is not None:           # s*(t*r) = (s*t)*r
                t, r = self._scaled(y)
                return self.node("mul", self.node("mul", x, t), r)
            if self._is(y, "neg"):                    # s*(-r) = (-s)*r
                return self.node("mul", self.node("neg", x), self.args[y][0])
            return None
        for u, v in ((x, y), (y, x)):                 # rows times rows
            if self._scaled(u) is not None:           # (s*r)*v = s*(r*v)
                s, r = self._scaled(u)
                return self.node("mul", s, self.node("mul", r, v))
            if self._is(u, "neg"):                    # (-r)*v = -(r*v)
                return self.node("neg", self.node("mul", self.args[u][0], v))
            if self._is(u, "div") and self._const_is(self.args[u][0], 1):
                return self.node("div", v, self.args[u][1])   # v*(1/w) = v/w
        return None

    def _rw_div(self, x, y):
        if self._const_is(y, 1):
            return x
        if self._const_is(y, -1):
            return self.node("neg", x)
        return None

    def _rw_power(self, x, y):
        if self._const_is(y, 1):
            return x
        if self._const_is(y, 2):
            return self.node("mul", x, x)
        if self._const_is(y, -1):
            return self.node("div", self.const(1.0), x)
        return None

    def _rw_absolute(self, x):
        if self._is(x, "neg"):                        # |-r| = |r|
            return self.node("absolute", self.args[x][0])
        return None

    def _rw_ge(self, x, y):
        if self._is(x, "neg") and self._const_is(y, 0):   # -r >= 0 is r <= 0
            return self.node("le", self.args[x][0], y)
        return None

    def _rw_le(self, x, y):
        if self._is(x, "neg") and self._const_is(y, 0):
            return self.node("ge", self.args[x][0], y)
        return None

    def _rw_sum(self, x):
        """Sums over rows: pull factors out, turn sums of products into dot products."""
        if self._is(x, "neg"):
            return self.node("neg", self.node("sum", self.args[x][0]))
        if self._is(x, "mul"):
            u, v = self.args[x]
            if not self.vec[u]:
                return self.node("mul", u, self.node("sum", v))
            return self.node("dot", u, v)
        if self._is(x, "div") and not self.vec[self.args[x][1]]:
            u, s = self.args[x]
            return self.node("div", self.node("sum", u), s)
        if self.op[x] in ("add", "sub"):
            u, v = self.args[x]
            return self.node(self.op[x], self.node("sum", u), self.node("sum", v))
        return None


# -- composite kernels as micro-operations -------------------------------------
# Each gives what its kernels_np function gives, without np.where (a select on
# a random mask costs more than an exp) and in buffers the plan can reuse.

def _sigmoid(ir: IR, a: int) -> int:
    # kernels_np: z = exp(-|a|); 1/(1+z) where a >= 0, else z/(1+z).
    # The numerator is 1 where a >= 0, else z: max(z, [a >= 0]) as z <= 1.
    z = ir.node("exp", ir.node("neg", ir.node("absolute", a)))
    numerator = ir.node("maximum", z, ir.node("ge", a, ir.const(0.0)))
    return ir.node("div", numerator, ir.node("add", ir.const(1.0), z))


def _softplus(ir: IR, a: int) -> int:
    z = ir.node("exp", ir.node("neg", ir.node("absolute", a)))
    return ir.node("add", ir.node("maximum", a, ir.const(0.0)), ir.node("log1p", z))


def _relu(ir: IR, a: int) -> int:
    return ir.node("fmax", ir.const(0.0), a)    # fmax(0, nan) is 0, as where(a > 0, a, 0)


def _step(ir: IR, a: int) -> int:
    return ir.node("gt", a, ir.const(0.0))


def _leaky_relu(ir: IR, a: int, slope: int | None = None):
    if slope is None:
        slope = ir.const(kernels_np.leaky_relu.__defaults__[0])
    s = ir.value.get(slope)
    if s is None or not 0 < s <= 1:
        return None                               # the kernel itself (np.where)
    # For 0 < s <= 1: a where a > 0, else s*a, is the larger of the two (s = 0 would
    # make 0·inf a nan where the kernel gives inf).
    return ir.node("maximum", a, ir.node("mul", slope, a))


def _sech(ir: IR, a: int) -> int:
    return ir.node("div", ir.const(1.0), ir.node("cosh", a))


EXPANSIONS = {
    "sigmoid": _sigmoid, "softplus": _softplus, "relu": _relu, "step": _step,
    "leaky_relu": _leaky_relu, "sech": _sech, "identity": lambda ir, a: a,
}
