"""Shape errors as the user sees them: the program, a caret under the node, both shapes.

Raised by the shape pass (passes/shapes.py) and by the parser for a ragged
literal of numbers (README "Arrays: vectors and matrices").
"""

from __future__ import annotations

from gradcli.errors import GradShapeError
from gradcli.language.graph import Graph

Shape = tuple

# The most axes an array may have: in a literal of the program as in a binding
# (data/array_files.MAX_AXES says the same for files); NumPy's own limit is 64.
MAX_AXES = 32
TOO_DEEP = f"nested too deeply (an array has at most {MAX_AXES} axes)"


def text(shape: Shape) -> str:
    """(5, 4), (3,) or () as Python writes them."""
    return repr(tuple(int(n) for n in shape))


def underline(program: str, start: int, end: int) -> str:
    """The program's line at start with carets under the span (on that line)."""
    from gradcli.language.syntax_errors import caret_picture

    picture = caret_picture(program, start)
    line_end = program.find("\n", start)
    stop = min(end, len(program) if line_end == -1 else line_end)
    return picture + "^" * max(0, min(stop - start, 76) - 1)


def where(program: str, start: int) -> str:
    line = program.count("\n", 0, start) + 1
    column = start - (program.rfind("\n", 0, start) + 1) + 1
    return f"line {line}, column {column}"


def shape_error(g: Graph, i: int, detail: str) -> GradShapeError:
    start, end = g.starts[i], g.ends[i]
    return GradShapeError(f"{where(g.text, start)}: {g.short_source(i)}: {detail}\n"
                          f"{underline(g.text, start, end)}")


def deep_error(program: str, start: int, end: int) -> GradShapeError:
    """A literal of more than MAX_AXES axes."""
    source = " ".join(program[start:end].split())
    source = source if len(source) <= 80 else source[:39] + "…" + source[-40:]
    return GradShapeError(f"{where(program, start)}: {source}: {TOO_DEEP}\n"
                          f"{underline(program, start, end)}")


def ragged_error(program: str, start: int, end: int, spans, shapes) -> GradShapeError:
    """A literal whose elements differ in shape (the builder's constant literals, and stack)."""
    first = shapes[0]
    k = next(k for k, s in enumerate(shapes) if s != first)
    source = " ".join(program[start:end].split())
    source = source if len(source) <= 80 else source[:39] + "…" + source[-40:]
    return GradShapeError(
        f"{where(program, spans[k][0])}: {source}: a ragged literal: element 1 "
        f"has shape {text(first)} but element {k + 1} has shape {text(shapes[k])} (the elements "
        f"of an array literal have one shape)\n{underline(program, spans[k][0], spans[k][1])}")


