"""sigmoid written out as CS231n's primitive gates, for teaching (`trace --sigmoid-gates`).

CS231n draws σ(a) as four gates: ×−1, exp, +1, 1/x. expand_sigmoid() rewrites
the program so that every call sigmoid(a) reads 1/(1+exp(-(a))): the program
is then parsed and run as usual, so every value and gradient on the gates comes
from the normal forward and backward passes, not from the drawing.

The calls are found by parsing (their spans in the text), not by searching the
text, so a name such as `sigmoid_w` or a comment is never touched; nested calls
are rewritten in one pass over the spans (no recursion).
"""

from __future__ import annotations

from gradcli.language.parse import parse

# In parentheses, so that sigmoid(a)^2 stays (σ(a))^2 and not 1/(1+exp(-a))^2.
OPEN = "(1/(1+exp(-("    # sigmoid(  ->  (1/(1+exp(-(
CLOSE = "))))"           # )         ->  ))))


def expand_sigmoid(text: str) -> str:
    """The program with every sigmoid(a) written as (1/(1+exp(-(a)))).

    A program that does not parse raises the error parse() gives for it.
    """
    g = parse(text)
    # each call's span runs from the name "sigmoid" to its closing parenthesis
    events = []   # (position, skip to, replacement)
    for i, op in enumerate(g.ops):
        if op.name == "sigmoid":
            start, end = g.starts[i], g.ends[i]
            events.append((start, _paren(text, start + len("sigmoid")) + 1, OPEN))
            events.append((end - 1, end, CLOSE))
    if not events:   # nothing to rewrite: the text as it was, byte for byte
        return text
    events.sort()
    out, at = [], 0
    for position, skip, replacement in events:
        out.append(text[at:position])
        out.append(replacement)
        at = skip
    out.append(text[at:])
    return "".join(out)


def _paren(text: str, at: int) -> int:
    """Where the call's "(" is: after spaces and comments (which run to the end of a line)."""
    while text[at] != "(":
        if text[at] == "#":
            at = text.index("\n", at)
        at += 1
    return at
