"""In Jupyter a result or a trace shows its picture and its table (_repr_html_, _repr_svg_).

The methods are called as Jupyter calls them; what they return is parsed (the SVG
as XML, the HTML with html.parser) and its numbers are checked against the seed
worked by hand and against Mazur's "A Step by Step Backpropagation Example".
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import gradcli

NS = "{http://www.w3.org/2000/svg}"


class Page(HTMLParser):
    """The rows of every table (cells as text), the svg elements' texts, and the paragraphs."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.svg_texts: list[str] = []
        self.paragraphs: list[str] = []
        self._cell = self._where = None
        self.svgs = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "svg":
            self.svgs += 1
        elif tag in ("text", "p"):
            self._where, self._cell = tag, []

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "text" and self._where == "text":
            self.svg_texts.append("".join(self._cell))
            self._cell = self._where = None
        elif tag == "p" and self._where == "p":
            self.paragraphs.append("".join(self._cell))
            self._cell = self._where = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    return [el.text for el in root.iter(f"{NS}text")]


def test_a_grad_result_shows_its_picture_and_gradients():
    r = gradcli.grad("(x+y)*z", x=1, y=3, z=-3)
    # by hand: (1+3)·(-3) = -12; ∂/∂x = ∂/∂y = z = -3; ∂/∂z = x+y = 4
    texts = svg_texts(r._repr_svg_())
    assert {"4", "-3", "-12", "1"} <= set(texts)
    page = Page(r._repr_html_())
    assert page.svgs == 1 and {"4", "-12"} <= set(page.svg_texts)
    assert page.paragraphs == ["value = -12"]
    table, = page.tables
    assert table[0] == ["variable", "value", "∂f/∂variable"]
    assert table[1:] == [["x", "1", "-3"], ["y", "3", "-3"], ["z", "-3", "4"]]


def test_a_trace_shows_its_picture_and_every_node():
    t = gradcli.trace("p = x + y; g = p * z", x=1, y=3, z=-3)
    assert "p" in svg_texts(t._repr_svg_())
    page = Page(t._repr_html_())
    assert page.svgs == 1
    table, = page.tables
    assert table[0][:6] == ["#", "node", "op", "inputs", "value", "∂g/∂node"]
    rows = {row[1]: row for row in table[1:]}
    assert rows["p"][2:] == ["add", "0, 1", "4", "-3", "1, 1"]       # ∂p/∂x = ∂p/∂y = 1
    assert rows["g"][2:] == ["mul", "2, 3", "-12", "1", "-3, 4"]     # ∂g/∂p = z, ∂g/∂z = p
    assert rows["z"][4:6] == ["-3", "4"]


def test_mazur_network_in_a_notebook():
    text = """h1 = sigmoid(w1*i1 + w2*i2 + b1); h2 = sigmoid(w3*i1 + w4*i2 + b1)
    o1 = sigmoid(w5*h1 + w6*h2 + b2); o2 = sigmoid(w7*h1 + w8*h2 + b2)
    E = 0.5*(t1 - o1)^2 + 0.5*(t2 - o2)^2"""
    r = gradcli.grad(text, i1=.05, i2=.10, w1=.15, w2=.20, w3=.25, w4=.30, w5=.40, w6=.45,
                     w7=.50, w8=.55, b1=.35, b2=.60, t1=.01, t2=.99)
    page = Page(r._repr_html_())
    assert page.paragraphs[0].startswith("value = 0.298371108")      # Mazur: E_total = 0.298371109
    rows = {row[0]: row for row in page.tables[0][1:]}
    # Mazur's worked gradients: ∂E/∂w5 = 0.082167041, ∂E/∂w1 = 0.000438568
    assert rows["w5"][2].startswith("0.0821670")
    assert rows["w1"][2].startswith("0.000438567")
    assert "E" in svg_texts(r._repr_svg_())                           # the output's name


def test_an_evaluation_shows_its_value_and_no_picture():
    r = gradcli.evaluate("x*2", x=3)
    assert r._repr_svg_() is None
    page = Page(r._repr_html_())
    assert page.paragraphs == ["value = 6"] and page.svgs == 0


def test_too_big_to_draw_still_shows_the_table():
    t = gradcli.trace("x" + "+x" * 400, x=1)
    assert t._repr_svg_() is None
    page = Page(t._repr_html_())
    assert page.svgs == 0 and len(page.tables[0]) == 1 + len(t.nodes)
    assert page.tables[0][-1][4] == "401"                              # 401 x's


def test_the_programs_text_never_becomes_markup():
    r = gradcli.grad("x*2 # <b>&", x=1)          # a comment is the only place for < and &
    html = r._repr_html_()
    Page(html)
    ET.fromstring(r._repr_svg_())
    assert "<b>" not in html


def test_ipython_picks_them_up():
    """What Jupyter itself does with a cell's value: IPython's display formatter."""
    import pytest

    formatters = pytest.importorskip("IPython.core.formatters")
    bundle, _ = formatters.DisplayFormatter().format(gradcli.grad("(x+y)*z", x=1, y=3, z=-3))
    assert {"text/html", "image/svg+xml", "text/plain"} <= set(bundle)
    assert Page(bundle["text/html"]).tables[0][3] == ["z", "-3", "4"]
    assert "-12" in svg_texts(bundle["image/svg+xml"])
