"""The trace as a tree, from the output down to the inputs.

A node that feeds several others is drawn in full once, where the walk first
meets it, and referred to after that ("→ see #3"): the tree stays as small as
the graph and honest about sharing. The walk uses an explicit stack, never
recursion. Small trees are drawn by Rich; a deep or big one (where Rich's
guides would squeeze the text, or its layout would take long) is drawn as
plain text with the same guides, its indentation capped so that a
100,000-deep chain prints in linear time.
"""

from __future__ import annotations

from rich.text import Text
from rich.tree import Tree

from gradcli.program.trace import Trace
from gradcli.views.array_text import inline, show

RICH_DEPTH = 16       # deeper than this, Rich's guides leave too little room at 100 columns
GUIDE = 4             # columns of Rich's guides per level
NUMBER_ROOM = 24      # the longest number (17 digits, an exponent) beside the deepest guides
RICH_LINES = 300      # more lines than this, plain text (Rich lays out ~1 ms a line)
TREE_ARRAY = 40       # an array's text longer than this shows as its shape in the tree
PLAIN_INDENT = 40     # plain text indents at most this many levels, then writes the depth

# (text, style) pieces of one line; the same colours as the table and the pictures.
Pieces = list[tuple[str, str]]


def flags(node) -> str:
    marks = [m for m, on in (("kink", bool(node.kink)), ("vanishing", node.vanishing),
                             ("exploding", node.exploding)) if on]
    return f"  [{', '.join(marks)}]" if marks else ""


def node_pieces(trace: Trace, i: int, digits: int = 12) -> Pieces:
    n = trace.nodes[i]
    labels = n.grad is None and getattr(trace.result, "arrays", False)   # class indices: none
    grad = [("  grad ", ""), (_brief(n.grad, digits), "red")] if trace.shows_grad(i) and not labels else []
    if n.tangent is not None:   # --mode forward: the tangents instead of the gradient
        grad = [p for name, t in n.tangent.items()
                for p in ((f"  d/d{name} ", ""), (show(t, digits), "red"))]
    return [(n.label, "bold"), (f"  {n.op.name} #{i}", "dim"),
            ("  value ", ""), (_brief(n.value, digits), "green"),
            *grad, (flags(n), "yellow")]


def _brief(v, digits: int) -> str:
    """A number, or a small array on one line; a bigger one by its shape (the table has it all)."""
    text = inline(v, digits)
    if len(text) <= TREE_ARRAY:
        return text
    return f"{text.split(' ', 1)[0] if text.startswith('()') else text.split(') ', 1)[0] + ')'} […]"


def ref_pieces(trace: Trace, i: int) -> Pieces:
    return [(trace.nodes[i].label, "bold"), (f"  → see #{i}", "dim")]


def walk(trace: Trace):
    """(node, depth, is last child, drawn before) in the order the tree is drawn."""
    seen = [False] * len(trace.nodes)
    stack = [(trace.output, 0, True)]
    while stack:
        i, depth, last = stack.pop()
        drawn = seen[i]
        yield i, depth, last, drawn
        if drawn:
            continue
        seen[i] = True
        ins = trace.nodes[i].inputs
        for k in range(len(ins) - 1, -1, -1):   # pushed backwards, popped in argument order
            stack.append((ins[k], depth + 1, k == len(ins) - 1))


def shape(trace: Trace) -> tuple[int, int]:
    """The number of lines and the depth of the tree."""
    lines = depth = 0
    for _, d, _, _ in walk(trace):
        lines += 1
        depth = max(depth, d)
    return lines, depth


def fits_rich(trace: Trace, width: int = 100) -> bool:
    """Rich draws it quickly, and never has to fold a number (on a narrow console the
    guides of a deep tree would leave less room than a number needs)."""
    lines, depth = shape(trace)
    return lines <= RICH_LINES and depth <= min(RICH_DEPTH, (width - NUMBER_ROOM) // GUIDE)


def _field_name(text: str) -> bool:
    return text in ("  value ", "  grad ") or text.startswith("  d/d")


def fold(pieces: Pieces, room: int) -> Pieces:
    """A line too long for `room` columns breaks before a field ("value", "grad", each
    tangent's "d/dx"), packing as many fields on a line as fit, never inside one, so
    Rich's wrapping cannot leave a number apart from its name nor split it."""
    if sum(len(t) for t, _ in pieces) <= room:
        return pieces
    out: Pieces = []
    used = 0
    for k, (t, s) in enumerate(pieces):
        if _field_name(t):
            value = pieces[k + 1][0] if k + 1 < len(pieces) else ""
            if used and used + len(t) + len(value) > room:
                t = "\n" + t.lstrip()
                used = 0
        out.append((t, s))
        used += len(t.lstrip("\n"))
    return out


def rich_tree(trace: Trace, digits: int = 12, width: int | None = None) -> Tree:
    def text(pieces: Pieces) -> Text:
        return Text.assemble(*((t, s) if s else t for t, s in pieces))

    root = None
    parents: list[Tree] = []     # parents[d] is the last tree item drawn at depth d
    for i, depth, _, drawn in walk(trace):
        pieces = ref_pieces(trace, i) if drawn else node_pieces(trace, i, digits)
        if width is not None:
            pieces = fold(pieces, width - GUIDE * depth)
        label = text(pieces)
        if root is None:
            root = Tree(label, guide_style="dim")
            parents = [root]
            continue
        item = parents[depth - 1].add(label)
        del parents[depth:]
        parents.append(item)
    return root


def plain_lines(trace: Trace, digits: int = 12):
    """The same tree as plain text, line by line."""
    prefixes: list[str] = []     # prefixes[d]: the guides under an item at depth d
    for i, depth, last, drawn in walk(trace):
        pieces = ref_pieces(trace, i) if drawn else node_pieces(trace, i, digits)
        body = "".join(t for t, _ in pieces)
        if depth == 0:
            prefixes = [""]
            yield body
            continue
        level = min(depth, PLAIN_INDENT)
        del prefixes[level:]
        above = prefixes[level - 1]
        deeper = f"[depth {depth}] " if depth > PLAIN_INDENT else ""
        yield f"{above}{'└── ' if last else '├── '}{deeper}{body}"
        prefixes.append(above + ("    " if last else "│   "))


def print_tree(console, trace: Trace, digits: int = 12, plain: bool = False) -> None:
    if plain:
        console.file.write("\n".join(plain_lines(trace, digits)) + "\n")
    else:
        console.print(rich_tree(trace, digits, console.width))
