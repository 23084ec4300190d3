"""QA: in Jupyter, a `gradcli.grad(...)` result of an array program shows itself as a scalar
one does (README "Python API": the picture and the table). ArrayResult had no
_repr_html_ / _repr_svg_, so a notebook printed `ArrayResult(program=…)`. The table's
gradients are read back from the HTML and compared with PyTorch (float64).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import numpy as np
from torch_oracle import oracle_torch

import gradcli

torch = oracle_torch()   # below 3.11 these tests skip (torch_oracle.py)

X = [[1.0, 2.0], [3.0, -4.0]]
W = [[1.0, -1.0, 0.5], [0.2, 0.3, -0.4]]
B = [0.1, 0.0, -0.1]
PROGRAM = "h = relu(X @ W + b); sum(h * h)"


class Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "td":
            self.rows[-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def read_back(text: str) -> np.ndarray:
    """'(2, 3) [[1, 2, 3], …]' → the array (the text view reads back as a literal)."""
    body = re.sub(r"^\([^)]*\)\s*", "", text.strip())
    return np.array(json.loads(body), dtype=float)


def torch_gradients():
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
         for k, v in {"X": X, "W": W, "b": B}.items()}
    h = torch.relu(t["X"] @ t["W"] + t["b"])
    (h * h).sum().backward()
    return {k: v.grad.numpy() for k, v in t.items()}


def test_an_array_result_shows_its_table_with_torchs_gradients():
    r = gradcli.grad(PROGRAM, X=np.array(X), W=W, b=B)
    html = r._repr_html_()
    assert html is not None and html.startswith('<div class="gradcli"><svg')
    parser = Cells()
    parser.feed(html)
    table = {row[0]: row for row in parser.rows if row}
    expected = torch_gradients()
    assert set(table) == set(expected)
    for name, g in expected.items():
        np.testing.assert_allclose(read_back(table[name][2]), g, rtol=1e-11, atol=1e-12)
        np.testing.assert_allclose(read_back(table[name][1]), np.array({"X": X, "W": W, "b": B}[name]))


def test_an_array_result_draws_its_graph_with_shapes_on_the_wires():
    svg = gradcli.grad(PROGRAM, X=np.array(X), W=W, b=B)._repr_svg_()
    root = ET.fromstring(svg)
    texts = {t.text for t in root.iter() if t.tag.endswith("text") and t.text}
    assert {"(2, 2)", "(2, 3)", "(3,)"} <= texts


def test_an_evaluated_array_shows_its_value():
    e = gradcli.evaluate("X @ w", X=np.array(X), w=[1, 1])
    parser_text = re.sub(r"<[^>]+>", "", e._repr_html_())
    np.testing.assert_allclose(read_back(parser_text.split("=", 1)[1]), np.array(X) @ np.ones(2))
