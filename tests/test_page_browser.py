"""trace --html in a real browser: Playwright driving Debian's Chromium, headless.

The tests press the keys and click the buttons a student would, read what the page
shows (the labels on the wires, the narration, the table) and compare it with numbers
worked out by hand. Every page is opened with a listener on every request: nothing
but the file itself may be loaded. Without Playwright or a Chromium (Debian's, one on
PATH, or Playwright's own, fetched once) these tests FAIL, saying what to install
(.ci/run installs Debian's): a page nobody opened is not tested.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import run_cli

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
SEED = ["p = x + y; g = p * z", "-x", "1", "-y", "3", "-z", "-3"]


def _browser_path(p) -> str | None:
    """A Chromium to drive: GRADCLI_CHROMIUM, Debian's, one on PATH, or Playwright's own."""
    found = [os.environ.get("GRADCLI_CHROMIUM"), CHROMIUM,
             *(shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome"))]
    try:
        found.append(p.chromium.executable_path)   # where `playwright install` puts it
    except Exception:                               # no such browser in this Playwright
        pass
    return next((f for f in found if f and os.access(f, os.X_OK)), None)


@pytest.fixture(scope="module")
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests need Playwright for Python: pip install -e '.[test]' "
                    "(the test extra has playwright); .ci/run installs it")
    with sync_playwright() as p:
        path = _browser_path(p)
        if path is None:
            # A fresh machine with only Python and pip (the README's quick start): fetch
            # Playwright's Chromium once. Offline this fails, and the message says what to do.
            subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"],
                           capture_output=True, timeout=600)
            path = _browser_path(p)
        if path is None:
            pytest.fail(f"the browser tests need Chromium: apt-get install -y chromium (Debian's, at "
                        f"{CHROMIUM}; .ci/run does), or `python -m playwright install chromium` "
                        "with a network, or GRADCLI_CHROMIUM=/path/to/chromium")
        browser = p.chromium.launch(executable_path=path, args=ARGS)
        yield browser
        browser.close()


class Page:
    """One page of trace --html, opened from disk, with every request and error kept."""

    def __init__(self, browser, path):
        self.context = browser.new_context(viewport={"width": 1100, "height": 850})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.path = path
        self.url = path.as_uri()
        self.page.goto(self.url)

    def _route(self, route):
        if route.request.url == self.url:
            route.continue_()
        else:                      # anything else would be a network load: refuse it
            route.abort()

    def close(self):
        assert self.errors == []
        assert self.requests == [self.url], "the page asked for more than itself"
        self.context.close()

    # -- what a person sees --
    def press(self, key: str):
        self.page.keyboard.press(key)

    def counter(self) -> tuple[int, int]:
        words = self.page.inner_text("#counter").split()   # "step 3 of 11"
        return int(words[1]), int(words[3])

    def line(self) -> str:
        return self.page.inner_text("#line")

    def heading(self) -> str:
        return self.page.inner_text("#heading")

    def wire_labels(self, role: str) -> list[str]:
        """The visible labels on the wires: role 'value' (green) or 'grad' (red)."""
        return sorted(self.page.eval_on_selector_all(
            f'#view svg text[data-tag^="{role}:"]',
            "els => els.filter(e => e.textContent && getComputedStyle(e).display !== 'none')"
            ".map(e => e.textContent)"))

    def current_node(self) -> list[str]:
        return self.page.eval_on_selector_all("#view svg .current",
                                              "els => els.map(e => e.getAttribute('data-node'))")

    def row(self, node: int) -> list[str]:
        return self.page.eval_on_selector(
            f'#nodes tr[data-node="{node}"]', "tr => Array.from(tr.cells).map(c => c.textContent)")

    def view_box(self) -> list[float]:
        return [float(v) for v in self.page.get_attribute("#view svg", "viewBox").split()]


@pytest.fixture
def open_page(chromium, tmp_path):
    pages = []

    def opener(*args: str, name: str = "page.html") -> Page:
        path = tmp_path / name
        run = run_cli("trace", *args, "--html", str(path))
        assert run.exit_code == 0, run.stderr
        page = Page(chromium, path)
        pages.append(page)
        return page

    yield opener
    for page in pages:
        page.close()


# The seed example by hand: p = 1 + 3 = 4, g = 4 · (-3) = -12; ∂g/∂g = 1, ∂g/∂z = p = 4,
# ∂g/∂p = z = -3, ∂g/∂y = ∂g/∂p · 1 = -3, ∂g/∂x = -3. Node ids: inputs first, x y p z g.
SEED_STEPS = [
    # (node id, label it puts on its wire, the value or gradient, the narration)
    (0, "value", "1", "#0    x = 1"),
    (1, "value", "3", "#1    y = 3"),
    (2, "value", "4", "#2    p = x + y = 1 + 3 = 4"),
    (3, "value", "-3", "#3    z = -3"),
    (4, "value", "-12", "#4    g = p * z = 4 * (-3) = -12"),
    (4, "grad", "1", "∂g/∂g = 1    (the output)"),
    (3, "grad", "4", "∂g/∂z = ∂g/∂g · ∂g/∂z = 1 · 4 = 4    (∂g/∂z = p)"),
    (2, "grad", "-3", "∂g/∂p = ∂g/∂g · ∂g/∂p = 1 · (-3) = -3    (∂g/∂p = z)"),
    (1, "grad", "-3", "∂g/∂y = ∂g/∂p · ∂p/∂y = (-3) · 1 = -3    (∂p/∂y = 1)"),
    (0, "grad", "-3", "∂g/∂x = ∂g/∂p · ∂p/∂x = (-3) · 1 = -3    (∂p/∂x = 1)"),
]


def test_arrow_keys_step_through_the_seed_with_the_hand_numbers(open_page):
    page = open_page(*SEED)
    seen = {"value": [], "grad": []}
    states = []
    for k, (node, role, number, line) in enumerate(SEED_STEPS, 1):
        if k > 1:
            page.press("ArrowRight")
        seen[role].append(number)
        assert page.counter() == (k, 11)
        assert page.line() == line
        assert page.heading().startswith("Forward pass" if role == "value" else "Backward pass")
        assert page.current_node() == [str(node)]
        assert page.wire_labels("value") == sorted(seen["value"])
        assert page.wire_labels("grad") == sorted(seen["grad"])
        cells = page.row(node)   # the node's row: value, then gradient
        assert cells[4] == (number if role == "value" else {"x": "1", "y": "3", "p": "4", "z": "-3",
                                                             "g": "-12"}[cells[1]])
        assert cells[5] == (number if role == "grad" else "")
        states.append((page.line(), page.wire_labels("value"), page.wire_labels("grad")))
    page.press("ArrowRight")
    assert page.counter() == (11, 11)
    assert page.heading() == "Done"
    assert page.line() == "reverse mode: 4 local-derivative products (one backward pass)"
    assert page.current_node() == []
    page.press("ArrowRight")                      # past the end: stays
    assert page.counter() == (11, 11)
    assert page.page.is_disabled("#next")
    # ← goes back through the same states
    for k in range(10, 0, -1):
        page.press("ArrowLeft")
        assert page.counter() == (k, 11)
        assert (page.line(), page.wire_labels("value"), page.wire_labels("grad")) == states[k - 1]
    assert page.page.is_disabled("#prev")
    assert page.wire_labels("grad") == [] and page.wire_labels("value") == ["1"]


def test_the_buttons_step_too(open_page):
    page = open_page(*SEED)
    page.page.click("#next")
    page.page.click("#next")
    assert page.counter() == (3, 11) and page.line() == SEED_STEPS[2][3]
    page.page.click("#prev")
    assert page.counter() == (2, 11)
    page.page.click("#last")
    assert page.counter() == (11, 11)
    assert page.wire_labels("grad") == sorted(["1", "4", "-3", "-3", "-3"])
    page.page.click("#first")
    assert page.counter() == (1, 11)


def test_a_clicked_node_shows_its_row(open_page):
    page = open_page(*SEED)
    page.page.click('#view svg [data-node="2"]')           # p, before its gradient is known
    assert page.page.eval_on_selector_all("#nodes tr.selected", "t => t.length") == 1
    assert page.row(2)[:6] == ["2", "p", "add", "0, 1", "", ""]
    page.press("End")
    panel = page.page.inner_text("#selected")
    assert "node p" in panel and "value 4" in panel and "∂g/∂node -3" in panel
    assert page.row(2)[:6] == ["2", "p", "add", "0, 1", "4", "-3"]
    page.page.click('#view svg [data-node="3"]')           # z: the selection moves
    assert page.page.eval_on_selector("#nodes tr.selected", "tr => tr.dataset.node") == "3"
    assert "value -3" in page.page.inner_text("#selected")
    assert "∂g/∂node 4" in page.page.inner_text("#selected")


def test_constants_are_shown_without_gradients_until_asked(open_page):
    """g = 3*x at x = 2: g = 6, ∂g/∂x = 3; the constant 3 has ∂g/∂3 = x = 2, hidden by default."""
    page = open_page("g = 3*x", "-x", "2")
    assert not page.page.is_checked("#constants")
    page.press("End")
    assert page.counter() == (6, 6)          # 3 nodes forward, g and x backward, done
    assert page.wire_labels("grad") == ["1", "3"]
    assert page.row(0)[4:6] == ["3", ""]
    page.page.check("#constants")
    assert page.counter() == (7, 7)          # the constant's backward step joins
    assert page.wire_labels("grad") == ["1", "2", "3"]
    assert page.row(0)[4:6] == ["3", "2"]
    page.press("ArrowLeft")                  # the constant's own step: the last before done
    assert page.line() == "∂g/∂#0 = ∂g/∂g · ∂g/∂#0 = 1 · 2 = 2    (∂g/∂#0 = x)"   # --steps' words
    page.page.uncheck("#constants")          # back to the list without it, nearest step
    assert page.wire_labels("grad") == ["1", "3"]
    assert page.counter()[1] == 6


def test_show_constants_starts_the_page_with_them(open_page):
    page = open_page("g = 3*x", "-x", "2", "--show-constants")
    assert page.page.is_checked("#constants")
    page.press("End")
    assert page.wire_labels("grad") == ["1", "2", "3"]


def test_forward_mode_shows_tangents(open_page):
    """By hand: dp/dx = 1, dg/dx = z · dp/dx = -3; dp/dy = 1, dg/dy = -3; dg/dz = p = 4."""
    page = open_page(*SEED, "--mode", "forward")
    for _ in range(5):                        # the forward pass, as in reverse mode
        page.press("ArrowRight")
    expected = [("x", "dx/dx = 1    (the seed)", ["1"]),
                ("x", "dp/dx = ∂p/∂x · dx/dx = 1 · 1 = 1    (∂p/∂x = 1)", ["1", "1"]),
                ("x", "dg/dx = ∂g/∂p · dp/dx = (-3) · 1 = -3    (∂g/∂p = z)", ["-3", "1", "1"]),
                ("x", "2 products", ["-3", "0", "0", "1", "1"]),
                ("y", "dy/dy = 1    (the seed)", ["1"]),
                ("y", "dp/dy = ∂p/∂y · dy/dy = 1 · 1 = 1    (∂p/∂y = 1)", ["1", "1"]),
                ("y", "dg/dy = ∂g/∂p · dp/dy = (-3) · 1 = -3    (∂g/∂p = z)", ["-3", "1", "1"]),
                ("y", "2 products", ["-3", "0", "0", "1", "1"]),
                ("z", "dz/dz = 1    (the seed)", ["1"]),
                ("z", "dg/dz = ∂g/∂z · dz/dz = 4 · 1 = 4    (∂g/∂z = p)", ["1", "4"]),
                ("z", "1 product", ["0", "0", "0", "1", "4"])]
    assert page.counter() == (6, 17)
    for name, line, tangents in expected:
        assert page.heading().startswith(f"Tangent pass for {name}")
        assert page.line() == line
        assert page.wire_labels("grad") == sorted(tangents)
        legend = page.page.eval_on_selector('#view svg [data-tag="legend:grad"]', "e => e.textContent")
        assert legend.startswith(f"tangent d·/d{name}")
        page.press("ArrowRight")
    assert page.heading() == "Done"
    assert page.line() == "forward mode: 5 local-derivative products (3 tangent passes)"
    # the table: one tangent column per input, filled pass by pass
    assert [page.row(i)[5:8] for i in range(5)] == [["1", "0", "0"], ["0", "1", "0"], ["1", "1", "0"],
                                                    ["0", "0", "1"], ["-3", "-3", "4"]]


def test_a_200_node_graph_loads_pans_zooms_and_steps_to_the_end(open_page, tmp_path):
    """g = 1*x + 2*x + … + 66*x + y: 200 nodes; at x = y = 1 by hand g = 66·67/2 + 1 = 2212,
    ∂g/∂x = 2211, ∂g/∂y = 1."""
    src = tmp_path / "big.txt"
    src.write_text(" + ".join(f"{k}*x" for k in range(1, 67)) + " + y")
    page = open_page("@" + str(src), "-x", "1", "-y", "1")
    assert len(page.page.query_selector_all("#nodes tbody tr")) == 200
    start, total = page.counter()
    assert start == 1
    before = page.view_box()
    box = page.page.locator("#view").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.page.mouse.move(cx, cy)
    page.page.mouse.wheel(0, -400)            # zoom in: a narrower view
    zoomed = page.view_box()
    assert zoomed[2] < before[2] * 0.8
    page.page.mouse.move(cx, cy)
    page.page.mouse.down()
    page.page.mouse.move(cx - 120, cy - 40, steps=4)
    page.page.mouse.up()
    panned = page.view_box()                  # dragged left: the view moves right
    assert panned[0] > zoomed[0] and panned[2] == pytest.approx(zoomed[2])
    page.page.click("#fit")
    x0, y0, w, h = page.view_box()            # the whole picture is in view
    width, height = map(float, re.search(r'<svg [^>]*viewBox="0 0 (\d+) (\d+)"',
                                         page.path.read_text(encoding="utf-8")).groups())
    assert x0 <= 0.5 and y0 <= 0.5 and x0 + w >= width - 0.5 and y0 + h >= height - 0.5
    for k in range(2, total + 1):
        page.press("ArrowRight")
        if k % 50 == 0:                       # the current node is kept in view
            node = page.current_node()
            if node:
                inside = page.page.evaluate(
                    """id => { const b = document.querySelector(`#view svg [data-node="${id}"]`).getBBox();
                               const v = document.querySelector('#view svg').viewBox.baseVal;
                               return b.x >= v.x && b.y >= v.y && b.x + b.width <= v.x + v.width
                                      && b.y + b.height <= v.y + v.height; }""", node[0])
                assert inside
    assert page.counter() == (total, total)
    assert total == 200 + (200 - 66) + 1      # every node forward, all but the 66 constants back, done
    x_row = next(page.row(i) for i in range(200) if page.row(i)[1] == "x")
    y_row = next(page.row(i) for i in range(200) if page.row(i)[1] == "y")
    assert x_row[5] == "2211" and y_row[5] == "1"
    out = page.row(199)
    assert out[4] == "2212" and out[5] == "1"


def test_what_the_user_typed_stays_text(open_page, tmp_path):
    program = tmp_path / "evil.txt"
    program.write_text("p = x + y  # </script><b>bold</b><script>alert(1)</script>\ng = p * z")
    page = open_page("@" + str(program), "-x", "1", "-y", "3", "-z", "-3")
    assert page.page.eval_on_selector_all("b", "b => b.length") == 0
    assert page.page.eval_on_selector_all("script", "s => s.length") == 3
    assert page.counter() == (1, 11)
    page.press("End")
    assert page.wire_labels("grad") == sorted(["1", "4", "-3", "-3", "-3"])
