"""The step-by-step narration (`trace --steps --latex`) as a LaTeX solution sheet.

It renders the same step records as the text renderer (`steps.narrate`),
one `align*` row per node:

    p &= x + y = 1 + 3 = 4 \\\\
    \\frac{\\partial g}{\\partial p} &= \\frac{\\partial g}{\\partial g} \\cdot \\frac{\\partial g}{\\partial p}
        = 1 \\cdot \\left(-3\\right) = -3 && \\frac{\\partial g}{\\partial p} = z \\\\

Operations and local derivatives are built as small expression graphs
(`exprgraph.Expr`) and printed by `latex.LatexStyle`: a local derivative is
the operation table's rule with the nodes put in and simplified, by the same
code as the text's (`local_rules`: the rule `b * a^(b - 1)` of x^2 reads
2 \\cdot x here, 2*x in the text). Numbers are written as the text
renderer writes them. Needs amsmath (align*, \\text).
"""

from __future__ import annotations

from gradcli.ops import table as O
from gradcli.language.expr import Expr
from gradcli.symbolic.latex import LatexStyle, latex_name
from gradcli.symbolic.printing import name_nodes, render
from gradcli.views.array_text import show
from gradcli.symbolic.local_rules import NUMBER, leaf as _leaf, show_local
from gradcli.views.steps import EXACT_NOTE, BackwardStep, ForwardStep, Narration, recomputed

_ORDINAL = ["1st", "2nd"]


class StepStyle(LatexStyle):
    """LaTeX where a leaf may be a handle (#2), a name, or a number already formatted."""

    def name(self, name: str) -> str:
        if name.startswith("#"):
            return r"\#" + name[1:]
        m = NUMBER.match(name)
        if m:
            mantissa = name[:m.start(2)] if m.group(2) else name
            return mantissa + (rf" \times 10^{{{int(m.group(3))}}}" if m.group(2) else "")
        if name == "undefined" or not name.replace("_", "a").isalnum():
            return r"\text{" + text(name) + "}"
        return latex_name(name)

    def prec(self, e: Expr, i: int) -> int:
        if e.ops[i] is O.INPUT and e.names[i].startswith("-"):
            return O.NEG.prec          # a negative number: 4 \cdot \left(-3\right)
        return super().prec(e, i)


STYLE = StepStyle()


def text(words: str) -> str:
    """Plain words for \\text{}: TeX's specials escaped, ∂ as math."""
    for ch, tex in (("\\", r"\textbackslash{}"), ("{", r"\{"), ("}", r"\}"), ("#", r"\#"),
                    ("$", r"\$"), ("%", r"\%"), ("&", r"\&"), ("_", r"\_"), ("^", r"\^{}"),
                    ("~", r"\~{}"), ("∂", r"$\partial$"), ("≥", r"$\geq$"), ("·", r"$\cdot$")):
        words = words.replace(ch, tex)
    return "".join(ch if ord(ch) < 128 else "?" for ch in words)


def _show(e: Expr, root: int) -> str:
    return render(name_nodes(e, {0: root}, set()), STYLE, root)


def operation(op: O.Op, parts: list[str], numbers: bool = False) -> str:
    """op applied to parts (handles, or formatted numbers), unsimplified: 4 \\cdot \\left(-3\\right)."""
    e = Expr()
    leaves = tuple(e.input(p) if numbers else _leaf(e, p) for p in parts)
    if op.form == "alias":
        return _show(e, leaves[0])
    return _show(e, e.raw(op, leaves))


def local(rule: str, names: dict) -> str:
    """A local derivative: the table's rule over a, b, out with the nodes put in, simplified."""
    return show_local(rule, names, STYLE)


def source(g, i: int) -> str | None:
    """Node i's text in the program, in LaTeX, from the graph (named nodes stay names).

    None where the program shows the text shortened (past the label limit): the
    narration then writes the operation over its operands instead.
    """
    if "…" in g.short_source(i):
        return None
    # the nodes the text spans (at most a label's worth), found with a stack: no recursion
    spanned, stack = {i}, [i]
    while stack:
        j = stack.pop()
        if j == i or g.names.get(j) is None:
            for k in g.args[j]:
                if k not in spanned:
                    spanned.add(k)
                    stack.append(k)
    e = Expr()
    built: dict[int, int] = {}
    for j in sorted(spanned):       # children before parents
        op, name = g.ops[j], g.names.get(j)
        if op is O.INPUT:
            built[j] = e.input(name)
        elif op is O.CONST:
            built[j] = _leaf(e, name or g.source(j))
        elif name is not None and j != i:
            built[j] = e.input(name)    # p in p * z: written as its name, as the program does
        else:
            built[j] = e.raw(op, tuple(built[k] for k in g.args[j]))
    return _show(e, built[i])


def partial(top: str, bottom: str) -> str:
    return rf"\frac{{\partial {STYLE.name(top)}}}{{\partial {STYLE.name(bottom)}}}"


def forward_row(s: ForwardStep, digits: int, graph=None) -> str:
    parts: list[str] = []
    candidates = [source(graph, s.node) if s.kind == "op" and graph is not None else None]
    if s.operands:
        candidates.append(operation(s.op, s.operands))
        candidates.append(operation(s.op, [show(v, digits) for v in s.operand_values], numbers=True))
    candidates.append(STYLE.name(show(s.value, digits)))
    for part in candidates:
        if part and part not in parts and part != STYLE.name(s.handle):
            parts.append(part)
    row = f"{STYLE.name(s.handle)} &= " + " = ".join(parts)
    if s.kink:
        row += rf" && \text{{at a kink: {text(s.kink)}}}"
    return row


def backward_row(s: BackwardStep, out: str, digits: int) -> str:
    total = partial(out, s.handle)
    grad = STYLE.name(show(s.grad, digits))
    if not s.terms:
        return f"{total} &= {grad}" + (r" && \text{the output}" if s.handle == out else "")
    symbolic, numeric, locals_ = [], [], []
    for t in s.terms:
        d = partial(t.consumer_handle, s.handle)
        if t.repeated:
            d += rf"\,\text{{({_ORDINAL[t.position]})}}"
        symbolic.append(rf"{partial(out, t.consumer_handle)} \cdot {d}")
        if t.upstream == 0:
            numeric.append("0")
        else:
            numbers = [show(t.upstream, digits), show(t.local, digits)]
            numeric.append(operation(O.MUL, numbers, numbers=True))
        locals_.append(f"{d} = {local(t.rule, t.rule_names)}")
    parts = [" + ".join(symbolic)]
    if len(s.terms) > 1 or numeric[0] != grad:
        parts.append(" + ".join(numeric))
    parts.append(grad + (rf"\ \text{{({EXACT_NOTE})}}" if recomputed(s, digits) else ""))
    row = f"{total} &= " + " = ".join(parts) + " && " + r",\ ".join(locals_)
    if show(s.grad, digits) == "undefined" and not s.depends:
        row += rf" \quad \text{{({text(s.handle)} depends on no input)}}"
    return row


def render_latex(story: Narration, digits: int = 12) -> list[str]:
    """The narration as the lines of an align* environment."""
    lines = [r"\begin{align*}", r"&\text{Forward pass: each node from its inputs} \\"]
    lines += [forward_row(s, digits, story.graph) + r" \\" for s in story.forward]
    lines.append(rf"&\text{{Backward pass: $\partial {STYLE.name(story.output)}/\partial$node, "
                 r"upstream times local, from the output down} \\")
    lines += [backward_row(s, story.output, digits) + r" \\" for s in story.backward]
    if story.unused:
        ids = ", ".join(rf"\#{i}" for i in story.unused)
        lines.append(rf"&\text{{not used by the output, gradient 0: {ids}}} \\")
    lines[-1] = lines[-1].removesuffix(r" \\")
    lines.append(r"\end{align*}")
    return lines
