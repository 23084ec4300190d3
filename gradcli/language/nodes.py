"""The one node container: parallel lists, node ids in creation order (children first).

A program's `Graph`, a formula's `Expr` and the training plan's `IR` are all
this: `ops` (what each node does) and `args` (the ids of its inputs), ids
numbered so that every input comes before its user. That order is a
topological order already, so every pass is a loop over ids, never recursion,
and the two questions every pass asks are answered here, once:

- `reaches(roots)`: the nodes some root depends on (one sweep downwards);
- `depends_on(sources)`: the nodes that depend on some source (one sweep upwards).

>>> n = Nodes(); a = n.add_node("x", ()); b = n.add_node("y", ()); c = n.add_node("*", (a, b))
>>> n.reaches([c]), n.depends_on([a])
([True, True, True], [True, False, True])
"""

from __future__ import annotations


class Nodes:
    """ops[i] and args[i] for every node i (subclasses add what they need)."""

    def __init__(self):
        self.ops: list = []
        self.args: list[tuple[int, ...]] = []

    def __len__(self) -> int:
        return len(self.args)

    def add_node(self, op, args: tuple[int, ...]) -> int:
        self.ops.append(op)
        self.args.append(args)
        return len(self.args) - 1

    def reaches(self, roots) -> list[bool]:
        """For each node, whether some root depends on it (a root depends on itself)."""
        return reaches(self.args, roots)

    def depends_on(self, sources, upto: int | None = None) -> list[bool]:
        """For each node (up to `upto`), whether it depends on some source (or is one)."""
        return depends_on(self.args, sources, upto)


def reaches(args, roots) -> list[bool]:
    """The nodes the roots depend on: one sweep downwards from the highest root."""
    need = [False] * len(args)
    top = -1
    for r in roots:
        need[r] = True
        top = max(top, r)
    for i in range(top, -1, -1):
        if need[i]:
            for j in args[i]:
                need[j] = True
    return need


def depends_on(args, sources, upto: int | None = None) -> list[bool]:
    """The nodes that depend on a source: one sweep upwards (to `upto`, default the last)."""
    n = len(args) if upto is None else upto + 1
    dep = [False] * n
    for s in sources:
        if s < n:
            dep[s] = True
    for i in range(n):
        if not dep[i]:
            for j in args[i]:
                if dep[j]:
                    dep[i] = True
                    break
    return dep
