"""Views draw what the library gives them: none of them parses program text or simplifies.

(The narration's LaTeX of a node comes from the program's graph, not from parsing the
node's text again.)
"""

import ast
from pathlib import Path

VIEWS = Path(__file__).resolve().parents[1] / "gradcli" / "views"
FORBIDDEN = ("gradcli.language.parse", "gradcli.symbolic.simplify")


def test_no_view_imports_the_parser_or_the_simplifier():
    found = []
    for path in VIEWS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in FORBIDDEN:
                found.append(f"{path.name}:{node.lineno} {node.module}")
            elif isinstance(node, ast.Import):
                found += [f"{path.name}:{node.lineno} {a.name}" for a in node.names if a.name in FORBIDDEN]
    assert found == []
