"""Readable formulas: gather like terms and like factors, for people.

`Expr.apply` already folds constants and drops x·1, x + 0, 0·x, x^1, --x.
This pass rebuilds the part of an Expr that some roots need into a new Expr,
where every chain of sums is one n-ary sum and every chain of products and
quotients one n-ary product:

    x + y - x + 2·y      ->  3*y          (like terms: coefficient × the same node)
    x·3·x / (6·y)        ->  x^2/(2*y)    (like factors: whole powers of the same node)
    -(a·b)               ->  -a*b         (a coefficient, printed in front)

A sum or product used once is flattened into its user. A shared one stays
one node (and a printer may name it), except that a small one, of at most
`MERGE_LIMIT` terms or factors, is also merged into each sum or product that
uses it: `(a+b)*(b+1)` has ∂/∂b = (b + 1) + (a + b) with b + 1 shared (it is
∂/∂a too), and that reads a + 2*b + 1. The limit keeps the pass linear: no
node copies more than a few entries from each of its inputs, so a product of
10^4 factors shared along a chain costs 10^4 steps, not 10^8. Like factors are gathered only with whole exponents (x^2·x^3 =
x^5 for every x, while x^0.5·x^0.5 is not x for x < 0), also across the
fraction bar (x^3/x = x^2): the printed formula may then be finite at a point
where the derivative graph divides by 0 (the numbers always come from the
derivative graph, never from this pass).

Everything runs in loops over node ids with explicit stacks.
"""

from __future__ import annotations

from fractions import Fraction

from gradcli.ops import table as O
from gradcli.language.expr import CHAIN, FOLD_LIMIT, GUARD, Expr
from gradcli.symbolic.printing import is_decimal

_SUM = (O.ADD, O.SUB)
_PRODUCT = (O.MUL, CHAIN, O.DIV)
MERGE_LIMIT = 8    # a shared sum or product of at most this many entries is merged into its users



def _small(v: Fraction) -> bool:
    """A coefficient small enough to fold, as the expression graph folds constants."""
    return abs(v.numerator) <= FOLD_LIMIT and v.denominator <= FOLD_LIMIT

def _role(op) -> str | None:
    if op in _SUM:
        return "sum"
    if op in _PRODUCT:
        return "product"
    return "neg" if op is O.NEG else None


class _Builder:
    """Makes n-ary sums and products in the target Expr, and remembers how they were made."""

    def __init__(self, out: Expr):
        self.out = out
        self.products: dict[int, tuple[Fraction, list]] = {}   # node -> (coefficient, factors)
        self.sums: dict[int, tuple[list, Fraction]] = {}        # node -> (terms, constant), small ones
        self._made: dict[tuple, int] = {}                       # (coefficient, factors) -> node
        self._split: dict[int, tuple[Fraction, int | None]] = {}

    def split(self, node: int) -> tuple[Fraction, int | None]:
        """node = coefficient × rest; rest is None for a constant."""
        known = self._split.get(node)
        if known is not None:
            return known
        v = self.out.value_of(node)
        made = self.products.get(node)
        if v is not None:
            known = v, None
        elif made is not None and made[0] != 1:
            known = made[0], self.product(Fraction(1), made[1])
        else:
            known = Fraction(1), node
        self._split[node] = known
        return known

    def factors_of(self, rest: int) -> list:
        """The factors of a product made here, if few (see MERGE_LIMIT); else rest itself."""
        made = self.products.get(rest)
        if made is not None and made[0] == 1 and len(made[1]) <= MERGE_LIMIT:
            return made[1]
        return [(rest, Fraction(1))]

    def terms_of(self, rest: int) -> tuple[list, Fraction] | None:
        """The terms and constant of a small sum made here, else None."""
        return self.sums.get(rest)

    def _power(self, base: int, k: Fraction) -> int:
        return base if k == 1 else self.out.apply(O.POW, (base, self.out.const(k)))

    def _times(self, parts: list[int]) -> int:
        node = parts[0]
        for p in parts[1:]:
            node = self.out.apply(O.MUL, (node, p))
        return node

    def product(self, coef: Fraction, factors: list) -> int:
        """coef × Π base^k, as num/den with the coefficient in front."""
        out = self.out
        if coef == 0:
            return out.zero
        key = (coef, *sorted(factors))
        node = self._made.get(key)
        if node is None:
            node = self._made[key] = self._product(coef, factors)
        return node

    def _product(self, coef: Fraction, factors: list) -> int:
        out = self.out
        top = sorted((f for f in factors if f[1] > 0), key=lambda f: f[0])
        bottom = sorted(((b, -k) for b, k in factors if k < 0), key=lambda f: f[0])
        p, q = abs(coef.numerator), coef.denominator
        parts = [self._power(b, k) for b, k in top]
        if q % 10 == 0 and is_decimal(coef):   # 0.99*step(x), not 99*step(x)/100; but x/2
            p, q = abs(coef), 1
        if p != 1 or not parts:
            parts.insert(0, out.const(p))
        if coef < 0:    # -2*x, or -x*y (the sign on the first factor: no parentheses needed)
            parts[0] = out.neg(parts[0])
        node = self._times(parts)
        under = ([out.const(q)] if q != 1 else []) + [self._power(b, k) for b, k in bottom]
        if under:
            node = out.apply(O.DIV, (node, self._times(under)))
        if out.ops[node] is not O.INPUT and out.value_of(node) is None:
            self.products.setdefault(node, (coef, sorted(factors, key=lambda f: f[0])))
        return node

    def sum(self, terms: dict, const: Fraction) -> int:
        """Σ coef × rest + const; the first term positive where one is."""
        out = self.out
        items = sorted(((rest, c) for rest, c in terms.items() if c != 0), key=lambda t: t[0])
        node = self._sum(list(items), const)
        if len(items) + (const != 0) >= 2 and len(items) <= MERGE_LIMIT:
            self.sums.setdefault(node, (items, const))
        return node

    def _sum(self, items: list, const: Fraction) -> int:
        out = self.out
        node = None
        if items and all(c < 0 for _, c in items) and const > 0:   # 1 - x^2, not -x^2 + 1
            node, const = out.const(const), Fraction(0)
        elif items:
            first = next((n for n, (_, c) in enumerate(items) if c > 0), 0)
            items.insert(0, items.pop(first))
        for rest, c in items:
            term = self.product(abs(c) if node is not None else c, self.factors_of(rest))
            if node is None:
                node = term
            else:
                node = out.apply(O.SUB if c < 0 else O.ADD, (node, term))
        if node is None:
            return out.const(const)
        if const:
            node = out.apply(O.SUB if const < 0 else O.ADD, (node, out.const(abs(const))))
        return node


def _uses(e: Expr, roots) -> tuple[list[bool], list[int], int]:
    top = max(roots)
    need = [False] * (top + 1)
    uses = [0] * (top + 1)
    for r in roots:
        need[r] = True
        uses[r] += 1
    for i in range(top, -1, -1):
        if need[i]:
            for j in e.args[i]:
                need[j] = True
                uses[j] += 1
    return need, uses, top


def simplify(e: Expr, roots: dict) -> tuple[Expr, dict]:
    """A new Expr holding the roots (a dict key -> node of e) in readable form."""
    out = Expr()
    if not roots:
        return out, {}
    need, uses, top = _uses(e, roots.values())
    ops, args = e.ops, e.args
    # Which nodes are flattened into their (only) user, and as part of a sum or a product.
    context: list[str | None] = [None] * (top + 1)
    flat = [False] * (top + 1)
    role = [None] * (top + 1)
    for i in range(top, -1, -1):
        if not need[i]:
            continue
        own = _role(ops[i])
        ctx = context[i]
        flat[i] = uses[i] == 1 and ctx is not None and own in (ctx, "neg")
        if flat[i]:
            role[i] = ctx
        elif own == "neg":
            inner = args[i][0]
            role[i] = "sum" if ops[inner] in _SUM and uses[inner] == 1 else "product"
        else:
            role[i] = own
        if role[i] is not None:
            for j in args[i]:
                context[j] = role[i]

    b = _Builder(out)
    done: list[int] = [-1] * (top + 1)
    for i in range(top + 1):
        if not need[i] or flat[i]:
            continue
        op = ops[i]
        if op is O.INPUT:
            done[i] = out.input(e.names[i])
        elif op is O.CONST:
            name = e.names.get(i)
            done[i] = out.named_const(name, e.consts[i]) if name else out.const(e.consts[i])
        elif role[i] == "sum":
            done[i] = _gather_sum(e, i, flat, done, b)
        elif role[i] == "product":
            done[i] = _gather_product(e, i, flat, done, b)
        elif op is GUARD:
            masked_op, k = e.masks[i]
            value, *on = (done[j] for j in args[i])
            done[i] = out.guard(value, masked_op, k, tuple(on))
        else:
            done[i] = out.apply(op, tuple(done[j] for j in args[i]))
        name = e.user_names.get(i)
        if name is not None:
            out.user_names.setdefault(done[i], name)
    return out, {key: done[r] for key, r in roots.items()}


def _gather_sum(e: Expr, i: int, flat, done, b: _Builder) -> int:
    terms: dict[int, Fraction] = {}
    const = Fraction(0)
    stack = [(i, 1)]
    while stack:
        j, sign = stack.pop()
        if j != i and not flat[j]:
            coef, rest = b.split(done[j])
            if rest is None:
                const += sign * coef
                continue
            small = b.terms_of(rest)
            if small is None:
                terms[rest] = terms.get(rest, 0) + sign * coef
                continue
            inner, c0 = small            # a small shared sum: its terms join these
            for r, c in inner:
                terms[r] = terms.get(r, 0) + sign * coef * c
            const += sign * coef * c0
            continue
        op, (a, *more) = e.ops[j], e.args[j]
        if op is O.NEG:
            stack.append((a, -sign))
        else:   # ADD or SUB: push the right operand first, so the left one comes out first
            stack.append((more[0], -sign if op is O.SUB else sign))
            stack.append((a, sign))
    return b.sum(terms, const)


def _gather_product(e: Expr, i: int, flat, done, b: _Builder) -> int:
    out = b.out
    coef = Fraction(1)
    factors: list[list] = []          # [base, exponent], in first-seen order
    whole: dict[int, int] = {}        # base -> index of its whole-power entry
    stack = [(i, 1)]
    while stack:
        j, sign = stack.pop()
        if j != i and not flat[j]:
            c, rest = b.split(done[j])
            folded = coef * c ** sign if (c != 0 or sign > 0) else None
            if folded is not None and not _small(folded):
                folded = None                          # a huge coefficient stays a factor
            if rest is None:
                if folded is not None:
                    coef = folded
                    continue
                pieces = [(done[j], Fraction(1))]      # x/0 stays in sight
            elif folded is not None:
                coef = folded
                pieces = b.factors_of(rest)
            else:
                pieces = [(done[j], Fraction(1))]
            for base, k in pieces:
                base, k = _as_power(out, base, k)
                k *= sign
                slot = whole.get(base) if k.denominator == 1 else None
                if slot is None:
                    if k.denominator == 1:
                        whole[base] = len(factors)
                    factors.append([base, k])
                else:
                    factors[slot][1] += k
            continue
        op, ins = e.ops[j], e.args[j]
        if op is O.NEG:
            coef = -coef
            stack.append((ins[0], sign))
        else:
            stack.append((ins[1], -sign if op is O.DIV else sign))
            stack.append((ins[0], sign))
    return b.product(coef, [(base, k) for base, k in factors if k != 0])


def _as_power(out: Expr, node: int, k: Fraction) -> tuple[int, Fraction]:
    """x^n with a whole constant n as (x, n·k); anything else as (node, k)."""
    if out.ops[node] is O.POW:
        base, exponent = out.args[node]
        n = out.value_of(exponent)
        if n is not None and n.denominator == 1:
            return base, n * k
    return node, k
