"""The package is the pipeline from the ground up: every import goes down a layer, or sideways.

Read from the syntax tree of every module, imports inside functions included
(README "How it is built").
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "gradcli"

# Lower layers first; a module may import its own layer or any lower one.
LAYERS = [
    {"errors", "numbers"},
    {"ops"},
    {"language"},
    {"passes", "data"},
    {"program"},
    {"symbolic", "training"},
    {"homework"},
    {"views"},
    {"cli", "__main__"},
]
LEVEL = {name: n for n, names in enumerate(LAYERS) for name in names}


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "gradcli" or len(parts) == 1 or parts[1] in ("__init__", "__version__"):
        return None                     # `gradcli` itself: the public API, lazy
    return parts[1]


def imports():
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        here = ".".join(rel.parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.level == 0, f"{here}: relative import"
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                yield here, node.module if node.module != "gradcli" else names[1], node.lineno
            elif isinstance(node, ast.Import):
                for a in node.names:
                    yield here, a.name, node.lineno


def test_every_module_belongs_to_a_layer():
    found = {layer_of(".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts))
             for p in PACKAGE.rglob("*.py")}
    assert found - {None} <= set(LEVEL), found - set(LEVEL)


def test_imports_only_go_down():
    upward = []
    for here, target, line in imports():
        a, b = layer_of(here), layer_of(target)
        if a is None or b is None:
            continue
        if LEVEL[b] > LEVEL[a]:
            upward.append(f"{here}:{line} imports {target}")
    assert upward == []


def test_the_library_never_imports_views_or_commands():
    leaks = [f"{here}:{line} imports {target}" for here, target, line in imports()
             if LEVEL.get(layer_of(here), 99) < LEVEL["views"]
             and layer_of(target) in ("views", "cli")]
    assert leaks == []


def test_no_two_classes_or_commands_share_a_name():
    """`Plan` or `check_command` in two modules reads as one thing and is two."""
    seen: dict[str, list[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.parse(path.read_text("utf-8")).body:
            named = isinstance(node, ast.ClassDef) or (
                isinstance(node, ast.FunctionDef) and node.name.endswith("_command"))
            if named:
                seen.setdefault(node.name, []).append(str(path.relative_to(PACKAGE)))
    assert {n: p for n, p in seen.items() if len(p) > 1} == {}
