"""Expression graphs for formulas: the nodes of `ops.py`, hash-consed.

An `Expr` is laid out like a `Graph` (parallel lists `ops` and `args`, node ids
in creation order, so children come before parents), but every node is made
through `apply`, which

- returns the existing node when the same operation of the same inputs was
  made before (hash-consing: a subexpression used twice is one node, so
  formulas stay DAGs and never blow up into trees);
- folds constants exactly, as fractions, where the result is a small rational
  (`1/3` stays one third; `log(2)` stays `log(2)`);
- drops the identities that need no thought: x + 0, x - 0, 0 - x, x - x,
  x·1, x·0, x·(-1), x/1, 0/x, --x, x^1, x^0, 1^x, (x^m)^n for whole m, n,
  log(e). (x·0 = 0 even where x is an infinite local derivative, as in the
  numeric pass, which never multiplies a zero gradient by it; x - x = 0
  for the finite values a forward pass accepts.)

Constants are `Fraction`s, except the named constants pi and e (floats).

Two operations exist here and not in the language, because the derivative
graph needs them to keep the numeric pass's conventions:

- `CHAIN` is adjoint × local derivative: a product that is 0 wherever the
  adjoint is 0 (the numeric backward pass does not propagate a zero upstream
  gradient, so max(sqrt(x), 5) at x = 0 has gradient 0, not 0·∞). It prints
  and differentiates as `*`.
- `GUARD` is a local derivative with one of PyTorch's masks (an op's
  `zero_where`): it is 0 where the mask's predicate holds on the operation's
  inputs, its value child elsewhere. It prints as its value child.
"""

from __future__ import annotations

from fractions import Fraction

from gradcli.ops import table as O
from gradcli.ops import rationals as R
from gradcli.language.graph import Graph
from gradcli.language.nodes import Nodes
from gradcli.ops.table import Op

CHAIN = Op("mul", 2, "mul", ("b", "a"), "*", "infix", 2, doc="adjoint × local derivative")
GUARD = Op("guard", 3, "", (), "", "guard", 9, doc="a local derivative with PyTorch's mask")

FOLD_LIMIT = 10 ** 12    # fold constants only into fractions this small: 2^100 stays 2^100

_FOLDABLE = frozenset(op for op in O.ALL_OPS if op.kernel)   # the table's ops (not CHAIN, GUARD)


def as_fraction(v) -> Fraction:
    """A number as a fraction; a float by its shortest decimal text (0.1 is 1/10)."""
    if isinstance(v, Fraction):
        return v
    if isinstance(v, int):
        return Fraction(v)
    return Fraction(repr(float(v)))


def fold(op: Op, values) -> Fraction | None:
    """op on constant fractions, or None where the result is not a small rational."""
    if op not in _FOLDABLE:
        return None
    kernel = getattr(R, op.kernel)
    try:
        v = kernel(*values)
    except ArithmeticError:
        return None
    if abs(v.numerator) >= FOLD_LIMIT or v.denominator >= FOLD_LIMIT:
        return None
    return v


def _whole(v: Fraction | None) -> bool:
    return v is not None and v.denominator == 1


class Expr(Nodes):
    """A hash-consed expression DAG (see the module's docstring)."""

    def __init__(self):
        super().__init__()
        self.consts: dict[int, object] = {}     # Fraction, or float for pi and e
        self.names: dict[int, str] = {}         # inputs and named constants
        self.inputs: dict[str, int] = {}
        self.user_names: dict[int, str] = {}    # the program's assigned names, for printing
        self.masks: dict[int, tuple[Op, int]] = {}   # guard -> (op, input k) whose mask it applies
        self.kinks: set[Op] = set()             # ops whose kink convention a derivative used
        self._table: dict = {}
        self.zero = self.const(0)
        self.one = self.const(1)

    # -- making nodes -----------------------------------------------------
    def _node(self, key, op: Op, args: tuple[int, ...]) -> int:
        i = self._table.get(key)
        if i is None:
            i = len(self.ops)
            self.ops.append(op)
            self.args.append(args)
            self._table[key] = i
        return i

    def const(self, v) -> int:
        v = as_fraction(v)
        i = self._node(("const", v), O.CONST, ())
        self.consts[i] = v
        return i

    def named_const(self, name: str, value: float) -> int:
        i = self._node(("named", name), O.CONST, ())
        self.consts[i] = value
        self.names[i] = name
        return i

    def input(self, name: str) -> int:
        i = self._node(("input", name), O.INPUT, ())
        self.names[i] = name
        self.inputs.setdefault(name, i)
        return i

    def raw(self, op: Op, args: tuple[int, ...]) -> int:
        """A node of its own, never merged or simplified (an intermediate asked for by --wrt)."""
        return self._node(("raw", len(self.ops)), op, args)

    def guard(self, value: int, op: Op, k: int, inputs: tuple[int, ...]) -> int:
        """value, masked to 0 where op.zero_where[k] holds on the inputs."""
        if value == self.zero:
            return value
        i = self._node((GUARD, op, k, value, *inputs), GUARD, (value, *inputs))
        self.masks[i] = (op, k)
        return i

    def value_of(self, i: int) -> Fraction | None:
        """The node's value if it is a constant fraction (not pi or e), else None."""
        if self.ops[i] is O.CONST and i not in self.names:
            return self.consts[i]
        return None

    def apply(self, op: Op, args: tuple[int, ...]) -> int:
        """The node op(args), simplified where that is free (see the module's docstring)."""
        values = [self.value_of(j) for j in args]
        if args and None not in values:
            folded = fold(op, values)
            if folded is not None:
                return self.const(folded)
        same = self._identity(op, args, values)
        if same is not None:
            return same
        return self._node((op, *args), op, args)

    def neg(self, a: int) -> int:
        return self.apply(O.NEG, (a,))

    def _identity(self, op: Op, args, values) -> int | None:
        if op is O.ALIAS:
            return args[0]
        if op is O.NEG:
            inner = args[0]
            return self.args[inner][0] if self.ops[inner] is O.NEG else None
        if op.name == "log" and self.names.get(args[0]) == "e":   # ∂(e^x)/∂x = e^x·log(e)
            return self.one
        if len(args) != 2:
            return None
        (a, b), (va, vb) = args, values
        if op is O.ADD:
            return b if va == 0 else a if vb == 0 else None
        if op is O.SUB:
            if vb == 0:
                return a
            if va == 0:
                return self.neg(b)
            return self.zero if a == b else None
        if op is O.MUL or op is CHAIN:
            if va == 0 or vb == 0:
                return self.zero
            if va == 1 or vb == 1:
                return b if va == 1 else a
            if va == -1 or vb == -1:
                return self.neg(b if va == -1 else a)
            if op is CHAIN and (va is not None or vb is not None):
                return self.apply(O.MUL, args)   # a constant factor is finite: nothing to skip
            return None
        if op is O.DIV:
            if vb == 1:
                return a
            if vb == -1:
                return self.neg(a)
            return self.zero if va == 0 else None
        if op is O.POW:
            if vb == 1:
                return a
            if vb == 0 or va == 1:
                return self.one
            if _whole(vb) and self.ops[a] is O.POW:
                base, inner = self.args[a]
                vi = self.value_of(inner)
                if _whole(vi):      # (x^m)^n = x^(m·n) for whole m and n
                    return self.apply(O.POW, (base, self.const(vi * vb)))
        return None


def from_graph(g: Graph, raw: set[int] = frozenset()) -> tuple[Expr, list[int]]:
    """A program's graph as an Expr; returns it and the Expr node of every graph node.

    Nodes in `raw` (assigned intermediates asked for with --wrt) stay nodes of
    their own, so that their gradient is theirs and not that of an equal twin.
    """
    e = Expr()
    where: list[int] = []
    for i, op in enumerate(g.ops):
        if op is O.INPUT:
            node = e.input(g.names[i])
        elif op is O.CONST:
            # pi and e stay names; a constant the program named (z = 0.1) is its number,
            # so that formulas need no definition of it and its value folds (z = 2; z*x -> 2*x)
            name = g.names.get(i)
            node = e.named_const(name, g.consts[i]) if name in O.CONSTANTS else e.const(g.consts[i])
        elif i in raw:
            node = e.raw(op, tuple(where[j] for j in g.args[i]))
        else:
            node = e.apply(op, tuple(where[j] for j in g.args[i]))
        where.append(node)
    for name, i in g.assigned.items():
        e.user_names.setdefault(where[i], name)
    return e, where
