"""Formulas as text in gradcli's own language, with the fewest parentheses.

Printing a DAG as a tree would copy every shared subexpression into each of
its uses, and a chain of squarings (a2 = a1*a1; a3 = a2*a2; ...) would then
double the text at every step. So a node that is used more than once and is
longer than `SHARE_LIMIT` characters is printed once, as a definition with a name
(the program's own name for it where it has one, else t1, t2, ...), and its
uses print the name. A shared node printed in place is at most that long, so
the text stays linear in the size of the graph. Everything else is printed in place. The definitions and
a formula together are a gradcli program (`t1 = x*y; t1*sin(t1)`), so every
printed formula parses back with gradcli's grammar: the tests check that it
gives the same values.

Parentheses follow the grammar: `+ -` (1) < `* /` (2) < unary minus (3) <
`^` (4, right-associative, its base an atom: `(x^2)^3`, `(-x)^2`, but
`-x^2` is -(x^2) and `2^-1` needs none). A style (`TextStyle` here,
`latex.LatexStyle`) says how each node looks; `render` walks with a stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from gradcli.ops import table as O
from gradcli.language.expr import GUARD, Expr

SHARE_LIMIT = 24         # a shared node longer than this (in characters, about) gets a name
ATOM = 9

# What each mask of `zero_where` means, to tell the reader (see ops.POW).
def shown(e: Expr, i: int) -> int:
    """The node printed for i: guards and aliases print as their value."""
    while e.ops[i] is GUARD or e.ops[i] is O.ALIAS:
        i = e.args[i][0]
    return i


def is_decimal(v: Fraction) -> bool:
    """Short enough to print as a decimal (0.5, 0.01, 2.5) rather than p/q."""
    text = repr(float(v))
    return len(text) <= 6 and Fraction(text) == v


def leaf(style, e: Expr, i: int) -> list | None:
    """A name or a number in the style's own writing; None for an operation."""
    op = e.ops[i]
    if op is O.INPUT or op is O.CONST and i in e.names:
        return [style.name(e.names[i])]
    if op is O.CONST:
        return [style.number(e.consts[i])]
    return None


class TextStyle:
    """gradcli's language: `2*x*sin(y)`, `x^2/(2*y)`."""

    open, close = "(", ")"

    def name(self, name: str) -> str:
        return name

    def number(self, v: Fraction) -> str:
        if v.denominator == 1:
            return str(v.numerator)
        if is_decimal(v):
            return repr(float(v))
        return f"{v.numerator}/{v.denominator}"

    def prec(self, e: Expr, i: int) -> int:
        op = e.ops[i]
        if op is O.CONST:
            if i in e.names:
                return ATOM
            v = e.consts[i]
            if v.denominator != 1 and not is_decimal(v):
                return O.MUL.prec            # p/q is a quotient
            return O.NEG.prec if v < 0 else ATOM
        return op.prec if op.form in ("infix", "prefix") else ATOM

    def pieces(self, e: Expr, i: int, prec) -> list:
        """How node i prints: strings, and (child, parenthesised?) pairs."""
        op, a = e.ops[i], e.args[i]
        written = leaf(self, e, i)
        if written is not None:
            return written
        if op is O.POW:
            return [(a[0], prec(a[0]) < ATOM), "^", (a[1], prec(a[1]) < O.NEG.prec)]
        if op.form == "infix":
            p = op.prec
            tight = op is O.SUB or op is O.DIV      # a - (b + c), a/(b*c)
            symbol = f" {op.symbol} " if p == O.ADD.prec else op.symbol
            return [(a[0], prec(a[0]) < p), symbol, (a[1], prec(a[1]) <= p if tight else prec(a[1]) < p)]
        if op.form == "prefix":
            return [op.symbol, (a[0], prec(a[0]) < op.prec)]
        out = [op.symbol or op.name, "("]
        for k, j in enumerate(a):
            out += [", "] if k else []
            out.append((j, False))
        return out + [")"]


@dataclass
class Naming:
    """Which nodes get a name, and the order to define them in (children first)."""

    expr: Expr
    roots: dict
    names: dict[int, str]
    guards: list[int]


def name_nodes(e: Expr, roots: dict, taken: set[str]) -> Naming:
    """Name the shared nodes worth naming; roots maps keys to nodes of e."""
    uses: dict[int, int] = {}
    guards: list[int] = []
    stack: list[int] = []

    def see(j: int) -> None:
        while e.ops[j] is GUARD or e.ops[j] is O.ALIAS:
            if e.ops[j] is GUARD and j not in seen_guards:
                seen_guards.add(j)
                guards.append(j)
            j = e.args[j][0]
        if j not in uses:
            uses[j] = 0
            stack.append(j)
        uses[j] += 1

    seen_guards: set[int] = set()
    for r in roots.values():
        see(r)
    while stack:
        for j in e.args[stack.pop()]:
            see(j)
    size: dict[int, int] = {}        # about how long the node prints in place
    names: dict[int, str] = {}
    used = set()
    counter = 0
    for i in sorted(uses):
        children = [shown(e, j) for j in e.args[i]]
        size[i] = _own_length(e, i) + sum(len(names[j]) if j in names else size[j] for j in children)
        if children and uses[i] >= 2 and size[i] > SHARE_LIMIT:
            name = e.user_names.get(i)
            while name is None or name in used:
                counter += 1
                name = f"t{counter}"
                if name in taken:
                    name = None
            used.add(name)
            names[i] = name
    return Naming(e, roots, names, sorted(guards))


def _own_length(e: Expr, i: int) -> int:
    op = e.ops[i]
    if op is O.INPUT or i in e.names:
        return len(e.names[i])
    if op is O.CONST:
        return len(TextStyle().number(e.consts[i]))
    if op.form in ("infix", "prefix"):
        return len(op.symbol) + (2 if op.prec == O.ADD.prec else 0)    # " + "; parentheses not counted
    return len(op.symbol or op.name) + 2 * len(e.args[i])


def render(p: Naming, style, root: int, define: bool = False) -> str:
    """Node root as text; define=True prints a named node's definition, not its name."""
    e, names = p.expr, p.names

    def prec(j: int) -> int:
        j = shown(e, j)
        return ATOM if j in names else style.prec(e, j)

    out: list[str] = []
    stack: list = [(root, define)]
    while stack:
        item = stack.pop()
        if item.__class__ is str:
            out.append(item)
            continue
        j, expand = item
        j = shown(e, j)
        if not expand and j in names:
            out.append(style.name(names[j]))
            continue
        for piece in reversed(style.pieces(e, j, prec)):
            if piece.__class__ is str:
                stack.append(piece)
            else:
                child, parens = piece
                if parens:
                    stack += [style.close, (child, False), style.open]
                else:
                    stack.append((child, False))
    return "".join(out)


def needs(p: Naming, roots: dict) -> dict:
    """key -> the named nodes its root's formula uses, directly or through other definitions, in order.

    Each walk stops at named nodes; what a named node needs is found once and shared,
    so the walks cost about as much as printing the formulas.
    """
    e = p.expr
    direct: dict[int, set[int]] = {}       # node -> the named nodes its text uses directly

    def walk(top: int) -> set[int]:
        found: set[int] = set()
        seen = {top}
        stack = list(e.args[shown(e, top)])
        while stack:
            i = shown(e, stack.pop())
            if i in seen:
                continue
            seen.add(i)
            if i in p.names:
                found.add(i)
            else:
                stack += e.args[i]
        return found

    closure: dict[int, frozenset] = {}
    for n in sorted(p.names):             # children first: what a name's uses need is known
        inner = walk(n)
        closure[n] = frozenset(inner).union(*(closure[m] for m in inner))
    result = {}
    for key, root in roots.items():
        r = shown(e, root)
        inner = {r} if r in p.names else walk(r)
        result[key] = sorted(set(inner).union(*(closure[m] for m in inner)))
    return result


def shorten(text: str, limit: int = 60) -> str:
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return text[:half] + "…" + text[-half:]


def mask_notes(p: Naming, style) -> list[str]:
    """One sentence per masked local derivative in the formulas (PyTorch's pow conventions)."""
    e = p.expr
    notes = []
    for g in p.guards:
        op, k = e.masks[g]
        value, *on = e.args[g]
        words = {"a": shorten(render(p, style, on[0])),
                 "b": shorten(render(p, style, on[1])) if len(on) > 1 else ""}
        where = op.zero_where_text[k].format(**words)
        notes.append(f"{shorten(render(p, style, value))} is taken as 0 where {where} "
                     f"(PyTorch's convention for {op.name})")
    return notes
