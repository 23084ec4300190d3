"""The training engine: a program and its derivative rules compiled into a plan.

A node-by-node interpreter (arrays.py) pays at every step for work that
depends only on the graph: looking up rules, multiplying by the 1 of `+`,
allocating a fresh row-sized array for every node and handing the memory
back. Here that work is done once per graph:

1. `compile_plan` walks the graph once, forward, merging repeated
   sub-expressions, and writes each operation into an `IR` (plan_ir.py);
   then walks it backward and writes, for each operation, its derivative
   rules from ops.py (parsed with gradcli's own parser, as rules.py does)
   times the upstream adjoint. The IR folds, simplifies and shares as the
   nodes go in. The roots are the batch's mean loss and, for each parameter,
   its gradient (the adjoint summed over rows, divided by their number).
2. `Plan` keeps the nodes the roots need, in order, split into a prologue
   (what depends on data only: once per batch) and a body (every step).
3. `Plan.bind(rows)` (plan_run.py) gives every row-sized node of the body a
   buffer, a chunk of rows long, reused as soon as its value is dead: a step
   allocates nothing. The plan is data: a list of (kernel, input slots,
   output slot), run by a small interpreter loop. No Python source is
   generated.

The plan checks nothing: the caller looks at the loss and the gradients and,
when one is not finite, asks the reference pass (arrays.py) for the error
(see engines.py).
"""

from __future__ import annotations

from gradcli.ops import arrays as kernels_np
from gradcli.passes.engine import Domain, backward
from gradcli.language.graph import Graph
from gradcli.language.nodes import Nodes
from gradcli.ops.table import ALIAS, CONST, INPUT
from gradcli.training.plan_ir import AT_COMPILE, IR, PER_BATCH, PER_STEP, REDUCTIONS
from gradcli.ops.predicates import MAYBE, array_function, verdict

LEAVES = ("const", "column", "param", "rows")


class PlanDomain(Domain):
    """Micro-operations of one IR: kernels emit nodes (folded, shared, rewritten as they go in).

    The engine's backward pass in this domain writes the derivative rules into
    the IR; a contribution from a row-sized node into a one-number node (a
    parameter) is summed over rows.
    """

    name = "plan"

    def __init__(self, ir: IR):
        super().__init__(None)
        self.ir = ir

    def find_kernel(self, op):
        kernel, name = self.ir.kernel, op.kernel
        return lambda *xs: kernel(name, list(xs))

    def const(self, v, name=None):
        return self.ir.const(v)

    def is_zero(self, v) -> bool:
        return self.ir.value.get(v) == 0

    def chain(self, g, local):
        if self.ir.value.get(local) == 0:
            return local             # nothing flows through a constant 0 (as in passes.backward)
        return self.ir.node("mul", g, local)

    def add(self, x, y):
        return self.ir.node("add", x, y)

    def mask(self, op, k, rule):
        """Decided now where the constants decide it (x^2: is 2 == 0?), else row by row
        with kernels_np's masked_zero, as in arrays.py."""
        ir, pred = self.ir, op.zero_where[k]

        def masked(a, b=None, out=None, x=None, *more):
            local = rule(a, b, out, x, *more) if callable(rule) else rule
            decided = verdict(pred, ir.value.get(a), None if b is None else ir.value.get(b))
            if decided is MAYBE:
                return ir.call(kernels_np.masked_zero, ir.call(array_function(pred), a, b), local)
            return ir.const(0.0) if decided else local

        return masked

    def reduce_to(self, contribution, value, out):
        if self.ir.vec[out] and not self.ir.vec[value]:
            return self.ir.node("sum", contribution)   # one number used by every row: add up the rows
        return contribution


def compile_plan(g: Graph, params: list[str], scalars: dict[str, float],
                 columns: list[str]) -> "Plan":
    """The plan for the mean of g's output over rows, and its gradient for params.

    Every input of g is a parameter, a scalar (a value bound for the whole
    run, folded in as a constant) or a data column.
    """
    ir = IR()
    n = len(g)
    # Forward: one IR value per distinct operation (repeats and aliases merged).
    rep = list(range(n))
    seen: dict = {}
    val = [0] * n
    param_set = set(params)
    for i in range(n):
        op, ins = g.ops[i], g.args[i]
        if op is ALIAS:
            rep[i] = rep[ins[0]]
            continue
        if op is CONST:
            key = ("const", g.consts[i].hex())
        elif op is INPUT:
            key = ("input", g.names[i])
        else:
            ins = tuple(rep[j] for j in ins)
            key = (op, tuple(sorted(ins)) if op.name in ("add", "mul") else ins)
        r = rep[i] = seen.setdefault(key, i)
        if r != i:
            continue
        if op is CONST:
            val[i] = ir.const(g.consts[i])
        elif op is INPUT:
            name = g.names[i]
            if name in param_set:
                val[i] = ir.param(name)
            elif name in scalars:
                val[i] = ir.const(scalars[name])
            else:
                val[i] = ir.column(name)
        else:
            val[i] = ir.kernel(op.kernel, [val[j] for j in ins])
    # Backward: the engine's pass in the plan's domain, over the representatives only
    # (a repeat or an alias has no inputs here, and no one uses it).
    canonical = Nodes()
    canonical.ops = g.ops
    canonical.args = [tuple(rep[j] for j in g.args[i]) if rep[i] == i else () for i in range(n)]
    out = rep[g.output]
    targets = [g.inputs[name] for name in params]
    adj = backward(canonical, val, PlanDomain(ir), targets, out).adjoints
    # Roots: the mean over rows of the output, and the parameters' gradients.
    mean = ir.vec[val[out]]
    loss = ir.node("div", ir.node("sum", val[out]), ir.rows()) if mean else val[out]
    grads = []
    for name in params:
        j = g.inputs[name]
        total = ir.const(0.0) if adj[j] is None else adj[j]
        grads.append(ir.node("div", total, ir.rows()) if mean else total)
    return Plan(ir, loss, grads, params, columns)


class Plan:
    """The nodes the loss and the gradients need, in order: prologue and body."""

    def __init__(self, ir: IR, loss: int, grads: list[int], params: list[str], columns: list[str]):
        self.ir, self.loss, self.grads = ir, loss, grads
        self.params, self.columns = params, columns
        self.needed = needed = ir.reaches((loss, *grads))
        work = [i for i in range(len(ir)) if needed[i] and ir.op[i] not in LEAVES]
        if any(ir.when[i] == AT_COMPILE for i in work):  # every such node is folded into a leaf
            raise RuntimeError("internal error: an unfolded constant in the training plan")
        self.prologue = [i for i in work if ir.when[i] == PER_BATCH]
        body = _reductions_early([i for i in work if ir.when[i] == PER_STEP], ir)
        # A step in three phases: numbers from the parameters alone; the row-sized work
        # with its sums (which can run chunk by chunk: nothing row-sized ever depends on a
        # sum over rows); then the numbers computed from those sums.
        after_sum = [False] * len(ir)
        self.before, self.rows, self.after = [], [], []
        for i in body:
            after_sum[i] = ir.op[i] in REDUCTIONS or any(after_sum[j] for j in ir.args[i])
            if ir.vec[i] or ir.op[i] in REDUCTIONS:
                if ir.op[i] not in REDUCTIONS and after_sum[i]:
                    raise RuntimeError("internal error: a row-sized value after a sum in the plan")
                self.rows.append(i)
            else:
                (self.after if after_sum[i] else self.before).append(i)
        self.body = self.before + self.rows + self.after

    def bind(self, rows: int, chunk: int | None = None) -> "BoundPlan":
        """Buffers for batches of `rows` rows, worked through `chunk` rows at a time."""
        from gradcli.training.plan_run import CHUNK_ROWS, BoundPlan

        return BoundPlan(self, rows, chunk or CHUNK_ROWS)

    def describe(self) -> str:
        """The plan as text, one micro-operation per line (for people and tests)."""
        ir = self.ir

        def name(i):
            if ir.op[i] == "const":
                return repr(ir.value[i])
            if ir.op[i] in ("column", "param"):
                return ir.extra[i]
            return "rows" if ir.op[i] == "rows" else f"%{i}"

        def line(i):
            op = ir.op[i]
            if op == "call":  # a kernel of kernels_np, or a zero_where predicate of ops.py
                op = ir.extra[i].__name__.replace("<lambda>", "zero_where")
            shape = "rows" if ir.vec[i] else "1"
            return f"  %{i} = {op}({', '.join(name(j) for j in ir.args[i])})  [{shape}]"

        parts = ["once per batch:", *map(line, self.prologue), "every step:", *map(line, self.body),
                 f"loss = {name(self.loss)}"]
        parts += [f"∂loss/∂{p} = {name(g)}" for p, g in zip(self.params, self.grads)]
        return "\n".join(parts)


def _reductions_early(body: list[int], ir: IR) -> list[int]:
    """The body with each sum over rows moved up to just after its inputs are made.

    A reduction's inputs are rows and its result one number, so running it
    early frees row-sized buffers early: fewer of them, warmer in the cache.
    (The loss's dot products are made last but need only forward values.)
    """
    rows_ops = [i for i in body if ir.op[i] not in REDUCTIONS]
    position = {i: k for k, i in enumerate(rows_ops)}
    after: dict[int, list[int]] = {}
    for i in body:
        if ir.op[i] in REDUCTIONS:
            after.setdefault(max(position.get(j, -1) for j in ir.args[i]), []).append(i)
    order = after.get(-1, [])
    for k, i in enumerate(rows_ops):
        order.append(i)
        order.extend(after.get(k, ()))
    return order
