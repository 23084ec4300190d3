"""What every picture of a trace says, whatever draws it (DOT, Mermaid, SVG).

A node is captioned with its operation (and its name where it has one); each
wire carries the forward value of the node it leaves and the gradient that
flows back along it, ∂out/∂consumer · ∂consumer/∂node, in two colours as in
the CS231n circuit diagrams. Where a node feeds several others its wires carry
their shares, and the node itself shows their sum, its gradient. With
edge_derivatives (`--edge-derivatives`) each wire also carries the local
derivative ∂consumer/∂node, as colah draws them, read from the trace (the same
numbers as the table's "local" column): the gradient on the wire is the
consumer's gradient times it.
"""

from __future__ import annotations

from dataclasses import dataclass

from gradcli.ops.table import ALIAS, CONST, INPUT
from gradcli.program.trace import Trace
from gradcli.numbers import shape_text
from gradcli.views.array_text import show

DIGITS = 4                 # significant digits on a picture (JSON has them all)
VALUE_COLOUR = "#2e7d32"   # green: the forward value
GRAD_COLOUR = "#c62828"    # red: the gradient
LOCAL_COLOUR = "#1565c0"   # blue: the local derivative, with --edge-derivatives
LEGEND_VALUE = "value (forward pass)"
LEGEND_LOCAL = ("∂node/∂input, the local derivative, on each wire into a node "
                "(its gradient = the node's × this)")
LOCAL_PREFIX = "local "


def legend_grad(trace: Trace) -> str:
    return f"gradient ∂{trace.output_handle}/∂· (backward pass)"


@dataclass
class Caption:
    kind: str          # "input" | "const" | "op"
    title: str         # the operation's symbol, or the input's name, or the number
    name: str = ""     # an assigned name, shown under the operation
    total: str = ""    # Σ of the wires' gradients, where the node feeds several others
    live: bool = True  # the output depends on it
    kink: str = ""


@dataclass
class Wire:
    src: int
    dst: int           # the consumer; trace.output's extra wire out of the picture has dst -1
    position: int      # which input of dst (0: top, 1: bottom)
    value: str
    grad: str
    live: bool
    local: str = ""    # "local 4" with edge_derivatives; none into a constant, as grad
    # forward mode: the widest tangent the wire carries in any pass, which the page and the
    # frames put where grad is; the layout leaves room for it as for grad
    tangent: str = ""


def _title(node) -> str:
    op = node.op
    if op is INPUT or op is CONST:
        return node.label
    if op is ALIAS:
        return "="
    if op.form == "prefix":
        return op.name        # "neg": a lone "-" reads like subtraction
    return op.symbol or op.name


def captions(trace: Trace, digits: int | None = None) -> list[Caption]:
    digits = digits or DIGITS
    uses = trace.uses
    arrays = _arrays(trace)
    out = []
    for n in trace.nodes:
        kind = "input" if n.op is INPUT else "const" if n.op is CONST else "op"
        name = n.label if kind == "op" and n.named else ""
        total = f"Σ {show(n.grad, digits)}" if (len(uses[n.id]) > 1 and trace.shows_grad(n.id)
                                                and not arrays) else ""
        out.append(Caption(kind, _title(n), name, total, n.live, n.kink))
    return out


def wires(trace: Trace, digits: int | None = None, edge_derivatives: bool = False) -> list[Wire]:
    """Every edge, by consumer then argument; then the output's own wire (gradient 1).

    A wire out of a constant carries no gradient ("") unless trace.show_constants,
    and no local derivative either.
    """
    digits = digits or DIGITS
    nodes = trace.nodes
    if _arrays(trace):   # README "Arrays: vectors and matrices": an array program's wires carry shapes
        from gradcli.views.array_trace import wire_label

        out = [Wire(j, n.id, k, wire_label(trace, j), "", n.live)
               for n in nodes for k, j in enumerate(n.inputs)]
        return out + [Wire(trace.out.id, -1, 0, wire_label(trace, trace.out.id),
                           show(trace.out.grad, digits), True)]
    out = []
    for n in nodes:
        for k, j in enumerate(n.inputs):
            shown = trace.shows_grad(j)
            grad = show(trace.edge_grad(n.id, k), digits) if shown else ""
            local = LOCAL_PREFIX + show(n.local[k], digits) if edge_derivatives and shown else ""
            out.append(Wire(j, n.id, k, show(nodes[j].value, digits), grad, n.live, local,
                            _widest_tangent(trace, j, digits)))
    o = trace.out
    grad = show(o.grad, digits) if trace.shows_grad(o.id) else ""
    out.append(Wire(o.id, -1, 0, show(o.value, digits), grad, True,
                    tangent=_widest_tangent(trace, o.id, digits)))
    return out


def _widest_tangent(trace: Trace, i: int, digits: int) -> str:
    if trace.mode != "forward":
        return ""
    from gradcli.views.layout import FONT, text_width

    texts = [show(trace.nodes[i].tangent[name], digits) for name in trace.result.wrt]
    return max(texts, key=lambda t: text_width(t, FONT), default="")


def _arrays(trace: Trace) -> bool:
    return bool(getattr(trace.result, "arrays", False))


def _statements(program: str) -> list[str]:
    """The program's statements without comments, each on one line."""
    out = []
    for line in program.splitlines():
        code = line.split("#", 1)[0]      # '#' only ever starts a comment
        out += [" ".join(part.split()) for part in code.split(";") if part.strip()]
    return out


def _shorten(parts: list[str], sep: str, limit: int) -> str:
    """parts joined by sep, as many whole ones as fit in limit, then '…'."""
    text = sep.join(parts)
    if len(text) <= limit:
        return text
    kept: list[str] = []
    for part in parts:
        if len(sep.join(kept + [part])) + len(sep) + 1 > limit:
            break
        kept.append(part)
    if not kept:   # the first part alone is too long: cut it
        return parts[0][:limit - 1] + "…"
    return sep.join(kept) + sep + "…"


def title(trace: Trace, digits: int | None = None, limit: int = 100,
          values_limit: int | None = None) -> str:
    """The program and its bindings on one line, for every picture's title.

    Statements are joined with '; ' and comments dropped; a long program or
    list of bindings keeps as many whole statements or bindings as fit, then '…'
    (a binding's number is never cut).
    """
    text = _shorten(_statements(trace.result.expression), "; ", limit)
    values = _shorten([f"{k} = {show(v, digits or 12)}" if not getattr(v, "ndim", 0)
                       else f"{k} {shape_text(v.shape)}"   # an array: its shape
                       for k, v in trace.result.inputs.items()], ", ", values_limit or limit)
    return f"{text} — at {values}" if values else text


def fitted_title(trace: Trace, chars: int, digits: int | None = None) -> str:
    """title, shortened the same way until it is at most `chars` long, for the heading over
    a narrow picture: the bindings first (down to the first one whole), then the program
    (down to 40 characters)."""
    first = next((f"{k} = {show(v, digits or 12)}" for k, v in trace.result.inputs.items()), "")
    limit = values = 100
    text = title(trace, digits, limit, values)
    while len(text) > chars and limit > 40:
        if values > len(first) + 3:
            values = max(values - 4, len(first) + 3)
        else:
            limit -= 4
        text = title(trace, digits, limit, values)
    return text
