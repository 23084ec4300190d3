"""What a student sees on the trace --html page, measured in a real browser (Chromium, headless).

Wide arrays must not push the gradient column out of the table's view; the clicked node's
panel lays its short fields on a line and its arrays as blocks under them, nothing on top
of anything; in forward mode a tangent on a wire, however long, overlaps no other label and
no node. The boxes are the browser's own (getBoundingClientRect); the numbers shown are
checked against NumPy worked out by hand, to every digit the page prints.
"""

from __future__ import annotations

import numpy as np

from test_page_arrays_browser import close
from test_page_browser import chromium, open_page  # noqa: F401  (the browser and page fixtures)

# L = sum((X @ w - y)^2) with twelve-digit numbers in a 3×8 X: a value line ~130 characters wide
RNG = np.random.default_rng(16)
X = np.round(RNG.normal(scale=40.0, size=(3, 8)), 10)
W = np.round(RNG.normal(size=8), 10)
Y = np.array([1.5, -2.25, 3.125])


def _literal(a) -> str:
    return repr(np.asarray(a).tolist())


WIDE = ["L = sum((X @ w - y)^2)", "-X", _literal(X), "-w", _literal(W), "-y", _literal(Y)]


def wide_by_hand() -> dict:
    """∂L/∂X = 2 outer(r, w), ∂L/∂w = 2 Xᵀ r, with r = X w - y (the chain rule, by hand)."""
    r = X @ W - Y
    return {"X": 2 * np.outer(r, W), "w": 2 * X.T @ r, "X @ w - y": 2 * r}


def rect(page, selector: str) -> dict:
    return page.page.eval_on_selector(
        selector, "e => { const r = e.getBoundingClientRect(); "
                  "return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; }")


def rects(page, selector: str) -> list[dict]:
    return page.page.eval_on_selector_all(
        selector, "es => es.map(e => { const r = e.getBoundingClientRect(); "
                  "return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, "
                  "text: e.getAttribute('data-tag') || e.textContent}; })")


def meet(a: dict, b: dict, slack: float = 0.5) -> bool:
    return (a["left"] < b["right"] - slack and b["left"] < a["right"] - slack
            and a["top"] < b["bottom"] - slack and b["top"] < a["bottom"] - slack)


def column(page, header: str) -> int:
    heads = page.page.eval_on_selector_all("#nodes thead th", "ths => ths.map(t => t.textContent)")
    return heads.index(header)


def test_at_1000px_every_column_of_an_array_table_is_in_view(open_page):
    page = open_page(*WIDE)
    page.page.set_viewport_size({"width": 1000, "height": 900})
    page.press("End")
    box = rect(page, "#table-box")
    heads = rects(page, "#nodes thead th")
    assert [h["text"] for h in heads][-3:] == ["∂L/∂node", "∂node/∂input", "notes"]
    for h in heads:                                     # every header inside the box's view
        assert box["left"] - 0.5 <= h["left"] and h["right"] <= box["right"] + 0.5, h
    g = column(page, "∂L/∂node") + 1
    for cell in rects(page, f"#nodes tbody td:nth-child({g})"):
        assert box["left"] - 0.5 <= cell["left"] and cell["right"] <= box["right"] + 0.5, cell
    # nothing to scroll sideways in the box: the wide blocks scroll inside their own cells
    assert page.page.eval_on_selector("#table-box", "b => b.scrollWidth <= b.clientWidth + 1")
    assert page.page.eval_on_selector('[data-tag="row-value:0"]', "c => c.scrollWidth > c.clientWidth")
    # and every digit is still there, true: X's value and gradient, w's gradient
    grads = wide_by_hand()
    rows = {page.row(i)[1]: page.row(i) for i in range(len(page.page.query_selector_all("#nodes tbody tr")))}
    assert close(rows["X"][5], X, 12)
    assert close(rows["X"][6], grads["X"], 12)
    assert close(rows["w"][6], grads["w"], 12)
    assert close(rows["X @ w - y"][6], grads["X @ w - y"], 12)


def test_at_600px_an_array_row_is_a_card_with_its_blocks_in_view(open_page):
    page = open_page(*WIDE)
    page.page.set_viewport_size({"width": 600, "height": 900})
    page.press("End")
    box = rect(page, "#table-box")
    for tag in ("row-value:0", "row-grad:0", "row-grad:1"):
        cell = rect(page, f'[data-tag="{tag}"]')
        assert box["left"] - 0.5 <= cell["left"] and cell["right"] <= box["right"] + 0.5, (tag, cell)
    assert page.page.eval_on_selector("#table-box", "b => b.scrollWidth <= b.clientWidth + 1")
    assert close(page.row(0)[6], wide_by_hand()["X"], 12)


def test_the_clicked_array_nodes_panel_lays_out_cleanly(open_page):
    page = open_page(*WIDE)
    page.page.set_viewport_size({"width": 1000, "height": 900})
    page.press("End")
    page.page.click('#view svg [data-node="0"]')        # X: a 3×8 value and gradient
    panel = rect(page, "#selected")
    fields = rects(page, "#selected .field")
    names = page.page.eval_on_selector_all("#selected .field b", "bs => bs.map(b => b.textContent)")
    assert sorted(names) == sorted(["#", "node", "op", "inputs", "shape", "value", "∂L/∂node",
                                    "∂node/∂input", "notes"])
    for a in range(len(fields)):                        # nothing on top of anything
        for b in range(a + 1, len(fields)):
            assert not meet(fields[a], fields[b]), (names[a], names[b])
    for f, name in zip(fields, names):                  # inside the panel, not off to the right
        assert panel["left"] - 0.5 <= f["left"] and f["right"] <= panel["right"] + 0.5, name
    short = [f for f, n in zip(fields, names) if n not in ("value", "∂L/∂node")]
    blocks = [f for f, n in zip(fields, names) if n in ("value", "∂L/∂node")]
    assert max(f["bottom"] for f in short) <= min(b["top"] for b in blocks) + 0.5   # a line, then blocks
    assert max(f["top"] for f in short) - min(f["top"] for f in short) < 2          # one line
    text = dict(page.page.eval_on_selector_all(
        "#selected .field", "fs => fs.map(f => [f.querySelector('b').textContent, "
        "f.textContent.slice(f.querySelector('b').textContent.length)])"))
    assert close(text["value"], X, 12) and close(text["∂L/∂node"], wide_by_hand()["X"], 12)


def wire_label_clashes(page) -> list:
    """Pairs of visible wire labels that overlap, and labels that overlap a node."""
    return page.page.evaluate("""() => {
      const svg = document.querySelector('#view svg');
      const box = e => { const r = e.getBoundingClientRect();
                         return {l: r.left, r: r.right, t: r.top, b: r.bottom}; };
      const meet = (a, b) => a.l < b.r - 0.5 && b.l < a.r - 0.5 && a.t < b.b - 0.5 && b.t < a.b - 0.5;
      const labels = Array.from(svg.querySelectorAll('text[data-tag]'))
        .filter(t => /^(value|grad):/.test(t.getAttribute('data-tag')) && t.textContent)
        .map(t => [t.getAttribute('data-tag') + ' ' + t.textContent, box(t)]);
      const nodes = Array.from(svg.querySelectorAll('[data-node]'))
        .map(s => ['node ' + s.getAttribute('data-node'), box(s)]);
      const out = [];
      labels.forEach((a, i) => {
        labels.slice(i + 1).forEach(b => { if (meet(a[1], b[1])) out.push([a[0], b[0]]); });
        nodes.forEach(n => { if (meet(a[1], n[1])) out.push([a[0], n[0]]); });
      });
      return out;
    }""")


def step_through_without_clashes(page) -> list[str]:
    """Press → to the end, checking at every step; the tangent labels seen, pass by pass."""
    total = page.counter()[1]
    seen = []
    for k in range(1, total + 1):
        if k > 1:
            page.press("ArrowRight")
        assert wire_label_clashes(page) == [], (k, page.line())
        seen.append(page.wire_labels("grad"))
    return seen


def test_long_tangents_on_the_wires_overlap_nothing(open_page):
    """p = x*y; g = p - 2*p at x = 0, y = -12345.678: every value on p's wires is 0 and every
    gradient ±1 or ±2 (short), but dp/dx = y = -12345.678 and dg/dx = -y = 12345.678 (by hand),
    written -1.235e+04 and 1.235e+04: the widest texts those wires ever carry."""
    page = open_page("p = x*y; g = p - 2*p", "-x", "0", "-y", "-12345.678", "--mode", "forward")
    page.page.set_viewport_size({"width": 1000, "height": 900})
    seen = step_through_without_clashes(page)
    x_pass_end = max((labels for labels in seen if "1.235e+04" in labels), key=len)
    # wires in the x pass: x→p 1, y→p 0, p→(2*p) dp/dx, 2→(2*p) 0, p→g dp/dx,
    # (2*p)→g 2·dp/dx = -2.469e+04, g's own wire dg/dx = -dp/dx = 1.235e+04
    assert sorted(x_pass_end) == sorted(["1", "0", "-1.235e+04", "0", "-1.235e+04", "-2.469e+04",
                                         "1.235e+04"])


def test_the_brief_s_long_numbers_in_forward_mode_overlap_nothing(open_page):
    """sin(x)*exp(y)/3: d/dx = cos(x)·exp(y)/3, d/dy = sin(x)·exp(y)/3, by hand."""
    x, y = 0.123456789, 1.987654321
    page = open_page("sin(x)*exp(y)/3", "-x", str(x), "-y", str(y), "--mode", "forward")
    for width in (1000, 600):
        page.page.set_viewport_size({"width": width, "height": 900})
        page.press("Home")
        seen = step_through_without_clashes(page)
        out = [labels for labels in seen if labels][-1]   # the y pass, at its end
        assert f"{np.sin(x) * np.exp(y) / 3:.4g}" in out
    dx = [labels for labels in seen if f"{np.cos(x) * np.exp(y) / 3:.4g}" in labels]
    assert dx                                            # the x pass's output tangent was shown


def test_at_600px_a_scalar_table_needs_no_sideways_scroll(open_page):
    """The seed in forward mode has nine columns; on a phone each row is a card, every cell
    in the box with its column's name. The tangents by hand: dg/dx = dg/dy = z = -3, dg/dz = p = 4."""
    page = open_page("p = x + y; g = p * z", "-x", "1", "-y", "3", "-z", "-3", "--mode", "forward")
    page.page.set_viewport_size({"width": 600, "height": 900})
    page.press("End")
    box = rect(page, "#table-box")
    assert page.page.eval_on_selector("#table-box", "b => b.scrollWidth <= b.clientWidth + 1")
    for cell in rects(page, "#nodes tbody td"):
        if cell["right"] > cell["left"]:                # an empty cell is not drawn
            assert box["left"] - 0.5 <= cell["left"] and cell["right"] <= box["right"] + 0.5, cell
    g = page.page.eval_on_selector_all(
        '#nodes tr[data-node="4"] td[data-tag^="row-tangent"]',
        "tds => tds.map(td => getComputedStyle(td, '::before').content + '|' + td.textContent)")
    assert g == ['"d·/dx "|-3', '"d·/dy "|-3', '"d·/dz "|4']
