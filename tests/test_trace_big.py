"""Big and deep traces: nothing recurses, and big views switch to plain text and say so."""

from __future__ import annotations

import math

from gradcli.views.trace_table import PLAIN_ROWS
from gradcli.views.tree import PLAIN_INDENT, RICH_DEPTH


def test_a_100000_deep_chain_traces_to_json(cli):
    depth = 100_000
    text = "sin(" * depth + "x" + ")" * depth
    r = cli("trace", "-", "-x", "0.5", "--json", input=text)
    assert r.exit_code == 0, r.stderr[:500]
    obj = r.json
    assert len(obj["nodes"]) == depth + 1 and obj["output"] == depth
    # by hand: the chain rule down the chain, d sin^n(x)/dx = Π cos(sin^k(x))
    value, grad = 0.5, 1.0
    for _ in range(depth):
        grad *= math.cos(value)
        value = math.sin(value)
    assert math.isclose(obj["nodes"][-1]["value"], value, rel_tol=1e-9)
    assert math.isclose(obj["gradient"]["x"], grad, rel_tol=1e-9)
    assert max(len(n["label"]) for n in obj["nodes"]) <= 80   # labels stay short: linear size


def test_a_big_trace_prints_plain_text_and_says_so(cli):
    n = PLAIN_ROWS + 100
    text = "x" + "+x" * n
    r = cli("trace", text, "-x", "1")
    assert r.exit_code == 0
    assert "plain text" in r.stderr and "--json" in r.stderr
    lines = r.stdout.splitlines()
    table_start = lines.index(next(ln for ln in lines if ln.startswith("  #  node") or
                                   ln.startswith("#  node") or ln.lstrip().startswith("#  node")))
    rows = [ln for ln in lines[table_start + 1:] if ln.strip()[:1].isdigit()]
    assert len(rows) == n + 1                     # one row per node
    assert f"∂f/∂x = {n + 1}" in r.stdout         # d/dx of x + x + … (n + 1 times)
    assert r.stdout.count("→ see #0") == n        # x drawn once, referred to after


def test_a_deep_tree_is_drawn_plain_with_capped_indentation(cli):
    depth = PLAIN_INDENT + 20
    text = "sin(" * depth + "x" + ")" * depth
    r = cli("trace", text, "-x", "0.5")
    assert r.exit_code == 0
    assert depth > RICH_DEPTH and "tree" in r.stderr
    tree = r.stdout.split("\n\n")[1].splitlines()
    assert len(tree) == depth + 1
    assert f"[depth {depth}]" in tree[-1]
    assert max(len(line) for line in tree) < 4 * PLAIN_INDENT + 200


def test_a_big_steps_narration_is_plain(cli):
    k = PLAIN_ROWS // 3 + 20
    r = cli("trace", "x" + "*1.5+x" * k, "-x", "1", "--steps")   # k terms x*1.5, then + x
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    # the last line counts the backward pass's products (README: two modes): 2 per mul and add
    assert lines.pop() == f"reverse mode: {4 * k} local-derivative products (one backward pass)"
    lines.pop()
    assert len([ln for ln in lines if ln.startswith("  #")]) == 3 * k + 1   # a line a node
    assert lines[-1].startswith("  ∂f/∂x = ") and lines[-1].split("    (")[0].endswith(
        f"= {1.5 * k + 1:g}")                                              # by hand: 1.5k + 1
