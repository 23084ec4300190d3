"""The one differentiation mechanism: rules from the operation table, passes over any domain.

Every stage of gradcli walks the same thing, a flat list of nodes in
topological order (`nodes.Nodes`: a program's Graph, a formula's Expr, the
training plan's IR). What changes from stage to stage is the kind of value a
node holds: a float, a NumPy row, an exact fraction, a node of a formula, a
micro-operation of the plan. That is a `Domain` (see `passes/domains.py`): a table
of kernels and a few primitives. The passes here are written once:

- `local_rule(op, k, domain)`: ∂out/∂input_k of op, its text in ops.py
  (over the leaves a, b, out) compiled once per (op, k, domain) into a
  closure over the domain's kernels, constants folded, the op's mask
  (`zero_where`, PyTorch's convention) applied by the domain;
- `backward`: the adjoint of the root is 1; ids are walked downwards; a
  node's adjoint times each local derivative (`domain.chain`) is added into
  its inputs (`domain.add`), so a node used twice gets the sum; an adjoint
  that is surely zero is not passed on (`domain.is_zero`), so a dead
  branch's infinite local derivative never makes 0·∞; only nodes that depend
  on a target get adjoints;
- `forward`: every node's value from its inputs by the domain's kernels;
- `tangents`: forward mode, the same local rules pushed upwards from a seed.

An op row may instead carry `vjp` rules (over a, b, out and the adjoint g:
the contribution itself, e.g. matmul's "g @ transpose(b)") and `jvp` rules
(over a, b, out and the input's tangent t). Ops without them are elementwise:
contribution = domain.reduce_to(domain.chain(g, local), input's value, out).
Nodes may have any number of inputs; the rules of an op with more than two
name them a, b, c, d, ...
"""

from __future__ import annotations

import functools
import math
import operator

from gradcli.language.rules import SLOTS as _SLOT, rule_graph  # noqa: F401  (rule_graph: for callers)
from gradcli.ops import predicates
from gradcli.ops.table import CONST, INPUT, Op


def _leaf(slot: int, wide: bool):
    if wide:
        return lambda *leaves: leaves[slot]
    return (lambda a, b=None, out=None, x=None: a,
            lambda a, b=None, out=None, x=None: b,
            lambda a, b=None, out=None, x=None: out,
            lambda a, b=None, out=None, x=None: x)[slot]


def _closure(kernel, parts, wide: bool):
    """kernel applied to parts, each a folded constant or a function of the leaves."""
    if not any(callable(p) for p in parts):
        return kernel(*parts)                       # folded once, here
    if wide or len(parts) > 2:
        return lambda *leaves: kernel(*(p(*leaves) if callable(p) else p for p in parts))
    if len(parts) == 1:
        (p,) = parts
        return lambda a, b=None, out=None, x=None: kernel(p(a, b, out, x))
    p, q = parts
    if not callable(p):
        return lambda a, b=None, out=None, x=None: kernel(p, q(a, b, out, x))
    if not callable(q):
        return lambda a, b=None, out=None, x=None: kernel(p(a, b, out, x), q)
    return lambda a, b=None, out=None, x=None: kernel(p(a, b, out, x), q(a, b, out, x))


def compile_text(text: str, domain, wide: bool = False):
    """A rule's text as a constant of the domain or a function f(a, b, out, x, c, ...).

    The one place a rule becomes something a domain computes with: numbers for
    floats and fractions, nodes for formulas and the plan (whose kernels make
    nodes). wide: the op has more than two inputs (leaves passed as *leaves).
    """
    g = rule_graph(text)
    built: list = []
    for i, op in enumerate(g.ops):
        if op is CONST:
            built.append(domain.const(g.consts[i], g.names.get(i)))
        elif op is INPUT:
            built.append(_leaf(_SLOT[g.names[i]], wide))
        else:
            built.append(_closure(domain.kernel(op), [built[j] for j in g.args[i]], wide))
    rule = built[g.output]
    if isinstance(rule, float) and not math.isfinite(rule):
        raise ValueError(f"derivative rule {text!r} folds to {rule}")
    return rule


def local_rule(op: Op, k: int, domain):
    """∂out/∂input_k of op in the domain (mask included), compiled once per (op, k, domain)."""
    cache = domain.rules
    key = ("local", op, k)
    found = cache.get(key)
    if found is None:
        rule = compile_text(op.grads[k], domain, op.arity > 2)
        pred = op.zero_where[k] if k < len(op.zero_where) else None
        if pred is not None:
            rule = domain.mask(op, k, rule)
        found = cache[key] = rule
    return found


def vjp_rule(op: Op, k: int, domain):
    """The contribution of op's adjoint g to input k (op.vjp[k]), compiled once per domain."""
    key = ("vjp", op, k)
    found = domain.rules.get(key)
    if found is None:
        found = domain.rules[key] = compile_text(op.vjp[k], domain, op.arity > 2)
    return found


def jvp_rule(op: Op, k: int, domain):
    """The tangent op gets from input k's tangent t (op.jvp[k]), compiled once per domain."""
    key = ("jvp", op, k)
    found = domain.rules.get(key)
    if found is None:
        found = domain.rules[key] = compile_text(op.jvp[k], domain, op.arity > 2)
    return found


def call(rule, ins_vals, out, x=None):
    """A compiled rule (or constant) at a node: its inputs' values, its own, and g or t."""
    if not callable(rule):
        return rule
    n = len(ins_vals)
    if n > 2:
        return rule(ins_vals[0], ins_vals[1], out, x, *ins_vals[2:])
    return rule(ins_vals[0], ins_vals[1] if n == 2 else None, out, x)


def local_rules(op: Op, domain) -> tuple:
    """Every compiled ∂out/∂input_k of op in the domain, one per input (looked up once per op)."""
    found = domain.rules.get(op)
    if found is None:
        found = domain.rules[op] = tuple(local_rule(op, k, domain) for k in range(len(op.grads)))
    return found


def local_values(op: Op, domain, ins_vals, out) -> tuple:
    """Every ∂out/∂input_k of one node in the domain (an op with vjp rules has none)."""
    return tuple(call(r, ins_vals, out) for r in local_rules(op, domain))


class DomainError(Exception):
    """A kernel's refusal in its domain (shapes that do not fit); forward() sets `node`."""

    node: int | None = None


class Domain:
    """A kind of value the passes run in: a table of kernels and a few primitives.

    Subclasses (passes/domains.py, passes/arrays.py, symbolic/derivative_graph.py,
    training/plan.py) override what
    differs; the defaults are those of plain numbers with * and +.
    """

    name = "numbers"
    watch = None                 # backward's hook: (j, op, k, ins, g, local or None, contribution, before, sum)
    special: dict = {}           # op -> its own backward contributions (domain, graph, i, g)
    special_forward: dict = {}   # op -> its own forward rule (domain, graph, i, input values)

    def __init__(self, kernels=None):
        self.kernels = kernels   # a module of kernels named as Op.kernel, or None
        self.rules: dict = {}    # compiled rules of this domain, by (kind, op, k)
        self._kernel: dict = {}  # op -> its kernel, looked up once

    def kernel(self, op: Op):
        """The function that computes op on this domain's values."""
        found = self._kernel.get(op)
        if found is None:
            found = self._kernel[op] = self.find_kernel(op)
        return found

    def find_kernel(self, op: Op):
        return getattr(self.kernels, op.kernel)

    def kernel_table(self) -> dict:
        """{op: kernel} for every op of the table that has a kernel (for hand-tuned loops)."""
        from gradcli.ops.table import ALL_OPS

        return {op: self.kernel(op) for op in ALL_OPS if op.kernel}

    def const(self, v, name: str | None = None):
        """A number of a rule or of a program as this domain's value."""
        return float(v)

    def leaf(self, graph, i: int):
        """The value of a constant node of a graph."""
        return self.const(graph.consts[i], graph.names.get(i))

    def apply(self, op: Op, xs):
        return self.kernel(op)(*xs)

    def check(self, graph, i: int, vals: list, v):
        """A forward value, or the domain's error for it (a non-finite float, a shape)."""
        return v

    # Plain numbers: C functions, no Python frame per edge (subclasses write methods).
    # is_zero: surely zero, an adjoint or tangent that is not passed on; chain: g × local
    # (g is never zero there: zeros are not passed on); add: a sum at a fork.
    is_zero = staticmethod(functools.partial(operator.eq, 0))
    chain = staticmethod(operator.mul)
    add = staticmethod(operator.add)

    def zero(self):
        return self.const(0)

    def mask(self, op: Op, k: int, rule):
        """A compiled rule that is 0 where op.zero_where[k] holds on (a, b, out): PyTorch's convention."""
        if not callable(rule):
            return rule
        holds, zero = predicates.function(op.zero_where[k]), self.const(0)
        return lambda a, b=None, out=None, x=None, *more: zero if holds(a, b, out) else rule(a, b, out, x, *more)

    def spread(self, tangent, out):
        """A tangent brought to the shape of its node's value `out` (arrays: broadcast up,
        where only an input that broadcasting stretched carries a tangent)."""
        return tangent

    def reduce_to(self, contribution, value, out):
        """A contribution to an input of value `value` from a node of value `out`, brought
        to the input's shape (arrays: the sum over the axes the input was broadcast along)."""
        return contribution


class Backward:
    """What a backward pass found: every node's adjoint, how many products it made, and
    which nodes depend on a target (None: targets were not asked for, every node)."""

    __slots__ = ("adjoints", "products", "depends")

    def __init__(self, adjoints: list, products: int, depends: list[bool] | None = None):
        self.adjoints, self.products, self.depends = adjoints, products, depends


def backward(graph, values, domain, targets=None, root: int | None = None, seed=None) -> Backward:
    """Adjoints ∂root/∂node in the domain (None for nodes that got none: zero).

    values: every node's value in the domain (for formulas and the plan, the
    nodes themselves). targets: only the nodes that depend on one get an
    adjoint (default: all). root: default graph.output; seed: its adjoint
    (default the domain's 1).
    """
    root = graph.output if root is None else root
    ops, args = graph.ops, graph.args
    dep = None if targets is None else graph.depends_on(targets, root)
    adj: list = [None] * len(graph)
    if dep is not None and not dep[root]:
        return Backward(adj, 0, dep)
    adj[root] = domain.const(1) if seed is None else seed
    special = domain.special
    is_zero, chain, add, reduce_to = domain.is_zero, domain.chain, domain.add, domain.reduce_to
    watch = domain.watch   # None, or told of every contribution (a domain that looks for lost digits)
    products = 0
    for i in range(root, -1, -1):
        gi = adj[i]
        ins = args[i]
        if gi is None or not ins or is_zero(gi):
            continue                 # a zero adjoint is not passed on
        op = ops[i]
        rule = special.get(op)
        if rule is not None:         # a domain's own op (a formula's GUARD): its own contributions
            for j, c in rule(domain, graph, i, gi):
                if dep is None or dep[j]:
                    adj[j] = c if adj[j] is None else add(adj[j], c)
            continue
        ins_vals = [values[j] for j in ins]
        out = values[i]
        vjp = op.vjp
        rules = None if vjp else local_rules(op, domain)
        for k, j in enumerate(ins):
            if dep is not None and not dep[j]:
                continue
            if vjp:
                c = call(vjp_rule(op, k, domain), ins_vals, out, gi)
                local = None
            else:
                local = call(rules[k], ins_vals, out)
                c = reduce_to(chain(gi, local), ins_vals[k], out)
            products += 1
            before = adj[j]
            adj[j] = c if before is None else add(before, c)
            if watch is not None:
                watch(j, op, k, ins_vals, gi, local, c, before, adj[j])
    return Backward(adj, products, dep)


def forward(graph, inputs: dict, domain, needed: list[bool] | None = None) -> list:
    """Every node's value in the domain (None where not needed); inputs maps names to values.

    Leaves: an input's value from `inputs`, a constant by `domain.leaf`. Each
    other node: the domain's kernel on its inputs' values, then `domain.check`
    (the domain's errors: a non-finite float, a row, a shape).
    """
    ops, args = graph.ops, graph.args
    vals: list = [None] * len(graph)
    special = domain.special_forward
    for i in range(len(graph)):
        if needed is not None and not needed[i]:
            continue
        op, ins = ops[i], args[i]
        if op is INPUT:
            vals[i] = inputs[graph.names[i]]
        elif not ins:
            vals[i] = domain.leaf(graph, i)
        else:
            rule = special.get(op)
            xs = [vals[j] for j in ins]
            try:
                v = rule(domain, graph, i, xs) if rule is not None else domain.apply(op, xs)
            except DomainError as exc:
                exc.node = i         # where it happened, for the message
                raise
            vals[i] = domain.check(graph, i, vals, v)
    return vals


def tangents(graph, values, domain, seed: int, stop: int | None = None,
             cache: list | None = None, direction=None) -> tuple[list, int]:
    """Forward mode: every node's tangent ∂node/∂seed (None: zero) up to `stop`, and the products.

    tangent(node) = Σ_k chain(tangent(input_k), ∂node/∂input_k), by the same
    local rules as `backward` (or op.jvp); a zero tangent is not multiplied.
    cache: each node's local derivatives, kept across passes from several seeds.
    direction: the seed's tangent (default the domain's 1; arrays: one element's 1).
    """
    stop = graph.output if stop is None else stop
    args, ops = graph.args, graph.ops
    t: list = [None] * len(graph)
    t[seed] = domain.const(1) if direction is None else direction
    is_zero, chain, add = domain.is_zero, domain.chain, domain.add
    # Only a domain whose values have shapes brings tangents to their node's (arrays).
    spread = None if type(domain).spread is Domain.spread else domain.spread
    products = 0
    for i in range(seed + 1, stop + 1):
        ins = args[i]
        if not ins:
            continue
        s = None
        locs = None
        op = ops[i]
        for k, j in enumerate(ins):
            tj = t[j]
            if tj is None or is_zero(tj):
                continue             # nothing flows from the seed along this edge
            if op.jvp:
                c = call(jvp_rule(op, k, domain), [values[m] for m in ins], values[i], tj)
            else:
                if locs is None:
                    locs = cache[i] if cache is not None else None
                    if locs is None:
                        locs = local_values(op, domain, [values[m] for m in ins], values[i])
                        if cache is not None:
                            cache[i] = locs
                c = chain(tj, locs[k])
            products += 1
            s = c if s is None else add(s, c)
        t[i] = s if s is None or spread is None else spread(s, values[i])
    return t, products
