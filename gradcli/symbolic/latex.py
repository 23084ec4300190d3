"""Formulas in LaTeX, ready to paste into a solution sheet.

    2 \\cdot x \\cdot \\sin\\left(y\\right)        \\frac{1}{2 \\cdot \\sqrt{x}}        \\sigma\\left(x\\right)

Quotients are `\\frac`, products `\\cdot`, functions their usual macros
(`\\sin`, `\\ln`, `\\sqrt{}`, `e^{}`, `\\sigma` for sigmoid, `\\left|x\\right|`)
or `\\operatorname{relu}` and the like. Names become `w_{1}`, `\\alpha`,
`\\mathit{loss}`. The same walk as `printing.render` lays the nodes out; only
the look of each node differs (`LatexStyle`).
"""

from __future__ import annotations

import re
from fractions import Fraction

from gradcli.ops import table as O
from gradcli.language.expr import Expr
from gradcli.symbolic.printing import ATOM, TextStyle, is_decimal, leaf

_GREEK_WORDS = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi "
                "omicron pi rho sigma tau upsilon phi chi psi omega").split()
_GREEK = {chr(0x3B1 + k): w for k, w in enumerate(_GREEK_WORDS[:17])}      # α … ρ
_GREEK.update({chr(0x3C3 + k): w for k, w in enumerate(_GREEK_WORDS[17:])})  # σ … ω
_GREEK["ς"] = "varsigma"
_GREEK.update({"Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi",
               "Σ": "Sigma", "Υ": "Upsilon", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega"})
_GREEK_MACROS = {w for w in _GREEK_WORDS if w != "omicron"} | {"Gamma", "Delta", "Theta", "Lambda",
                                                               "Xi", "Pi", "Sigma", "Upsilon", "Phi",
                                                               "Psi", "Omega", "varsigma"}

def _word(w: str) -> str:
    if w in _GREEK:
        return "o" if _GREEK[w] == "omicron" else "\\" + _GREEK[w]
    if w in _GREEK_MACROS:
        return "\\" + w
    if len(w) == 1:
        return w if w.isascii() else rf"\mathrm{{{w}}}"
    return r"\mathit{" + w.replace("_", r"\_") + "}"


def latex_name(name: str) -> str:
    """A variable's name in LaTeX: w1 -> w_{1}, x_max -> x_{\\mathrm{max}}, θ -> \\theta."""
    if name in ("pi", "e"):
        return r"\pi" if name == "pi" else "e"
    m = re.fullmatch(r"([^\W\d_]+?)_?(\d+)", name)
    if m:
        return f"{_word(m.group(1))}_{{{m.group(2)}}}"
    m = re.fullmatch(r"([^\W\d_]+)_(\w+)", name)
    if m:
        sub = m.group(2)
        sub = sub if sub.isdigit() else r"\mathrm{" + sub.replace("_", r"\_") + "}"
        return f"{_word(m.group(1))}_{{{sub}}}"
    return _word(name)


def operator_name(op: O.Op) -> str:
    return op.latex or r"\operatorname{" + op.name.replace("_", r"\_") + "}"


class LatexStyle:
    """LaTeX math: \\frac, \\cdot, \\left( \\right)."""

    open, close = r"\left(", r"\right)"
    FRAC = 5           # a \frac needs no parentheses in a product, but does as a base
    EXP = O.POW.prec   # e^{x} is a power

    def name(self, name: str) -> str:
        return latex_name(name)

    def number(self, v: Fraction) -> str:
        if v.denominator == 1 or is_decimal(v):
            return TextStyle().number(v)
        sign = "-" if v < 0 else ""
        return rf"{sign}\frac{{{abs(v.numerator)}}}{{{v.denominator}}}"

    def prec(self, e: Expr, i: int) -> int:
        op = e.ops[i]
        if op is O.CONST:
            v = e.consts[i]
            if i in e.names or v >= 0 and (v.denominator == 1 or is_decimal(v)):
                return ATOM
            return O.NEG.prec if v < 0 else self.FRAC
        if op is O.DIV:
            return O.NEG.prec if self._minus(e, e.args[i][0]) else self.FRAC
        if op.name == "exp":
            return self.EXP
        return op.prec if op.form in ("infix", "prefix") else ATOM

    @staticmethod
    def _minus(e: Expr, i: int) -> bool:
        """A numerator that is -something: the sign goes before the \\frac."""
        return e.ops[i] is O.NEG or e.ops[i] is O.CONST and i not in e.names and e.consts[i] < 0

    def pieces(self, e: Expr, i: int, prec) -> list:
        op, a = e.ops[i], e.args[i]
        written = leaf(self, e, i)
        if written is not None:
            return written
        if op is O.DIV:
            top = a[0]
            if self._minus(e, top):   # -\frac{1}{x}, not \frac{-1}{x}
                if e.ops[top] is O.NEG:
                    return [r"-\frac{", (e.args[top][0], False), "}{", (a[1], False), "}"]
                return [r"-\frac{" + self.number(-e.consts[top]) + "}{", (a[1], False), "}"]
            return [r"\frac{", (top, False), "}{", (a[1], False), "}"]
        if op is O.POW:
            return [(a[0], prec(a[0]) < ATOM), "^{", (a[1], False), "}"]
        if op.form == "infix":
            p = op.prec
            if p == O.MUL.prec:        # a \cdot (-b): a sign after \cdot reads badly
                return [(a[0], prec(a[0]) < p), r" \cdot ", (a[1], prec(a[1]) <= O.NEG.prec)]
            right = prec(a[1]) <= p if op is O.SUB else prec(a[1]) < p
            return [(a[0], prec(a[0]) < p), f" {op.symbol} ", (a[1], right)]
        if op.form == "prefix":
            return [op.symbol, (a[0], prec(a[0]) < op.prec)]
        if op.name == "exp":
            return ["e^{", (a[0], False), "}"]
        if op.name == "sqrt":
            return [r"\sqrt{", (a[0], False), "}"]
        if op.name == "abs":
            return [r"\left|", (a[0], False), r"\right|"]
        out = [operator_name(op), r"\left("]
        for k, j in enumerate(a):
            out += [", "] if k else []
            out.append((j, False))
        return out + [r"\right)"]


def output_symbol(program) -> str | None:
    """What the formulas call the output: its name, else f where the program has no f."""
    g = program.graph
    name = program.output_name
    if name is None and "f" not in g.inputs and "f" not in g.assigned:
        name = "f"
    return name


def partial(output: str | None, name: str) -> str:
    """∂output/∂name in LaTeX."""
    top = rf"\partial {latex_name(output)}" if output else r"\partial"
    return rf"\frac{{{top}}}{{\partial {latex_name(name)}}}"


def second_partial(output: str | None, x: str, y: str) -> str:
    """∂²output/∂x∂y in LaTeX."""
    top = rf"\partial^{{2}} {latex_name(output)}" if output else r"\partial^{2}"
    bottom = (rf"\partial {latex_name(x)}^{{2}}" if x == y
              else rf"\partial {latex_name(x)} \, \partial {latex_name(y)}")
    return rf"\frac{{{top}}}{{{bottom}}}"
