"""The page's template, script and style ship in the wheel, and an installed wheel on its
own (no checkout on the path) writes a page with them inlined."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from test_packaging import REPO, wheel  # noqa: F401  (the fixture: a wheel built offline)

ASSETS = ["page.html", "page.js", "page.css"]


def test_the_wheel_ships_the_page_assets(wheel):  # noqa: F811
    with zipfile.ZipFile(wheel) as z:
        for name in ASSETS:
            shipped = z.read(f"gradcli/views/page/{name}")
            assert shipped == (REPO / "gradcli" / "views" / "page" / name).read_bytes()


def test_an_installed_wheel_writes_a_whole_page(wheel, tmp_path):  # noqa: F811
    target = tmp_path / "site"
    run = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q",
                          "--disable-pip-version-check", "--target", str(target), str(wheel)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    page = tmp_path / "seed.html"
    env = dict(os.environ, PYTHONPATH=str(target))
    out = subprocess.run([sys.executable, "-m", "gradcli", "trace", "p = x + y; g = p * z",
                          "-x", "1", "-y", "3", "-z", "-3", "--html", str(page)],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert out.returncode == 0, out.stderr
    text = page.read_text(encoding="utf-8")
    script = (REPO / "gradcli" / "views" / "page" / "page.js").read_text(encoding="utf-8")
    assert script in text and "{{" not in text
    probe = subprocess.run([sys.executable, "-c", "import gradcli.views.page as p; print(p.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert Path(probe.stdout.strip()).is_relative_to(target)
