"""Shape errors as the user sees them: the program, a caret under the node, both shapes.

Raised by the shape pass (passes/shapes.py) and by the parser for a ragged
literal of numbers (README "Arrays: vectors and matrices").
"""

from __future__ import annotations

from gradcli.errors import GradShapeError
from gradcli.language.graph import Graph
from gradcli.numbers import ragged_text

Shape = tuple

# The most axes an array may have: in a literal of the program as in a binding
# (data/array_files.MAX_AXES says the same for files); NumPy's own limit is 64.
MAX_AXES = 32
TOO_DEEP = f"nested too deeply (an array has at most {MAX_AXES} axes)"
ONE_SHAPE = "; the elements of an array literal have one shape"


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
    """A literal of constants whose elements differ in shape, found while it is built: named by
    its index path in the outermost literal around it, which is the source shown."""
    first = shapes[0]
    k = next(k for k, s in enumerate(shapes) if s != first)
    outer, path = _enclosing(program, start)
    source = " ".join(program[outer:_closing(program, outer, end)].split())
    source = source if len(source) <= 80 else source[:39] + "…" + source[-40:]
    return GradShapeError(
        f"{where(program, spans[k][0])}: {source}: a ragged literal: "
        f"{ragged_text(path + (k,), shapes[k], path + (0,), first)}{ONE_SHAPE}\n"
        f"{underline(program, spans[k][0], spans[k][1])}")


def _comments(program: str) -> set[int]:
    """The positions inside '#' comments (the language has no strings)."""
    inside: set[int] = set()
    at = 0
    for line in program.split("\n"):
        hash_at = line.find("#")
        if hash_at != -1:
            inside.update(range(at + hash_at, at + len(line)))
        at += len(line) + 1
    return inside


def _enclosing(program: str, start: int) -> tuple[int, tuple[int, ...]]:
    """Where the outermost array literal around the literal at `start` begins, and that
    literal's index path in it: the program read backwards, brackets matched, commas counted.
    The literal is still being built, so no node of the outer ones exists yet."""
    skip = _comments(program)
    path: list[int] = []
    outer, depth, commas = start, 0, 0
    for j in range(start - 1, -1, -1):
        c = program[j]
        if j in skip:
            continue
        if c in ")]":
            depth += 1
        elif c in "([" and depth:
            depth -= 1
        elif c == "(" or c == ";":
            break                       # a call's argument or another statement: not an element
        elif c == "[":
            before = next((program[p] for p in range(j - 1, -1, -1)
                           if p not in skip and not program[p].isspace()), "")
            if before.isalnum() or before in "_)]":
                break                   # a[…]: an index, not a literal
            path.insert(0, commas)
            outer, commas = j, 0
        elif c == "," and not depth:
            commas += 1
    return outer, tuple(path)


def _closing(program: str, outer: int, end: int) -> int:
    """The end of the literal that opens at `outer` (at least `end`; the program's end when unclosed)."""
    skip = _comments(program)
    depth = 0
    for j in range(outer, len(program)):
        if j in skip:
            continue
        depth += (program[j] in "([") - (program[j] in ")]")
        if depth == 0:
            return max(j + 1, end)
    return len(program)


def ragged_stack_error(g: Graph, i: int, k: int, shapes) -> GradShapeError:
    """A literal of computed elements (node i, a stack) whose element k differs in shape from
    the first: named by its index path in the outermost literal around it, which is underlined."""
    path = (k,)
    while True:
        parent = next((j for j in range(i + 1, len(g.ops)) if g.ops[j].shape == "stack" and i in g.args[j]
                       and g.starts[j] <= g.starts[i] and g.ends[i] <= g.ends[j]), None)
        if parent is None:
            break
        path = (g.args[parent].index(i),) + path
        i = parent
    at = path[:-1]
    return shape_error(g, i, f"a ragged literal: {ragged_text(path, shapes[k], at + (0,), shapes[0])}"
                             f"{ONE_SHAPE}")
