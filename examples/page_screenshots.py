"""Screenshots of `gradcli trace --html` at its first, middle and last step (the README shows them).

    python examples/page_screenshots.py        # writes examples/page_first.png, page_middle.png, page_last.png
                                               # and page_arrays_first.png, _middle.png, _last.png

It writes the seed example's page and the page of CS231n's two-layer network
(examples/two_layer.gc on its 5-example batch), opens them in Debian's Chromium through
Playwright (never a downloaded browser) and presses → as a student would.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
SEED = ["p = x + y; g = p * z", "-x", "1", "-y", "3", "-z", "-3"]
TWO_LAYER = [f"@{HERE / 'two_layer.gc'}", "--inputs", str(HERE / "two_layer.npz")]
# (the name's prefix, the program and its bindings, the node clicked at the last step)
PAGES = [("page", SEED, "2"), ("page_arrays", TWO_LAYER, "0")]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


def shoot(browser, tmp: str, prefix: str, args: list[str], clicked: str) -> None:
    page_file = Path(tmp) / f"{prefix}.html"
    subprocess.run([sys.executable, "-m", "gradcli", "trace", *args, "--html", str(page_file)],
                   check=True, stdout=subprocess.DEVNULL)
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.goto(page_file.as_uri())
    count = int(page.inner_text("#counter").split()[-1])
    at = 1
    for name, step in (("first", 1), ("middle", (count + 1) // 2 + 1), ("last", count)):
        while at < step:
            page.keyboard.press("ArrowRight")
            at += 1
        if name == "last":
            page.locator(f'#view [data-node="{clicked}"]').click()   # its row of the table
            page.mouse.move(5, 5)                                      # no tooltip
        page.screenshot(path=str(HERE / f"{prefix}_{name}.png"))
        print(f"examples/{prefix}_{name}.png: step {step} of {count}")
    page.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for prefix, args, clicked in PAGES:
                shoot(browser, tmp, prefix, args, clicked)
            browser.close()


if __name__ == "__main__":
    main()
