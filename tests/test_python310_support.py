"""Python 3.10 is supported (pyproject: requires-python >= 3.10).

`.ci/run` runs the whole suite under a Python 3.10 when the machine has one; these
checks also hold on a newer Python: nothing from 3.11's standard library is used
without a fallback, and tomli (3.11's tomllib, as a package) is a dependency below 3.11.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
SOURCES = sorted((REPO / "gradcli").rglob("*.py")) + sorted((REPO / "tests").glob("*.py"))
# Names that Python 3.11 added: none may be used on 3.10.
NEW_IN_311 = {("datetime", "UTC"), ("typing", "Self"), ("enum", "StrEnum"),
              ("typing", "LiteralString"), ("typing", "Never"), ("typing", "assert_never")}


def _guarded(tree: ast.AST, node: ast.AST) -> bool:
    """Is this import of tomllib inside a try whose handler imports tomli instead?"""
    for parent in ast.walk(tree):
        if isinstance(parent, ast.Try) and any(node is n for s in parent.body for n in ast.walk(s)):
            for handler in parent.handlers:
                names = {ast.unparse(handler.type)} if handler.type else set()
                fallback = any(isinstance(n, ast.Import) and n.names[0].name == "tomli"
                               for s in handler.body for n in ast.walk(s))
                if names & {"ModuleNotFoundError", "ImportError"} and fallback:
                    return True
    return False


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_standard_library_of_3_11_without_a_fallback(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        where = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import) and any(a.name == "tomllib" for a in node.names):
            assert _guarded(tree, node), f"{where}: import tomllib without the tomli fallback"
        if isinstance(node, ast.ImportFrom) and node.module == "tomllib":
            raise AssertionError(f"{where}: from tomllib import …: import tomllib with a fallback")
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                assert (node.module, alias.name) not in NEW_IN_311, f"{where}: {alias.name}"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            assert (node.value.id, node.attr) not in NEW_IN_311, f"{where}: {node.value.id}.{node.attr}"
        if isinstance(node, ast.Name):
            assert node.id not in ("ExceptionGroup", "BaseExceptionGroup"), where
        if hasattr(ast, "TryStar"):
            assert not isinstance(node, ast.TryStar), f"{where}: except* is new in 3.11"


def test_tomli_is_a_dependency_below_3_11():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.10"
    marker = re.compile(r"""^tomli\b[^;]*;\s*python_version\s*<\s*["']3\.11["']\s*$""")
    assert any(marker.match(d) for d in project["dependencies"])
    assert any(marker.match(d) for d in project["optional-dependencies"]["test"])


def test_ci_runs_the_suite_under_python_3_10_too():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m pytest" in ci     # the README's test command
    assert "3.10" in ci and "skipped" in ci  # a 3.10 run, or a line saying why not
