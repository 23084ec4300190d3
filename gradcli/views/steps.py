"""The forward and backward passes told step by step, as a student writes them.

    #2  p = x + y = 1 + 3 = 4
    ∂g/∂x = ∂g/∂p · ∂p/∂x = (-3) · 1 = -3    (∂p/∂x = 1)

The narration is data first (ForwardStep and BackwardStep records, built from
the trace) and text second (render_text), so that another renderer, LaTeX
say, can sit beside the text one. Nodes are called by their handles (their
name, else '#id'; the output 'f' when it has no name), constants by their text;
in a local derivative's rule a constant the program computes (the -1 of x^-1)
is its exact value, so that the rule simplifies as `--symbolic` does (-1/x^2).
"""

from __future__ import annotations

import math

from dataclasses import dataclass, field

from gradcli.ops.table import ALIAS, CONST, INPUT, Op
from gradcli.program.trace import Trace
from gradcli.views.array_text import show

_ORDINAL = ["1st", "2nd"]


@dataclass
class ForwardStep:
    node: int
    handle: str            # how the narration calls the node ("p", "#2", "f")
    text: str              # the node's text in the program ("x + y"), or its name
    kind: str              # "input" | "const" | "alias" | "op"
    op: Op                 # its operation: op.symbol and op.form say how it is written
    operands: list[str]    # its inputs as the narration writes them ("#2", "z", "2")
    operand_values: list[float]
    value: float
    kink: str = ""         # the convention used where the node sits at a kink


@dataclass
class Term:
    """One use of a node: ∂out/∂consumer · ∂consumer/∂node."""

    consumer: int
    consumer_handle: str
    position: int          # which input of the consumer the node is (0 or 1)
    repeated: bool         # the consumer reads the node twice (x * x)
    upstream: float        # ∂out/∂consumer
    local: float           # ∂consumer/∂node, this input
    rule: str              # the operation table's rule for it, over a, b and out
    rule_names: dict       # {"a": term, "b": term, "out": term} for that rule (see rule_term)
    value: float           # upstream · local (0 where the upstream is 0: nothing flows)

    @property
    def formula(self) -> str:
        """The rule with the nodes' names put in and simplified: 'b' of p * z is 'z', x^2's is 2*x."""
        from gradcli.symbolic.printing import TextStyle
        from gradcli.symbolic.local_rules import show_local

        return show_local(self.rule, self.rule_names, TextStyle())


@dataclass
class BackwardStep:
    node: int
    handle: str
    terms: list[Term] = field(default_factory=list)   # empty for the output (seeded with 1)
    grad: float = 1.0
    depends: bool = True   # False: an undefined gradient here reaches no input


@dataclass
class Narration:
    output: str                       # the output's handle
    forward: list[ForwardStep]
    backward: list[BackwardStep]
    unused: list[int]                 # nodes the output does not depend on (gradient 0)
    graph: object = None              # the program's graph (views draw from it, never re-parse)


def _apply(op, parts: list[str]) -> str:
    """The operation written over parts, in its printed form."""
    if op.form == "infix":
        return f"{parts[0]} {op.symbol} {parts[1]}"
    if op.form == "prefix":
        return f"{op.symbol}{parts[0]}"
    if op.form == "alias":
        return parts[0]
    return f"{op.symbol}({', '.join(parts)})"


def _number(v: float, op, digits: int) -> str:
    """A value inside an operation: negative numbers get parentheses (4 * (-3))."""
    text = show(v, digits)
    if text.startswith("-") and op.form in ("infix", "prefix"):
        return f"({text})"
    return text


def rule_term(trace: Trace, exact: dict, i: int):
    """Node i as a leaf of a local rule: its exact value where it is a computed constant
    (a Fraction from `local_rules.exact_constants`), else its term (a handle, a name, a literal)."""
    v = exact.get(i)
    return trace.term(i) if v is None else v


def rule_names(trace: Trace, exact: dict, node) -> dict:
    """{"a", "b", "out"} of node's rules (see `local_rules.local_rule`)."""
    ins = node.inputs
    return {"a": rule_term(trace, exact, ins[0]), "out": rule_term(trace, exact, node.id),
            "b": rule_term(trace, exact, ins[1]) if len(ins) > 1 else ""}


def narrate(trace: Trace) -> Narration:
    """The step records for the whole trace (numbers as floats: renderers format them)."""
    nodes, handles = trace.nodes, trace.handles
    forward = []
    for n in nodes:
        kind = ("input" if n.op is INPUT else "const" if n.op is CONST
                else "alias" if n.op is ALIAS else "op")
        operands = [trace.term(j) for j in n.inputs]
        # an operation is its text in the program; a leaf its name or number; `q = p` is p
        text = trace.graph.short_source(n.id) if kind == "op" else (
            operands[0] if operands else n.label)
        forward.append(ForwardStep(n.id, handles[n.id], text, kind, n.op, operands,
                                   [nodes[j].value for j in n.inputs], n.value, n.kink))

    from gradcli.symbolic.local_rules import exact_constants

    backward = []
    uses = trace.uses
    exact = exact_constants(trace.graph)
    for n in reversed(nodes):
        if not n.live or not trace.shows_grad(n.id):   # constants: only with --show-constants
            continue
        step = BackwardStep(n.id, handles[n.id], grad=n.grad, depends=n.depends)
        for consumer, k in uses[n.id]:
            c = nodes[consumer]
            if not c.live:
                continue
            names = rule_names(trace, exact, c)
            step.terms.append(Term(
                consumer, handles[consumer], k, c.inputs.count(n.id) > 1, c.grad,
                c.local[k], c.op.grads[k], names, trace.edge_grad(consumer, k)))
        backward.append(step)
    unused = [n.id for n in nodes if not n.live and trace.shows_grad(n.id)]
    return Narration(trace.output_handle, forward, backward, unused, trace.graph)


# -- the text renderer --------------------------------------------------------

def _d(top: str, bottom: str) -> str:
    return f"∂{top}/∂{bottom}"


def forward_line(s: ForwardStep, digits: int = 12) -> str:
    """name = text = symbolic = numbers = value, each written once (p = x + y = 1 + 3 = 4)."""
    named = None if s.handle.startswith("#") else s.handle
    symbolic = numeric = ""
    if s.operands:
        symbolic = _apply(s.op, s.operands)
        numeric = _apply(s.op, [_number(v, s.op, digits) for v in s.operand_values])
    parts: list[str] = []
    for part in (named, s.text, symbolic, numeric, show(s.value, digits)):
        if part and (not parts or part.replace(" ", "") != parts[-1].replace(" ", "")):
            parts.append(part)
    line = " = ".join(parts)
    if s.kink:
        line += f"    (at a kink: {s.kink})"
    return line


def _factor(text: str) -> str:
    return f"({text})" if text.startswith("-") else text


EXACT_NOTE = "in rationals: the doubles above lost digits"


def recomputed(s: BackwardStep, digits: int = 12) -> bool:
    """Whether the step's gradient is not what its shown products give in doubles: it was
    recomputed exactly (README "Choices where the contract is silent": digits lost), and
    the line says so rather than let 0 = -5.4e-126 stand unexplained."""
    if not s.terms or not math.isfinite(s.grad):
        return False
    total = math.fsum(t.upstream * t.local for t in s.terms if t.upstream != 0)
    return show(total, digits) != show(s.grad, digits)


def backward_line(s: BackwardStep, out: str, digits: int = 12) -> str:
    total = _d(out, s.handle)
    grad = show(s.grad, digits)
    if not s.terms:
        return f"{total} = {grad}    (the output)" if s.handle == out else f"{total} = {grad}"
    symbolic, numeric, locals_ = [], [], []
    for t in s.terms:
        local = _d(t.consumer_handle, s.handle)
        if t.repeated:
            local += f" ({_ORDINAL[t.position]})"
        symbolic.append(f"{_d(out, t.consumer_handle)} · {local}")
        if t.upstream == 0:   # nothing flows back through this use
            numeric.append("0")
        else:
            numeric.append(f"{_factor(show(t.upstream, digits))} · {_factor(show(t.local, digits))}")
        locals_.append(f"{local} = {t.formula}")
    parts = [total, " + ".join(symbolic)]
    if len(s.terms) > 1 or numeric[0] != grad:
        parts.append(" + ".join(numeric))
    parts.append(f"{grad} ({EXACT_NOTE})" if recomputed(s, digits) else grad)
    line = " = ".join(parts) + f"    ({'; '.join(locals_)})"
    if grad == "undefined" and not s.depends:
        line += f"  — {s.handle} depends on no input, so no input's gradient uses it"
    return line


FORWARD_HEADING = "Forward pass: each node from its inputs"


def backward_heading(out: str) -> str:
    return f"Backward pass: ∂{out}/∂node = Σ over its uses of upstream · local, from the output down"


def forward_text(s: ForwardStep, digits: int = 12) -> str:
    """One forward step as --steps prints it (without the indent): '#2    p = x + y = …'."""
    return f"#{s.node:<4} {forward_line(s, digits)}"


def unused_line(story: Narration) -> str:
    """The closing line for nodes the output does not use ('' when there are none)."""
    if not story.unused:
        return ""
    return f"(not used by the output, gradient 0: {', '.join(f'#{i}' for i in story.unused)})"


def render_text(story: Narration, digits: int = 12) -> list[str]:
    """The narration as lines of plain text (the command styles the headings)."""
    lines = [FORWARD_HEADING]
    for s in story.forward:
        lines.append(f"  {forward_text(s, digits)}")
    lines.append("")
    lines.append(backward_heading(story.output))
    for s in story.backward:
        lines.append(f"  {backward_line(s, story.output, digits)}")
    if story.unused:
        lines.append(f"  {unused_line(story)}")
    return lines
