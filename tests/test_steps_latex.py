"""`trace --steps --latex`: the narration as a LaTeX solution sheet."""

from __future__ import annotations

import shutil
import subprocess

from conftest import assert_clean_error
from test_latex import check_structure

SEED = ["trace", "p = x + y; g = p * z", "-x", "1", "-y", "3", "-z", "-3", "--steps", "--latex"]


def test_seed_example_snapshot(cli):
    run = cli(*SEED)
    assert run.exit_code == 0, run.stderr
    d = lambda top, bottom: rf"\frac{{\partial {top}}}{{\partial {bottom}}}"   # noqa: E731
    # by hand: p = 4, g = -12; ∂g/∂z = p = 4, ∂g/∂p = z = -3, ∂g/∂x = ∂g/∂y = -3
    assert run.stdout.splitlines() == [
        r"\begin{align*}",
        r"&\text{Forward pass: each node from its inputs} \\",
        r"x &= 1 \\",
        r"y &= 3 \\",
        r"p &= x + y = 1 + 3 = 4 \\",
        r"z &= -3 \\",
        r"g &= p \cdot z = 4 \cdot \left(-3\right) = -12 \\",
        r"&\text{Backward pass: $\partial g/\partial$node, upstream times local, "
        r"from the output down} \\",
        rf"{d('g', 'g')} &= 1 && \text{{the output}} \\",
        rf"{d('g', 'z')} &= {d('g', 'g')} \cdot {d('g', 'z')} = 1 \cdot 4 = 4 && {d('g', 'z')} = p \\",
        rf"{d('g', 'p')} &= {d('g', 'g')} \cdot {d('g', 'p')} = 1 \cdot \left(-3\right) = -3 "
        rf"&& {d('g', 'p')} = z \\",
        rf"{d('g', 'y')} &= {d('g', 'p')} \cdot {d('p', 'y')} = -3 \cdot 1 = -3 && {d('p', 'y')} = 1 \\",
        rf"{d('g', 'x')} &= {d('g', 'p')} \cdot {d('p', 'x')} = -3 \cdot 1 = -3 && {d('p', 'x')} = 1",
        r"\end{align*}",
    ]


def sheet(cli, *args) -> str:
    run = cli("trace", *args, "--steps", "--latex")
    assert run.exit_code == 0, run.stderr
    return run.stdout


def test_local_derivatives_read_simplified(cli):
    out = sheet(cli, "x^2 + relu(x) + x*x", "-x", "-1", "--show-constants")
    assert r"\frac{\partial \#2}{\partial x} = 2 \cdot x" in out     # the rule b * a^(b - 1), simplified
    assert r"\operatorname{step}\left(x\right)" in out
    assert r"\text{undefined}" in out                               # ∂/∂ the exponent 2 at x = -1


def test_sheets_compile(cli, tmp_path):
    bodies = [sheet(cli, *SEED[1:8]),
              sheet(cli, "x^2 + relu(x) + x*x", "-x", "-1"),
              sheet(cli, "h = sigmoid(w1*x + b); L = (h - t)^2", "--w1", "0.5", "-x", "2", "-b", "-1",
                    "-t", "1"),
              sheet(cli, "max(x, y) + abs(θ)/1e-3", "-x", "1", "-y", "1", "--θ", "0")]
    tex = ("\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
           + "\n".join(bodies) + "\\end{document}\n")
    check_structure(tex.replace(r"\#", "").replace(r"\,", ""))
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:                  # structural checks only
        return
    (tmp_path / "sheet.tex").write_text(tex, encoding="utf-8")
    run = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "sheet.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-3000:]


def test_latex_needs_steps(cli):
    assert_clean_error(cli("trace", "x*y", "-x", "1", "-y", "2", "--latex"), 2, "--latex goes with --steps")
