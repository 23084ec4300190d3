"""Docs kept true: comments cite the README's sections, and docstring examples run.

Users have the README, not the contract file it was written from, so a comment
names a README section (README "Binding values"), and that section exists.
"""

from __future__ import annotations

import pathlib
import re

import gradcli

PACKAGE = pathlib.Path(gradcli.__file__).parent
ROOT = PACKAGE.parent
HEADINGS = {line.lstrip("#").strip() for line in (ROOT / "README.md").read_text("utf-8").splitlines()
            if line.startswith("#")}


def sources():
    return [(path.relative_to(ROOT), path.read_text("utf-8")) for path in sorted(PACKAGE.rglob("*.py"))]


def test_no_comment_cites_a_spec_file():
    cited = [f"{path}:{n}" for path, text in sources()
             for n, line in enumerate(text.splitlines(), 1) if "SPEC" in line]
    assert cited == []


def test_every_cited_readme_section_exists():
    cited = {(str(path), title) for path, text in sources()
             for title in re.findall(r'README "([^"]+)"', text)}
    assert cited, "no README section is cited"
    missing = sorted((path, title) for path, title in cited if title not in HEADINGS)
    assert missing == []


def test_pytest_collects_the_modules_doctests():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["pytest"]["ini_options"]
    assert "--doctest-modules" in config["addopts"].split()
    assert "gradcli" in config["testpaths"]
