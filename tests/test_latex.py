"""LaTeX formulas: a snapshot of the seed examples, and a document of many formulas that compiles.

Where `pdflatex` is installed the document is compiled (and must compile
without an error); the structural checks below run either way: balanced
braces, \\left with \\right, and only macros from a known list.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from gradcli.symbolic.formulas import format_roots, gradient_formulas, reserved_names
from gradcli.symbolic.hessian import hessian_graph
from gradcli.symbolic.latex import latex_name, partial

KNOWN_MACROS = {
    "frac", "cdot", "left", "right", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh",
    "cosh", "tanh", "ln", "log", "sqrt", "sigma", "operatorname", "partial", "mathit", "mathrm",
    "max", "min", "pi", "alpha", "theta", "documentclass", "usepackage", "begin", "end",
    "text", "quad", "times", "Omega",
}

SEED = {
    # the example, by hand: ∂/∂x = 2·x·sin(y), ∂/∂y = x²·cos(y)
    "x^2 * sin(y)": {"x": r"2 \cdot x \cdot \sin\left(y\right)",
                     "y": r"x^{2} \cdot \cos\left(y\right)"},
    # the README's example: ∂/∂x = ∂/∂y = z, ∂/∂z = x + y
    "(x+y)*z": {"x": "z", "y": "z", "z": "x + y"},
    # SPEC's training example: ∂L/∂w = 2·x·(x·w − target)
    "(x*w - target)^2": {"x": r"2 \cdot w \cdot \left(x \cdot w - \mathit{target}\right)",
                         "w": r"2 \cdot x \cdot \left(x \cdot w - \mathit{target}\right)",
                         "target": r"-2 \cdot \left(x \cdot w - \mathit{target}\right)"},
    "sigmoid(x)": {"x": r"\sigma\left(x\right) \cdot \sigma\left(-x\right)"},
    "sqrt(x)": {"x": r"\frac{1}{2 \cdot \sqrt{x}}"},
    "1/x": {"x": r"-\frac{1}{x^{2}}"},
    "relu(x)": {"x": r"\operatorname{step}\left(x\right)"},
}

MORE = [
    "sigmoid(w1*x1 + b)", "relu(x) + leaky_relu(x, α) + abs(θ)", "sqrt(x)/log2(y) + exp(-x^2)",
    "max(x, y) * min(x, y)", "x^y", "h = tanh(w1*x + b); L = (h - t)^2 + h^2",
    "softplus(x) + asin(x/2) + acos(x/3) + atan(x) + sinh(x) + cosh(x) + log10(x^2 + 1)",
    "(x - y)/(x + y)^3 - (2/3)^x + x^(1/3) + pi*x", "hidden_2 * loss_max + x_1^2",
]


@pytest.mark.parametrize("text", list(SEED))
def test_seed_snapshot(text):
    assert gradient_formulas(text).latex == SEED[text]


@pytest.mark.parametrize("name, latex", [
    ("x", "x"), ("w1", "w_{1}"), ("x_1", "x_{1}"), ("θ", r"\theta"), ("alpha", r"\alpha"),
    ("Ω", r"\Omega"), ("loss", r"\mathit{loss}"), ("x_max", r"x_{\mathrm{max}}"),
    ("hidden_2", r"\mathit{hidden}_{2}"), ("pi", r"\pi"),
])
def test_names(name, latex):
    assert latex_name(name) == latex


def document() -> str:
    lines = []
    for text in list(SEED) + MORE:
        f = gradient_formulas(text)
        for name, latex in f.latex.items():
            lines.append(rf"\[ {partial('f', name)} = {latex} \]")
        for name, latex in f.latex_definitions.items():
            lines.append(rf"\[ {name} = {latex} \]")
    hg = hessian_graph("x^3 + 2*x^2*y - 3*y + sin(x*y)/y")
    h = format_roots(hg.expr, {(x, y): hg.matrix[x][y] for x in hg.names for y in hg.names},
                     reserved_names(hg.program))
    lines += [rf"\[ {latex} \]" for latex in h.latex.values()]
    lines += [rf"\[ {name} = {latex} \]" for name, latex in h.latex_definitions.items()]
    body = "\n".join(lines)
    return "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n" + body + "\n\\end{document}\n"


def check_structure(tex: str) -> None:
    depth = 0
    for ch in tex:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0, "a '}' closes nothing"
    assert depth == 0, "unbalanced braces"
    sides = re.findall(r"\\(left|right)(?![a-zA-Z])", tex)
    open_ = 0
    for side in sides:
        open_ += 1 if side == "left" else -1
        assert open_ >= 0, "\\right before its \\left"
    assert open_ == 0, "\\left without \\right"
    macros = set(re.findall(r"\\([A-Za-z]+)", tex))
    assert macros <= KNOWN_MACROS, macros - KNOWN_MACROS


def test_document_is_well_formed_and_compiles(tmp_path):
    tex = document()
    check_structure(tex)
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:                  # structural checks only (see the module's docstring)
        return
    (tmp_path / "formulas.tex").write_text(tex, encoding="utf-8")
    run = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "formulas.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-3000:]
    assert (tmp_path / "formulas.pdf").exists()


def test_greek_letters_are_macros_not_unicode():
    assert all(ord(ch) < 128 for ch in document())
