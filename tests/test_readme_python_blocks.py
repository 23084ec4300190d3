"""Every ```python block of the README runs, and its `expr  # value` comments hold.

A comment that is itself a Python value (`r.value  # -12.0`) is the README's
promise for the expression before it; prose comments are left alone.
"""

from __future__ import annotations

import pathlib
import re
from fractions import Fraction

import pytest

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```$", README.read_text("utf-8"), re.M | re.S)
PROMISE = re.compile(r"^(?P<expr>[^#]+?)\s+#\s*(?P<want>.+)$")

# Names a block uses without defining them: the training block's data (y = 2x + 1).
GIVEN = {"xs": [0.0, 1.0, 2.0, 3.0], "ys": [1.0, 3.0, 5.0, 7.0]}


def promises(block: str) -> list[tuple[str, str]]:
    found = []
    for line in block.splitlines():
        m = PROMISE.match(line)
        if not m:
            continue
        expr, want = m["expr"].strip(), m["want"].strip()
        try:
            compile(expr, "README.md", "eval")
            value = eval(want, {"Fraction": Fraction})  # the README's own text, not user input
        except Exception:  # a statement, or a comment in words
            continue
        found.append((expr, value))
    return found


def test_the_readme_has_python_blocks_with_promises():
    assert len(BLOCKS) >= 4
    assert sum(len(promises(b)) for b in BLOCKS) >= 6


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_python_block(block, capsys):
    scope = dict(GIVEN)
    exec(compile(block, "README.md", "exec"), scope)  # the README's own text, not user input
    for expr, want in promises(block):
        assert eval(expr, scope) == want, expr
