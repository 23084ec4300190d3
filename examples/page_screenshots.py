"""Screenshots of `gradcli trace --html` at its first, middle and last step (the README shows them).

    python examples/page_screenshots.py        # writes examples/page_first.png, page_middle.png, page_last.png

It writes the seed example's page, opens it in Debian's Chromium through Playwright
(never a downloaded browser) and presses → as a student would.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
SEED = ["p = x + y; g = p * z", "-x", "1", "-y", "3", "-z", "-3"]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "seed.html"
        subprocess.run([sys.executable, "-m", "gradcli", "trace", *SEED, "--html", str(page_file)],
                       check=True, stdout=subprocess.DEVNULL)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1000, "height": 900})
            page.goto(page_file.as_uri())
            count = int(page.inner_text("#counter").split()[-1])
            at = 1
            for name, step in (("first", 1), ("middle", (count + 1) // 2 + 1), ("last", count)):
                while at < step:
                    page.keyboard.press("ArrowRight")
                    at += 1
                if name == "last":
                    page.locator('#view [data-node="2"]').click()   # p: its row of the table
                    page.mouse.move(5, 5)                               # no tooltip
                page.screenshot(path=str(HERE / f"page_{name}.png"))
                print(f"examples/page_{name}.png: step {step} of {count}")
            browser.close()


if __name__ == "__main__":
    main()
