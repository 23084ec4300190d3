"""The computational graph: a flat list of nodes in topological order.

Node i is described by parallel lists (its operation, its input node ids, its
source span) rather than by objects: a million-node graph stays small and the
passes loop over plain lists. Nodes are numbered as the parser reduces them,
children before parents, so the numbering is already a topological order and
no sort (recursive or not) is ever needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gradcli.language.nodes import Nodes
from gradcli.ops.table import INPUT, Op

# Labels longer than this are shortened in the middle: the label of the root of a
# 100,000-node chain would otherwise repeat the whole program in every node.
LABEL_LIMIT = 80


@dataclass
class Graph(Nodes):
    text: str                                       # the program as the user wrote it
    ops: list[Op] = field(default_factory=list)
    args: list[tuple[int, ...]] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)  # source span of each node
    ends: list[int] = field(default_factory=list)
    consts: dict[int, float] = field(default_factory=dict)   # value of each const node
    names: dict[int, str] = field(default_factory=dict)      # inputs, constants and assigned nodes
    inputs: dict[str, int] = field(default_factory=dict)     # input name -> node, by first use
    assigned: dict[str, int] = field(default_factory=dict)   # assigned name -> node
    output: int = -1
    arrays: bool = False    # it has an array operation or literal (README "Arrays: vectors and matrices"): the arrays domain

    def __len__(self) -> int:
        return len(self.ops)

    def add(self, op: Op, args: tuple[int, ...], start: int, end: int) -> int:
        self.ops.append(op)
        self.args.append(args)
        self.starts.append(start)
        self.ends.append(end)
        return len(self.ops) - 1

    def source(self, i: int) -> str:
        """Node i's text in the program."""
        return self.text[self.starts[i]:self.ends[i]]

    def label(self, i: int, limit: int = LABEL_LIMIT) -> str:
        """Its name where it has one, else its text in the program (shortened)."""
        name = self.names.get(i)
        return name if name is not None else self.short_source(i, limit)

    def describe(self, i: int) -> str:
        """For messages: 'q' (3 / p) for a named node, '3 / p' for an unnamed one."""
        text = self.short_source(i)
        name = self.names.get(i)
        if name is None or name == text:
            return f"'{text}'"
        return f"'{name}' ({text})"

    def short_source(self, i: int, limit: int = LABEL_LIMIT) -> str:
        """Node i's text in the program on one line, shortened in the middle past limit."""
        start, end = self.starts[i], self.ends[i]
        if end - start <= limit:
            return " ".join(self.text[start:end].split())
        half = (limit - 1) // 2
        head = " ".join(self.text[start:start + half].split())
        tail = " ".join(self.text[end - half:end].split())
        return f"{head}…{tail}"

    def feeds_output(self) -> list[bool]:
        """For each node, whether the output depends on it."""
        return self.reaches([self.output])

    def depends_on_input(self) -> list[bool]:
        """For each node, whether its value depends on some input variable."""
        return self.depends_on([i for i, op in enumerate(self.ops) if op is INPUT])
