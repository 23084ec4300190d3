"""Gradient formulas of a program, as text and as LaTeX: the `--symbolic` answer.

    >>> from gradcli.symbolic.formulas import gradient_formulas
    >>> f = gradient_formulas("x^2 * sin(y)")
    >>> f.text
    {'x': '2*x*sin(y)', 'y': 'x^2*cos(y)'}
    >>> f.latex["y"]
    'x^{2} \\\\cdot \\\\cos\\\\left(y\\\\right)'

The derivative graph (`symbolic.gradient_graph`) is simplified for people
(`simplify.simplify`), its shared parts are named (`printing.plan`) and it is
printed in gradcli's language and in LaTeX (`latex.LatexStyle`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gradcli.ops import table as O
from gradcli.language.expr import Expr
from gradcli.symbolic.printing import TextStyle, mask_notes, needs, name_nodes, render
from gradcli.symbolic.simplify import simplify


@dataclass
class Formulas:
    """Formulas keyed like the roots they were made from (a name, or a (row, column) pair).

    `text[key]` may use the names of `definitions` (name -> text, each using
    only names defined before it); `program(key)` is a complete gradcli
    program for it. `latex` and `latex_definitions` are the same in LaTeX.
    """

    text: dict
    definitions: dict[str, str]
    latex: dict
    latex_definitions: dict[str, str]
    uses: dict = field(default_factory=dict)        # key -> names of the definitions it needs
    notes: list[str] = field(default_factory=list)  # conventions the formulas follow

    def program(self, key) -> str:
        """The formula for key as a program that parses back with gradcli's grammar."""
        lines = [f"{n} = {self.definitions[n]}" for n in self.uses.get(key, [])]
        return "\n".join(lines + [self.text[key]])

    def to_json(self, latex: bool = False, names: list[str] | None = None) -> dict:
        """The keys `--symbolic` adds to a JSON answer
        (README "Formulas, exact answers and second derivatives").

        names: the rows and columns of a Hessian, whose formulas are keyed by
        (row, column) pairs of its upper triangle; they come out as the full matrix.

        >>> gradient_formulas("x^2 * y").to_json()
        {'formulas': {'x': '2*x*y', 'y': 'x^2'}}
        """
        def arrange(entries: dict) -> dict:
            if names is None:
                return entries
            return {x: {y: entries[(x, y) if (x, y) in entries else (y, x)] for y in names}
                    for x in names}

        obj = {"formulas": arrange(self.text)}
        if self.definitions:
            obj["definitions"] = self.definitions
        if latex:
            obj["latex"] = arrange(self.latex)
            if self.latex_definitions:
                obj["latex_definitions"] = self.latex_definitions
        if self.notes:
            obj["notes"] = self.notes
        return obj


@dataclass
class FormulaAnswer:
    """What `grad` and `hessian` answer with --symbolic or --exact: a result (none
    when no values were given) and the formulas (none without --symbolic)."""

    program: object                        # api.Program
    result: object | None                  # api.Result, exact.ExactResult or hessian.HessianResult
    formulas: Formulas | None = None
    latex: bool = False
    names: list[str] | None = None         # a Hessian's rows and columns (see Formulas.to_json)

    def to_json(self) -> dict:
        obj = self.result.to_json() if self.result is not None else {"expression": self.program.text}
        exact = obj.pop("exact", None)     # the fractions last, after everything else
        if self.formulas is not None:
            obj.update(self.formulas.to_json(self.latex, self.names))
        if exact is not None:
            obj["exact"] = exact
        return obj


def reserved_names(program) -> set[str]:
    """Names a definition must not take: the program's own, the functions, pi and e."""
    g = program.graph
    return set(g.inputs) | set(g.assigned) | set(O.FUNCTIONS) | set(O.CONSTANTS)


def format_roots(e: Expr, roots: dict, taken: set[str]) -> Formulas:
    """Simplify, name and print the nodes `roots` (key -> node of e)."""
    from gradcli.symbolic.latex import LatexStyle

    readable, nodes = simplify(e, roots)
    if not nodes:
        return Formulas({}, {}, {}, {})
    p = name_nodes(readable, nodes, taken)
    text_style, latex_style = TextStyle(), LatexStyle()
    ordered = sorted(p.names)                      # children before parents
    definitions = {p.names[i]: render(p, text_style, i, define=True) for i in ordered}
    latex_definitions = {latex_style.name(p.names[i]): render(p, latex_style, i, define=True)
                         for i in ordered}
    uses = {key: [p.names[i] for i in found] for key, found in needs(p, nodes).items()}
    notes = [op.kink_note for op in sorted(e.kinks, key=lambda op: (op.name, op.arity))
             if op.kink_note]
    return Formulas(
        text={key: render(p, text_style, node) for key, node in nodes.items()},
        definitions=definitions,
        latex={key: render(p, latex_style, node) for key, node in nodes.items()},
        latex_definitions=latex_definitions,
        uses=uses,
        notes=notes + mask_notes(p, text_style),
    )


def gradient_formulas(program, wrt=None) -> Formulas:
    """∂output/∂name as formulas, for each name of wrt (default: every input).

    program: an api.Program or the program's text. No values are needed.
    """
    from gradcli.program.program import Program
    from gradcli.passes.floats import no_gc
    from gradcli.symbolic.derivative_graph import gradient_graph

    if isinstance(program, str):
        program = Program(program)
    with no_gc():
        gg = gradient_graph(program, wrt)
        return format_roots(gg.expr, gg.nodes, reserved_names(program))
